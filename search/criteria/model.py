"""The criteria of one contact search, the limits Connect sets on them, and the value
readers both parsers share."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _

from portal.phone import phone_search_form

INVALID_REQUEST = "InvalidRequestException"
INVALID_PARAMETER = "InvalidParameterException"
NOT_FOUND = "ResourceNotFoundException"

MATCH_ALL = "MATCH_ALL"
MATCH_ANY = "MATCH_ANY"
MATCH_NONE = "MATCH_NONE"
ASCENDING = "ASCENDING"
DESCENDING = "DESCENDING"

TIME_TYPES: dict[str, str] = {
    "INITIATION_TIMESTAMP": "initiation_ts",
    "CONNECTED_TO_AGENT_TIMESTAMP": "connected_to_agent_ts",
    "DISCONNECT_TIMESTAMP": "disconnect_ts",
    "SCHEDULED_TIMESTAMP": "scheduled_ts",
    "ENQUEUE_TIMESTAMP": "enqueue_ts",
}
# Connect's sortable fields, plus duration and sentiment (ours).
SORT_FIELDS: tuple[str, ...] = (
    *TIME_TYPES,
    "INITIATION_METHOD",
    "CHANNEL",
    "DURATION",
    "AGENT_SENTIMENT",
    "CUSTOMER_SENTIMENT",
)
CHANNELS = ("VOICE", "CHAT", "TASK", "EMAIL")
INITIATION_METHODS = (
    "INBOUND", "OUTBOUND", "TRANSFER", "QUEUE_TRANSFER", "CALLBACK", "API", "DISCONNECT", "MONITOR",
    "EXTERNAL_OUTBOUND", "WEBRTC_API", "AGENT_REPLY", "FLOW",
)  # fmt: skip
PARTICIPANT_ROLES = ("AGENT", "CUSTOMER", "SYSTEM", "CUSTOM_BOT", "SUPERVISOR")
RECORDING_STATUSES = ("AVAILABLE", "DELETING", "DELETED")
SENTIMENT_ROLES = ("AGENT", "CUSTOMER")
SENTIMENT_TYPES = ("SCORE", "SHIFT")
MAX_SEARCH_TEXT = 128
MAX_IDS = 100
MAX_GROUP_IDS = 10
MAX_TRANSCRIPT_CRITERIA = 6
MAX_ATTRIBUTE_CRITERIA = 15
MAX_ATTRIBUTE_VALUES = 20
MAX_CATEGORIES = 50

_WORD = re.compile(r"\w")


class CriteriaError(ValueError):
    """A request the search cannot run; `type` is Connect's error type (400)."""

    def __init__(self, message: str, *, type_: str = INVALID_PARAMETER, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.type = type_
        self.status = status


class SearchPermissionDenied(PermissionError):
    """A filter the user may not use; names the missing Connect permission."""

    def __init__(self, permission: str) -> None:
        self.permission = permission
        super().__init__(_("This search needs the %(permission)s permission.") % {"permission": permission})


@dataclass(frozen=True)
class Term:
    """One search term: a word, a few words (all must occur) or a quoted phrase."""

    text: str
    phrase: bool = False


@dataclass(frozen=True)
class TextCriterion:
    roles: tuple[str, ...]  # empty: anyone
    terms: tuple[Term, ...]
    match: str = MATCH_ANY


@dataclass(frozen=True)
class SentimentCriterion:
    role: str
    kind: str = "SCORE"
    min: float | None = None
    max: float | None = None
    begin_min: float | None = None
    begin_max: float | None = None
    end_min: float | None = None
    end_max: float | None = None


@dataclass(frozen=True)
class NonTalkCriterion:
    min_ms: int | None = None
    max_ms: int | None = None
    min_percent: float | None = None
    max_percent: float | None = None


@dataclass(frozen=True)
class CategoryCriterion:
    names: tuple[str, ...]
    match: str = MATCH_ANY


@dataclass(frozen=True)
class AttributeCriterion:
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class SearchCriteria:
    time_type: str = "INITIATION_TIMESTAMP"
    start: datetime | None = None  # None: the start of the retention period
    end: datetime | None = None
    contact_id: str = ""
    channels: tuple[str, ...] = ()
    initiation_methods: tuple[str, ...] = ()
    disconnect_reasons: tuple[str, ...] = ()
    agent_ids: tuple[str, ...] = ()
    hierarchy: tuple[tuple[str, ...], ...] = ((), (), (), (), ())
    queue_ids: tuple[str, ...] = ()
    routing_profile_ids: tuple[str, ...] = ()
    customer_phone: str = ""  # E.164, or the digits of a number that does not parse
    system_phone: str = ""
    min_duration: int | None = None
    max_duration: int | None = None
    has_recording: bool | None = None
    recording_statuses: tuple[str, ...] = ()
    transcript: tuple[TextCriterion, ...] = ()
    transcript_match: str = MATCH_ALL
    sentiment: SentimentCriterion | None = None
    non_talk: NonTalkCriterion | None = None
    interruptions_min: int | None = None
    interruptions_max: int | None = None
    categories: CategoryCriterion | None = None
    attributes: tuple[AttributeCriterion, ...] = ()
    attributes_match: str = MATCH_ALL
    sort_field: str = "INITIATION_TIMESTAMP"
    sort_order: str = DESCENDING

    @property
    def uses_keywords(self) -> bool:
        return bool(self.transcript)

    @property
    def uses_characteristics(self) -> bool:
        return bool(
            self.sentiment
            or self.non_talk
            or self.categories
            or self.interruptions_min is not None
            or self.interruptions_max is not None
        )

    @property
    def uses_attributes(self) -> bool:
        return bool(self.attributes)

    @property
    def uses_agents(self) -> bool:
        return bool(self.agent_ids)

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(dataclasses.asdict(self))

    def fingerprint(self) -> str:
        """A stable hash of everything that decides the result set and its order."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:32]

    def audit_details(self) -> dict[str, Any]:
        """The criteria for the audit log. Phone numbers, attribute values and words
        searched are personal: the audit service seals them (portal.audit.personal)."""
        return {k: v for k, v in self.to_dict().items() if v not in (None, "", [], [[], [], [], [], []])}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


# --- Shared value readers ---------------------------------------------------------


def parse_terms(text: str) -> tuple[Term, ...]:
    """Comma-separated terms; a double-quoted part is one phrase, commas inside it included.

    `"cancel my account", refund` is two terms. A term without a letter or digit is refused.
    """
    terms: list[Term] = []
    buffer: list[str] = []
    quoted = in_quotes = False

    def flush() -> None:
        nonlocal quoted
        words = " ".join("".join(buffer).split())
        if words:
            if not _WORD.search(words):
                raise CriteriaError(_("Search term %(term)s has no letters or digits.") % {"term": words})
            terms.append(Term(words, phrase=quoted and " " in words))
        elif quoted:
            raise CriteriaError(_("Empty quoted phrase in the search text."))
        buffer.clear()
        quoted = False

    for char in text:
        if char == '"':
            in_quotes, quoted = not in_quotes, True
        elif char == "," and not in_quotes:
            flush()
        else:
            buffer.append(char)
    flush()
    return tuple(terms)


def parse_time(value: Any, name: str) -> datetime:
    """ISO 8601 (offset or Z; none means UTC) or epoch seconds, as boto3 sends them."""
    if isinstance(value, bool):
        raise CriteriaError(_("%(name)s is not a time.") % {"name": name})
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise CriteriaError(_("%(name)s is out of range.") % {"name": name}) from None
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return parse_time(float(text), name)
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise CriteriaError(_("%(name)s is not an ISO 8601 time or epoch seconds.") % {"name": name}) from None
        return _in_utc(parsed)
    raise CriteriaError(_("%(name)s is not a time.") % {"name": name})


def _in_utc(moment: datetime) -> datetime:
    """UTC, which PostgreSQL takes at any offset (it refuses offsets past 15:59); a time
    that leaves Python's years 1-9999 on the way is clamped to the nearest end."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return (datetime.min if moment.year == 1 else datetime.max).replace(tzinfo=UTC)


def resource_id(value: str) -> str:
    """A Connect id given as itself or as an ARN."""
    return value.rsplit("/", 1)[-1] if value.startswith("arn:") else value


def phone_e164(value: str, name: str) -> str:
    """The number's search form: E.164, or the digits of a number that does not parse."""
    form = phone_search_form(value)
    if form is None:
        raise CriteriaError(_("%(name)s is not a phone number.") % {"name": name})
    return form


def _check_range(low: float | None, high: float | None, name: str, lowest: float, highest: float) -> None:
    for value in (low, high):
        if value is not None and not lowest <= value <= highest:
            raise CriteriaError(
                _("%(name)s must be between %(low)s and %(high)s.") % {"name": name, "low": lowest, "high": highest}
            )
    if low is not None and high is not None and low > high:
        raise CriteriaError(_("%(name)s: the minimum is above the maximum.") % {"name": name})


def validate(criteria: SearchCriteria) -> SearchCriteria:
    """Checks both parsers share: ranges, ordering, sentiment bounds."""
    if criteria.start and criteria.end and criteria.start >= criteria.end:
        raise CriteriaError(_("The start time must be before the end time."))
    _check_range(criteria.min_duration, criteria.max_duration, "Duration", 0, 10**9)
    _check_range(criteria.interruptions_min, criteria.interruptions_max, "Interruptions", 0, 10**6)
    if criteria.non_talk:
        nt = criteria.non_talk
        _check_range(nt.min_ms, nt.max_ms, "NonTalkTime", 0, 10**10)
        _check_range(nt.min_percent, nt.max_percent, "NonTalkTime percent", 0, 100)
    if criteria.sentiment:
        s = criteria.sentiment
        _check_range(s.min, s.max, "Sentiment", -5, 5)
        _check_range(s.begin_min, s.begin_max, "Sentiment begin", -5, 5)
        _check_range(s.end_min, s.end_max, "Sentiment end", -5, 5)
    return criteria


def criteria_from_dict(data: dict[str, Any]) -> SearchCriteria:
    """Rebuild criteria from `SearchCriteria.to_dict()` (used by tokens and tests)."""
    values = dict(data)
    for key in ("start", "end"):
        if values.get(key):
            values[key] = datetime.fromisoformat(values[key])
    nested = {
        "transcript": lambda items: tuple(
            TextCriterion(tuple(i["roles"]), tuple(Term(**t) for t in i["terms"]), i["match"]) for i in items
        ),
        "sentiment": lambda v: SentimentCriterion(**v),
        "non_talk": lambda v: NonTalkCriterion(**v),
        "categories": lambda v: CategoryCriterion(tuple(v["names"]), v["match"]),
        "attributes": lambda items: tuple(AttributeCriterion(i["key"], tuple(i["values"])) for i in items),
        "hierarchy": lambda levels: tuple(tuple(level) for level in levels),
    }
    for key, build in nested.items():
        if values.get(key) is not None:
            values[key] = build(values[key])
    for f in dataclasses.fields(SearchCriteria):
        if isinstance(values.get(f.name), list):
            values[f.name] = tuple(values[f.name])
    return SearchCriteria(**values)
