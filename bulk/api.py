"""JSON API for bulk actions: start one over a search's results, follow it, or stream a zip.

SECURITY: the contacts are the caller's search results (`bulk.selectors`, through
`Contact.objects.visible_to`); a job is shown only to the user who started it, and
any other id answers 404 exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from bulk import archive, selectors, services
from bulk.models import BulkAction
from portal.api import ACCESS_DENIED, INVALID_REQUEST, NOT_FOUND, ApiError, api_view, json_body
from recordings.presenters import iso
from search.criteria import CriteriaError, SearchCriteria, SearchPermissionDenied, criteria_from_api

CONFLICT = "ResourceConflictException"
UNAVAILABLE = "ServiceUnavailableException"
_SEARCH_KEYS = {"InstanceId", "TimeRange", "SearchCriteria", "Sort"}
_ACTION_KEYS = {"Action", "Reason", "ExpectedCount"}
_STATUS = {
    services.BulkRefused.FORBIDDEN: (ACCESS_DENIED, 403),
    services.BulkRefused.INVALID: (INVALID_REQUEST, 400),
    services.BulkRefused.CONFLICT: (CONFLICT, 409),
    services.BulkRefused.UNAVAILABLE: (UNAVAILABLE, 503),
}
ITEMS_SHOWN = 1000


def _refused(error: services.BulkRefused) -> ApiError:
    type_, status = _STATUS[error.code]
    return ApiError(type_, error.message, status)


def _criteria(body: dict, extra: set[str]) -> SearchCriteria:
    unknown = sorted(set(body) - _SEARCH_KEYS - extra)
    if unknown:
        raise ApiError(INVALID_REQUEST, _("Unknown field %(name)s.") % {"name": unknown[0]}, 400)
    try:
        return criteria_from_api({k: v for k, v in body.items() if k in _SEARCH_KEYS}).criteria
    except CriteriaError as error:
        raise ApiError(error.type, error.message, error.status) from None


def _text(body: dict, key: str, *, max_len: int = 1000) -> str:
    value = body.get(key)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > max_len:
        raise ApiError(
            INVALID_REQUEST, _("%(name)s must be a string of at most %(count)d characters.")
            % {"name": key, "count": max_len}, 400,
        )  # fmt: skip
    return value


def _expected(body: dict, *, required: bool) -> int | None:
    value = body.get("ExpectedCount")
    if value is None and not required:
        return None
    # JSON has one number type: 299.0 is the integer 299, as the document's schema says.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ApiError(INVALID_REQUEST, _("ExpectedCount must be the number of contacts the search finds."), 400)
    return value


def _run(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except services.BulkRefused as error:
        raise _refused(error) from None
    except SearchPermissionDenied as error:
        raise ApiError(ACCESS_DENIED, str(error), 403) from None
    except CriteriaError as error:
        raise ApiError(error.type, error.message, error.status) from None


@api_view(["POST"])
def bulk_actions(request: HttpRequest) -> HttpResponse:
    body = json_body(request)
    action = body.get("Action")
    if action not in dict(BulkAction.ACTIONS):
        raise ApiError(
            INVALID_REQUEST, _("Action must be one of %(allowed)s.") % {"allowed": ", ".join(dict(BulkAction.ACTIONS))},
            400,
        )  # fmt: skip
    _run(services.bulk_check_permission, user=request.user, action=action)
    criteria = _criteria(body, _ACTION_KEYS)
    job = _run(
        services.bulk_action_start, user=request.user, action=action, criteria=criteria,
        reason=_text(body, "Reason"), expected_count=_expected(body, required=True), request=request,
    )  # fmt: skip
    return JsonResponse({"BulkActionId": str(job.pk), "Count": job.total, "Status": job.status}, status=202)


@api_view(["GET"])
def bulk_action(request: HttpRequest, bulk_action_id: str) -> HttpResponse:
    job = selectors.bulk_action_for_user(request.user, bulk_action_id)
    if job is None:
        raise ApiError(NOT_FOUND, _("No such bulk action."), 404)
    return JsonResponse(bulk_action_document(job), json_dumps_params={"ensure_ascii": False})


def bulk_action_document(job: BulkAction) -> dict[str, Any]:
    progress = selectors.bulk_progress(job)
    items = selectors.bulk_items(job, limit=ITEMS_SHOWN)
    return {
        "BulkActionId": str(job.pk),
        "Action": job.action,
        "Status": job.status,
        "Message": _(job.message) if job.message else "",
        "Count": progress.total,
        "Done": progress.done,
        "Outcomes": progress.outcomes,
        "Contacts": [{"ContactId": i.contact_id, "Outcome": i.outcome or None, "Detail": i.detail} for i in items],
        "CreatedAt": iso(job.created_at),
        "FinishedAt": iso(job.finished_at),
    }


@api_view(["POST"])
def bulk_download(request: HttpRequest) -> HttpResponse:
    body = json_body(request)
    _run(archive.bulk_zip_check, user=request.user)
    criteria = _criteria(body, {"Reason", "ExpectedCount"})
    expected = _expected(body, required=False)
    if expected is None:
        # Without a number to confirm, the count is the search's own (the limit still holds).
        expected = _run(selectors.bulk_count, user=request.user, criteria=criteria)[0]
    result = _run(
        archive.bulk_zip_start, user=request.user, criteria=criteria, reason=_text(body, "Reason"),
        expected_count=expected, request=request,
    )  # fmt: skip
    return zip_response(result)


def zip_response(result: archive.Archive) -> StreamingHttpResponse:
    response = StreamingHttpResponse(result.chunks, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="contacts.zip"'
    response["X-Contact-Count"] = str(result.count)
    return response
