from django.urls import path

from recordings import api

urlpatterns = [
    path("contacts/<str:contact_id>", api.contact_detail, name="api-contact"),
    path("contacts/<str:contact_id>/transcript", api.transcript, name="api-transcript"),
    path("contacts/<str:contact_id>/transcript/download", api.transcript_download, name="api-transcript-download"),
    path("contacts/<str:contact_id>/recording", api.recording, name="api-recording"),
    path("contacts/<str:contact_id>/recording/fetch", api.recording_fetch, name="api-recording-fetch"),
    path("contacts/<str:contact_id>/recording/download", api.recording_download, name="api-recording-download"),
    path("recording-jobs/<str:job_id>", api.recording_job, name="api-recording-job"),
    path("audio/<str:token>", api.audio, name="recording-audio"),
]
