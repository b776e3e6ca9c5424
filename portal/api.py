"""The JSON API's common edge: authentication, errors in Connect's shape, JSON bodies.

Every endpoint under /api/v1/ is wrapped in `api_view`, so clients (AWS SDKs included)
always get `{"Type": ..., "Message": ...}` with the type repeated in `x-amzn-ErrorType`:

| situation                                   | status | Type                       |
| no credentials / bad or revoked token       | 401    | AccessDeniedException      |
| SigV4: unknown access key                   | 403    | UnrecognizedClientException|
| SigV4: bad signature, clock skew > 5 min    | 403    | InvalidSignatureException  |
| SigV4: revoked/expired key, inactive user   | 403    | AccessDeniedException      |
| authenticated, missing a Connect permission | 403    | AccessDeniedException      |
| MFA required but not enrolled               | 403    | AccessDeniedException      |
| malformed request                           | 400    | InvalidRequestException    |
| missing or out-of-scope object (Http404)    | 404    | ResourceNotFoundException  |
| method not allowed                          | 405    | InvalidRequestException    |
| too many requests                           | 429    | ThrottlingException        |

Every authenticated call counts against the caller's `API_RATE_LIMIT` (portal.ratelimit);
a 429 carries `Retry-After` in seconds.

Missing credentials answer 401 (with `WWW-Authenticate: Bearer`) rather than 403 so a
client can tell "log in" from "you may not"; the body keeps Connect's shape either way.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from portal import ratelimit

ACCESS_DENIED = "AccessDeniedException"
INVALID_REQUEST = "InvalidRequestException"
NOT_FOUND = "ResourceNotFoundException"
THROTTLING = "ThrottlingException"

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# `\u0000` in a JSON string, unless its backslash is itself escaped.
_ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


class ApiError(Exception):
    """Raise anywhere below an `api_view` to answer with a Connect-style error."""

    def __init__(self, type_: str, message: str, status: int) -> None:
        super().__init__(message)
        self.type = type_
        self.message = message
        self.status = status

    def response(self) -> JsonResponse:
        return api_error(self.type, self.message, self.status)


def throttled(error: ratelimit.Throttled) -> JsonResponse:
    response = api_error(THROTTLING, error.message, 429)
    response["Retry-After"] = str(error.retry_after)
    return response


def api_error(type_: str, message: str, status: int) -> JsonResponse:
    response = JsonResponse({"Type": type_, "Message": str(message)}, status=status)
    response["x-amzn-ErrorType"] = type_
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def require_permission(user, name: str) -> None:
    """403 naming the Connect permission the caller lacks."""
    if not user.has_connect_permission(name):
        raise ApiError(ACCESS_DENIED, _("This action needs the %(permission)s permission.") % {"permission": name}, 403)


def json_body(request: HttpRequest) -> dict:
    """The request body as a JSON object; an empty body is an empty object."""
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(
            INVALID_REQUEST, _("The request body is not valid JSON: %(error)s") % {"error": exc}, 400
        ) from exc
    if not isinstance(data, dict):
        raise ApiError(INVALID_REQUEST, _("The request body must be a JSON object."), 400)
    return data


def parse_time(value: str | int | float | None, field: str) -> datetime | None:
    """ISO 8601 or epoch seconds (what AWS SDKs send) as an aware datetime; None if empty."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) or str(value).replace(".", "", 1).isdigit():
            return datetime.fromtimestamp(float(value), tz=UTC)
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError) as exc:
        raise ApiError(
            INVALID_REQUEST, _("%(field)s is not a valid time: %(value)s") % {"field": field, "value": value}, 400
        ) from exc
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    # UTC, since PostgreSQL refuses offsets past 15:59; beyond year 1 or 9999, the end itself.
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        return (datetime.min if parsed.year == 1 else datetime.max).replace(tzinfo=UTC)


def _refuse_nul(request: HttpRequest) -> None:
    """PostgreSQL text cannot hold U+0000, so a request carrying one is refused here
    rather than failing deep inside a query."""
    in_query = any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())
    if "\x00" in request.path or in_query or _ESCAPED_NUL.search(request.body or b""):
        raise ApiError(INVALID_REQUEST, _("The request contains a NUL character (U+0000)."), 400)


def _authenticate(request: HttpRequest) -> None:
    refused = getattr(request, "signature_refused", None)
    if refused is not None:
        # AWS's own names (InvalidSignatureException, …), which the CLI and SDKs report as such.
        raise ApiError(refused.type, refused.message, 403)
    if getattr(request, "token_auth_failed", False):
        raise ApiError(ACCESS_DENIED, _("The bearer token is invalid or has been revoked."), 401)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        raise ApiError(ACCESS_DENIED, _("Authentication required: send Authorization: Bearer <token>."), 401)
    _check_csrf(request)
    _check_mfa(user)


def _check_csrf(request: HttpRequest) -> None:
    # Bearer requests carry no cookie to forge; browser sessions still need the CSRF token.
    if request.method in _SAFE_METHODS or getattr(request, "_dont_enforce_csrf_checks", False):
        return
    rejected = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(request, _csrf_probe, (), {})
    if rejected is not None:
        raise ApiError(ACCESS_DENIED, _("CSRF verification failed."), 403)


def _csrf_probe(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
    return HttpResponse()


def _check_mfa(user) -> None:
    # SECURITY: an API token must not bypass the MFA that the browser enforces.
    from portal.accounts.mfa import API_REFUSAL, mfa_missing

    if mfa_missing(user):
        raise ApiError(ACCESS_DENIED, API_REFUSAL, 403)


def api_view(methods: Iterable[str] = ("GET",), *, authenticated: bool = True) -> Callable:
    """Wrap a JSON endpoint: method check, authentication, and errors in Connect's shape."""
    allowed = {m.upper() for m in methods}

    def decorator(view: Callable) -> Callable:
        @csrf_exempt  # checked in _check_csrf for session requests, answered as JSON
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                if request.method not in allowed:
                    response = api_error(
                        INVALID_REQUEST, _("Method %(method)s not allowed.") % {"method": request.method}, 405
                    )
                    response["Allow"] = ", ".join(sorted(allowed))
                    return response
                if authenticated:
                    _authenticate(request)
                    ratelimit.api_rate_check(request.user)
                _refuse_nul(request)
                return view(request, *args, **kwargs)
            except ApiError as exc:
                return exc.response()
            except ratelimit.Throttled as exc:
                return throttled(exc)
            except Http404:
                return api_error(NOT_FOUND, _("The requested resource was not found."), 404)
            except PermissionDenied as exc:
                return api_error(ACCESS_DENIED, str(exc) or _("Access denied."), 403)

        return wrapper

    return decorator


@api_view(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"], authenticated=False)
def unknown_path(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other path under /api/v1/: AWS SDKs parse this, never an HTML page."""
    return api_error(NOT_FOUND, _("No API operation at %(path)s.") % {"path": request.path[:200]}, 404)
