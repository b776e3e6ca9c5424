from django.urls import path

from portal.audit import api

urlpatterns = [
    path("audit-events", api.audit_events_list, name="api_audit_events"),
]
