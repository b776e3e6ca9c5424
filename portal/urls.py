from django.contrib import admin
from django.urls import include, path

from portal import health

handler500 = "portal.unavailable.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("portal.accounts.urls")),
    path("audit/", include("portal.audit.urls")),
    path("api/v1/", include("search.api_urls")),
    path("api/v1/", include("recordings.api_urls")),
    path("api/v1/", include("portal.audit.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("recordings.urls")),
    path("", include("search.urls")),
]
