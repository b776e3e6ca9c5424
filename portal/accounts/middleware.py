"""Per-request user context: API bearer tokens, the user's language and time zone."""

from __future__ import annotations

import zoneinfo

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _


class ApiTokenMiddleware:
    """`Authorization: Bearer <token>` or an AWS Signature Version 4 made with an access
    key authenticates API requests without a session or CSRF."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            from portal.accounts.tokens import user_for_token

            user = user_for_token(header.removeprefix("Bearer ").strip())
            request.token_auth_failed = user is None
            if user is not None:
                request.user = user
                request._dont_enforce_csrf_checks = True
        else:
            self._signed(request)
        return self.get_response(request)

    @staticmethod
    def _signed(request) -> None:
        from portal.accounts import sigv4_auth

        if not sigv4_auth.is_signed(request):
            return
        try:
            holder = sigv4_auth.authenticate(request)
        except sigv4_auth.SignatureRefused as refused:
            # Answered by the API wrapper, in the endpoint's error shape.
            request.signature_refused = refused
            return
        request.user = holder.user
        request.access_key_id = holder.access_key_id  # the audit log names the key
        request._dont_enforce_csrf_checks = True


class UserLanguageMiddleware:
    """A user's chosen language beats the browser's (runs before LocaleMiddleware,
    which falls back to Accept-Language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.session.get("portal_language") if hasattr(request, "session") else None
        if chosen:
            request.META["HTTP_ACCEPT_LANGUAGE"] = chosen
        return self.get_response(request)


class UserTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone = getattr(user, "time_zone", "") if user is not None and user.is_authenticated else ""
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone)) if zone else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class MfaRequiredMiddleware:
    """Holders of unredacted or destructive permissions enrol in TOTP before anything else.

    Runs after allauth's AccountMiddleware. allauth's own pages (login, logout, MFA
    enrolment), static files and the language switch stay reachable; the JSON API answers
    Connect's 403 instead, since a redirect means nothing to an API client.
    """

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from portal.accounts.mfa import API_REFUSAL, mfa_missing

        user = getattr(request, "user", None)
        if user is None or request.path.startswith(self.ALLOWED_PREFIXES) or not mfa_missing(user):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            # SECURITY: a bearer token must not bypass the second factor the browser demands.
            from portal.api import ACCESS_DENIED, api_error

            return api_error(ACCESS_DENIED, API_REFUSAL, 403)
        messages.warning(request, _("Your permissions require two-factor authentication. Set it up to continue."))
        return HttpResponseRedirect(reverse("mfa_activate_totp"))
