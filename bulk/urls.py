from django.urls import path

from bulk import views

urlpatterns = [
    path("", views.bulk_start, name="bulk-start"),
    path("actions", views.bulk_action_create, name="bulk-action-create"),
    path("download", views.bulk_download, name="bulk-download"),
    path("<str:bulk_action_id>/", views.bulk_action_detail, name="bulk-action-detail"),
]
