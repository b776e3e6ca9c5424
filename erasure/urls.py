from django.urls import path

from erasure import views

urlpatterns = [
    path("", views.erasure_list, name="erasure-list"),
    path("plan", views.erasure_plan, name="erasure-plan"),
    path("start", views.erasure_start, name="erasure-start"),
    path("<str:erasure_id>/", views.erasure_detail, name="erasure-detail"),
    path("<str:erasure_id>/certificate.json", views.erasure_certificate, {"fmt": "json"},
         name="erasure-certificate-json"),
    path("<str:erasure_id>/certificate.csv", views.erasure_certificate, {"fmt": "csv"},
         name="erasure-certificate-csv"),
]  # fmt: skip
