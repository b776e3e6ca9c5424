from django.urls import path

from portal.accounts import views

urlpatterns = [
    path("", views.profile, name="account_profile"),
    path("tokens/", views.token_create, name="account_token_create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="account_token_revoke"),
    path("access-keys/", views.access_key_create, name="account_access_key_create"),
    path("access-keys/<str:access_key_id>/revoke/", views.access_key_revoke, name="account_access_key_revoke"),
]
