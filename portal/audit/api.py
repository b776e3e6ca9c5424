"""`GET /api/v1/audit-events`: the audit log for integrators, newest first, paged by NextToken."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from portal.accounts import permissions as p
from portal.api import INVALID_REQUEST, ApiError, api_view, parse_time, require_permission
from portal.audit.models import AuditEvent
from portal.audit.selectors import audit_events

DEFAULT_PAGE = 100
MAX_PAGE = 1000


def _int_param(request: HttpRequest, name: str, default: int | None) -> int | None:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise ApiError(INVALID_REQUEST, _("%(name)s must be a positive integer.") % {"name": name}, 400)
    return int(raw)


def _event(event: AuditEvent) -> dict:
    return {
        "Id": event.pk,
        "Time": event.at.isoformat(),
        "User": event.actor_username,
        "Action": event.action,
        "ContactId": event.contact_id,
        "IpAddress": event.ip_address,
        "Details": event.readable_details(),
    }


@api_view(methods=["GET"])
def audit_events_list(request: HttpRequest) -> JsonResponse:
    require_permission(request.user, p.HISTORICAL_CHANGES)
    q = request.GET
    events = audit_events(
        user=q.get("user", ""),
        action=q.get("action", ""),
        contact_id=q.get("contact_id", ""),
        since=parse_time(q.get("since"), "since"),
        until=parse_time(q.get("until"), "until"),
    ).order_by("-id")
    size = min(_int_param(request, "max_results", DEFAULT_PAGE), MAX_PAGE)
    before = _int_param(request, "next_token", None)
    if before is not None:
        events = events.filter(pk__lt=before)
    rows = list(events[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return JsonResponse(
        {"AuditEvents": [_event(e) for e in rows], "NextToken": str(rows[-1].pk) if more else None},
        json_dumps_params={"ensure_ascii": False},
    )
