"""The result columns a user can choose, and their values for the page and the CSV.

A column the user may not see (Contact Lens analytics without `GraphTrends.View`) is
neither offered, shown nor exported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import crypto
from portal.accounts import permissions as p
from search.labels import connect_label
from search.models import Contact, ContactAnalysis
from search.selectors.rows import RowShape


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    sort: str = ""
    permission: str = ""
    source: str = "contact"  # or "analysis", "recording"
    kind: str = "text"  # how the page shows it: text, time, duration, number


COLUMNS: tuple[Column, ...] = (
    Column("initiation_ts", _("Initiated"), "INITIATION_TIMESTAMP", kind="time"),
    Column("connected_to_agent_ts", _("Connected to agent"), "CONNECTED_TO_AGENT_TIMESTAMP", kind="time"),
    Column("enqueue_ts", _("Enqueued"), "ENQUEUE_TIMESTAMP", kind="time"),
    Column("disconnect_ts", _("Disconnected"), "DISCONNECT_TIMESTAMP", kind="time"),
    Column("scheduled_ts", _("Scheduled"), "SCHEDULED_TIMESTAMP", kind="time"),
    Column("duration", _("Duration"), "DURATION", kind="duration"),
    Column("channel", _("Channel"), "CHANNEL"),
    Column("initiation_method", _("Initiation method"), "INITIATION_METHOD"),
    Column("disconnect_reason", _("Disconnect reason")),
    Column("agent", _("Agent")),
    Column("hierarchy", _("Agent hierarchy")),
    Column("queue", _("Queue")),
    Column("routing_profile", _("Routing profile")),
    Column("customer_phone", _("Customer phone number")),
    Column("system_phone", _("System phone number")),
    Column("recording", _("Recording"), source="recording", kind="recording"),
    Column("agent_sentiment", _("Agent sentiment"), "AGENT_SENTIMENT", p.GRAPH_TRENDS, "analysis", "number"),
    Column("customer_sentiment", _("Customer sentiment"), "CUSTOMER_SENTIMENT", p.GRAPH_TRENDS, "analysis", "number"),
    Column("categories", _("Categories"), "", p.GRAPH_TRENDS, "analysis"),
)
BY_KEY = {c.key: c for c in COLUMNS}
DEFAULT_COLUMNS = ("initiation_ts", "channel", "initiation_method", "duration", "agent", "queue", "disconnect_ts")


def columns_for(user) -> list[Column]:
    granted = user.connect_permissions
    return [c for c in COLUMNS if not c.permission or c.permission in granted]


def chosen_columns(user, requested: list[str] | None = None) -> list[Column]:
    """The requested (or remembered, or default) columns the user may see, in catalogue order."""
    allowed = {c.key for c in columns_for(user)}
    keys = set(requested or user.search_columns or DEFAULT_COLUMNS) & allowed
    return [c for c in COLUMNS if c.key in keys] or [BY_KEY["initiation_ts"]]


# What a contact column reads, where it is not the field of its own name. Joined rows
# come as plain values on the contact (see `RowShape`), not as model instances.
_LOADS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "duration": (("duration_seconds",), {}),
    "agent": ((), {"agent_username": "agent__username"}),
    "queue": ((), {"queue_name": "queue__name"}),
    "routing_profile": ((), {"routing_profile_name": "routing_profile__name"}),
    "hierarchy": (("hierarchy_names",), {}),
    "customer_phone": (("customer_phone_enc",), {}),
    "system_phone": (("system_phone_enc",), {}),
}


def rows_for(columns: list[Column]) -> RowShape:
    """The row shape `table_rows` needs for `columns`: nothing else is loaded."""
    fields, related = ["contact_id"], {}
    for column in columns:
        if column.source != "contact":
            continue
        own, joined = _LOADS.get(column.key, ((column.key,), {}))
        fields += own
        related |= joined
    return RowShape(fields=tuple(dict.fromkeys(fields)), related=related)


def _decrypt(token: bytes | None, contact_id: str) -> str:
    try:
        return crypto.decrypt_text(token, context=contact_id) or ""
    except ValueError:
        return ""


def _contact_value(contact: Contact, key: str) -> Any:
    if key == "duration":
        return contact.duration_seconds
    if key == "agent":
        return contact.agent_username or ""
    if key == "queue":
        return contact.queue_name or ""
    if key == "routing_profile":
        return contact.routing_profile_name or ""
    if key == "hierarchy":
        return " / ".join(contact.hierarchy_names or [])
    if key == "customer_phone":
        return _decrypt(contact.customer_phone_enc, contact.contact_id)
    if key == "system_phone":
        return _decrypt(contact.system_phone_enc, contact.contact_id)
    return getattr(contact, key)


def _analysis_value(analysis: ContactAnalysis | None, key: str) -> Any:
    if analysis is None:
        return None
    if key == "categories":
        return ", ".join(analysis.categories)
    return getattr(analysis, key)


def duration_text(seconds: int | None) -> str:
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


@dataclass(frozen=True)
class Cell:
    column: Column
    value: Any  # raw, for the CSV and for the page's date and number formatting
    text: str  # ready to show where no formatting applies


_LABELLED = ("channel", "initiation_method", "disconnect_reason")


def _text(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if column.kind == "duration":
        return duration_text(value)
    if column.kind == "recording":
        return connect_label("recording", value)
    if column.key in _LABELLED:
        return connect_label(column.key, value)
    return str(value)


@dataclass
class Row:
    contact: Contact
    cells: list[Cell]


def table_rows(contacts: list[Contact], columns: list[Column]) -> list[Row]:
    """Values per chosen column, from contacts loaded as `rows_for(columns)` shapes them;
    analyses and recordings are read in one query each."""
    from recordings.models import Recording

    sources = {c.source for c in columns}
    analyses: dict[str, ContactAnalysis] = {}
    recordings: dict[int, str] = {}
    if "analysis" in sources:
        found = ContactAnalysis.objects.filter(contact_id__in=[c.contact_id for c in contacts])
        analyses = {a.contact_id: a for a in found}
    if "recording" in sources:
        found = Recording.objects.filter(contact_id__in=[c.pk for c in contacts]).values_list("contact_id", "status")
        recordings = dict(found)
    rows = []
    for contact in contacts:
        cells = []
        for column in columns:
            if column.source == "analysis":
                value = _analysis_value(analyses.get(contact.contact_id), column.key)
            elif column.source == "recording":
                value = recordings.get(contact.pk, "")
            else:
                value = _contact_value(contact, column.key)
            cells.append(Cell(column, value, _text(column, value)))
        rows.append(Row(contact, cells))
    return rows


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_value(value: Any) -> str:
    """Times in the user's time zone with their offset, so a spreadsheet reads them right.

    Text from Connect (names, numbers, categories) that a spreadsheet would run as a
    formula gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return str(value)
