from django.urls import path

from portal.accounts import views

urlpatterns = [
    path("", views.profile, name="account_profile"),
    path("tokens/", views.token_create, name="account_token_create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="account_token_revoke"),
]
