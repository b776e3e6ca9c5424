from django.contrib import admin
from django.urls import include, path, re_path

from portal import api, health

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
    path("api/v1/", include("search.connect_api_urls")),
    path("api/v1/", include("erasure.api_urls")),
    path("api/v1/", include("bulk.api_urls")),
    path("api/v1/", include("redaction.api_urls")),
    # Keep last under api/v1/: unknown paths answer JSON in Connect's error shape (a
    # decoded newline included, hence [\s\S] rather than ".").
    re_path(r"^api/v1/(?P<path>[\s\S]*)$", api.unknown_path, name="api-unknown-path"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("erasures/", include("erasure.urls")),
    path("bulk/", include("bulk.urls")),
    path("redaction/", include("redaction.urls")),
    path("", include("recordings.urls")),
    path("", include("search.urls")),
]
