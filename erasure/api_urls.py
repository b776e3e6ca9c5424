from django.urls import path

from erasure import api

urlpatterns = [
    path("erasures", api.erasures, name="api-erasures"),
    path("erasures/<str:erasure_id>", api.erasure, name="api-erasure"),
]
