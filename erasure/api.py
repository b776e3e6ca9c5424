"""The erasure API: POST /api/v1/erasures starts one, GET /api/v1/erasures/{ErasureId}
follows it. Needs DeleteCallRecordings (and, through `api_view`, the second factor its
holders must have); an erasure of someone else, or none, is a 404."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from erasure import presenters, selectors, services
from portal.accounts import permissions as p
from portal.api import INVALID_REQUEST, ApiError, api_view, json_body, require_permission

MAX_PHONE = 64
MAX_REASON = 1000


@api_view(["POST"])
def erasures(request: HttpRequest) -> JsonResponse:
    require_permission(request.user, p.DELETE_RECORDINGS)
    body = json_body(request)
    phone = _text(body, "CustomerPhoneNumber", MAX_PHONE)
    reason = _text(body, "Reason", MAX_REASON)
    try:
        erasure = services.erasure_create(user=request.user, phone=phone, reason=reason, request=request)
    except services.ErasureRefused as refused:
        raise ApiError(INVALID_REQUEST, refused.message, 400) from None
    return JsonResponse({"ErasureId": str(erasure.pk)}, status=202)


@api_view(["GET"])
def erasure(request: HttpRequest, erasure_id: str) -> JsonResponse:
    require_permission(request.user, p.DELETE_RECORDINGS)
    found = selectors.erasure_for_user_or_404(user=request.user, erasure_id=erasure_id)
    return JsonResponse(presenters.erasure_body(erasure=found))


def _text(body: dict, name: str, limit: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise ApiError(
            INVALID_REQUEST,
            _("%(field)s must be a non-empty string of at most %(limit)d characters.")
            % {"field": name, "limit": limit},
            400,
        )
    return value
