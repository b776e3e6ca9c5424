from django.urls import path

from search import api

urlpatterns = [
    path("search-contacts", api.search_contacts, name="api-search-contacts"),
    path("openapi.json", api.openapi, name="api-openapi"),
]
