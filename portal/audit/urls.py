from django.urls import path

from portal.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_log, name="events"),
    path("sessions/", views.login_report, name="sessions"),
]
