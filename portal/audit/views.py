"""The audit page and the login/logout report, each with a CSV export."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from portal.accounts import permissions as p
from portal.audit.forms import AuditFilterForm, SessionFilterForm
from portal.audit.labels import detail_label
from portal.audit.selectors import audit_events, known_actions, login_sessions
from portal.audit.services import audit_record
from search.forms import CATEGORY_MATCH_CHOICES, TIME_TYPE_CHOICES
from search.labels import connect_label
from search.templatetags.readable import score

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
    rows = [(event, detail_fields(event.readable_details())) for event in page]
    context = {"form": form, "page": page, "rows": rows, "query": query, "actions": known_actions()}
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


@dataclass(frozen=True)
class DetailField:
    label: str
    text: str = ""
    children: tuple[DetailField, ...] = ()


def detail_fields(details: Any, depth: int = 0) -> list[DetailField]:
    """An event's details as labelled values for the page (the CSV and API keep the JSON).
    A nested object (the search criteria) becomes its own list, one level deep."""
    if not isinstance(details, dict):
        return [] if details in (None, "", []) else [DetailField(_("Details"), _detail_text(details))]
    return [
        DetailField(detail_label(key), children=tuple(detail_fields(value, depth + 1)))
        if isinstance(value, dict) and value and depth < 1
        else DetailField(detail_label(key), _detail_text(value))
        for key, value in details.items()
    ]


# Connect's codes inside search criteria, named as the search page names them.
_CODE_LABELS = {
    **dict(TIME_TYPE_CHOICES),
    **dict(CATEGORY_MATCH_CHOICES),
    "SCORE": _lazy("Overall score"),
    "SHIFT": _lazy("Shift"),
    "ASCENDING": _lazy("Ascending"),
    "DESCENDING": _lazy("Descending"),
    "REDACTED": _lazy("redacted"),
    "ORIGINAL": _lazy("original (unredacted)"),
    # Where a search came from ("via").
    "page": _lazy("the search page"),
    "api": _lazy("the API"),
}
_CODE_FIELDS = ("channel", "initiation_method", "disconnect_reason", "recording", "participant_role")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _detail_text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float):
        return score(value)
    if isinstance(value, str):
        return _time_text(value) if _ISO_TIME.match(value) else _code_text(value)
    if isinstance(value, dict) and set(value) == {"text", "phrase"}:  # a search term
        return f"“{value['text']}”" if value["phrase"] else str(value["text"])
    if isinstance(value, dict):
        return " · ".join(f"{detail_label(k)}: {_detail_text(v)}" for k, v in value.items() if v not in (None, "", []))
    if isinstance(value, list | tuple):
        return ", ".join(_detail_text(v) for v in value if v not in (None, "", [])) or "—"
    return str(value)


def _code_text(value: str) -> str:
    if value in _CODE_LABELS:
        return str(_CODE_LABELS[value])
    for field in _CODE_FIELDS:
        if (label := connect_label(field, value)) != value:
            return label
    return value


def _time_text(value: str) -> str:
    """A recorded time in the user's zone, with the zone."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_naive(moment):
        return value
    return date_format(timezone.localtime(moment), "Y-m-d H:i T")


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
            json.dumps(e.readable_details(), ensure_ascii=False),
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
