"""The audit page and the login/logout report, each with a CSV export."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from portal.accounts import permissions as p
from portal.audit.forms import AuditFilterForm, SessionFilterForm
from portal.audit.selectors import audit_events, known_actions, login_sessions
from portal.audit.services import audit_record

PAGE_SIZE = 50


def _require(user, permission: str) -> None:
    if not user.has_connect_permission(permission):
        raise PermissionDenied(permission)


def _cell(value) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; quote them."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_response(filename: str, header: list[str], rows: Iterable[list]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)  # BOM: Excel then reads UTF-8 (Japanese names)
        for row in rows:
            yield writer.writerow([_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _page(request: HttpRequest, items) -> tuple:
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    _require(request.user, p.HISTORICAL_CHANGES)
    form = AuditFilterForm(request.GET or None)
    events = audit_events(**form.filters())
    if request.GET.get("format") == "csv":
        audit_record(action="export", request=request, details={"kind": "audit_events", "filters": _plain(form)})
        return _events_csv(events)
    page, query = _page(request, events)
    context = {"form": form, "page": page, "query": query, "actions": known_actions()}
    return render(request, "audit/events.html", context)


@login_required
def login_report(request: HttpRequest) -> HttpResponse:
    _require(request.user, p.TIME_CARD)
    form = SessionFilterForm(request.GET or None)
    sessions = login_sessions(**form.filters())
    if request.GET.get("format") == "csv":
        audit_record(action="export", request=request, details={"kind": "login_report", "filters": _plain(form)})
        return _sessions_csv(sessions)
    page, query = _page(request, sessions)
    return render(request, "audit/sessions.html", {"form": form, "page": page, "query": query})


def _plain(form) -> dict:
    return {k: str(v) for k, v in form.filters().items()}


def _iso(value) -> str:
    return timezone.localtime(value).isoformat() if value else ""


def _events_csv(events) -> StreamingHttpResponse:
    rows = (
        [
            _iso(e.at),
            e.actor_username,
            e.action,
            e.contact_id,
            e.ip_address or "",
            json.dumps(e.details, ensure_ascii=False),
        ]
        for e in events.iterator(chunk_size=2000)
    )
    header = ["time", "user", "action", "contact_id", "ip_address", "details"]
    return _csv_response("audit-events.csv", header, rows)


def _sessions_csv(sessions) -> StreamingHttpResponse:
    rows = (
        [
            s.username,
            _iso(s.login_at),
            _iso(s.logout_at),
            int(s.duration.total_seconds()) if s.duration else "",
            s.ip_address or "",
        ]
        for s in sessions
    )
    header = ["user", "login", "logout", "duration_seconds", "ip_address"]
    return _csv_response("login-logout-report.csv", header, rows)
