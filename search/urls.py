from django.urls import path

from search import views

urlpatterns = [
    path("", views.search_page, name="search"),
    path("search/export.csv", views.export_csv, name="search-export"),
    path("search/columns", views.columns_save, name="search-columns"),
    path("search/saved", views.saved_search_add, name="saved-search-add"),
    path("search/saved/<int:saved_search_id>/delete", views.saved_search_remove, name="saved-search-delete"),
    path("settings/attributes/", views.attribute_settings, name="attribute-settings"),
]
