from django.urls import path

from bulk import api

urlpatterns = [
    path("bulk-actions", api.bulk_actions, name="api-bulk-actions"),
    path("bulk-actions/<str:bulk_action_id>", api.bulk_action, name="api-bulk-action"),
    path("bulk-downloads", api.bulk_download, name="api-bulk-downloads"),
]
