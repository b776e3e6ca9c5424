from django.urls import path

from recordings import views

urlpatterns = [
    path("contacts/<str:contact_id>/", views.contact_detail, name="contact-detail"),
    path("contacts/<str:contact_id>/recording/delete", views.recording_delete, name="recording-delete"),
    path("contacts/<str:contact_id>/legal-hold", views.legal_hold, name="legal-hold"),
]
