"""Reading a `SearchContacts` request body (CONNECT.md §2, INTERFACES.md §4) with
Connect's validation rules and error types. An unsupported Connect key is refused
rather than ignored: ignoring a filter would silently widen the results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from search.criteria.model import (
    ASCENDING,
    CHANNELS,
    DESCENDING,
    INITIATION_METHODS,
    INVALID_REQUEST,
    MATCH_ALL,
    MATCH_ANY,
    MATCH_NONE,
    MAX_ATTRIBUTE_CRITERIA,
    MAX_ATTRIBUTE_VALUES,
    MAX_CATEGORIES,
    MAX_GROUP_IDS,
    MAX_IDS,
    MAX_SEARCH_TEXT,
    MAX_TRANSCRIPT_CRITERIA,
    NOT_FOUND,
    PARTICIPANT_ROLES,
    RECORDING_STATUSES,
    SENTIMENT_ROLES,
    SENTIMENT_TYPES,
    SORT_FIELDS,
    TIME_TYPES,
    AttributeCriterion,
    CategoryCriterion,
    CriteriaError,
    NonTalkCriterion,
    SearchCriteria,
    SentimentCriterion,
    TextCriterion,
    parse_terms,
    parse_time,
    phone_e164,
    resource_id,
    validate,
)  # fmt: skip

# Keys we implement; anything else Connect defines is refused by name.
_SUPPORTED_CRITERIA = {
    "AgentIds", "QueueIds", "Channels", "InitiationMethods", "AgentHierarchyGroups", "ContactAnalysis",
    "SearchableContactAttributes", "ContactId", "CustomerPhoneNumber", "SystemPhoneNumber", "DisconnectReasons",
    "RoutingProfileIds", "HasRecording", "RecordingStatuses", "Sentiment", "NonTalkTime", "Interruptions",
    "Categories", "MinDurationSeconds", "MaxDurationSeconds",
}  # fmt: skip
_TOP_LEVEL = {"InstanceId", "TimeRange", "SearchCriteria", "MaxResults", "NextToken", "Sort"}


@dataclass
class ApiRequest:
    criteria: SearchCriteria
    max_results: int = 100
    next_token: str | None = None


class _Reader:
    """Typed access to one JSON object, with Connect-shaped errors naming the path."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise CriteriaError(_("%(path)s must be an object.") % {"path": path}, type_=INVALID_REQUEST)
        self.data, self.path = data, path

    def name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def obj(self, key: str) -> _Reader | None:
        return _Reader(self.data[key], self.name(key)) if self.has(key) else None

    def string(self, key: str, *, max_len: int = 256, enum: tuple[str, ...] = ()) -> str | None:
        if not self.has(key):
            return None
        value = self.data[key]
        if not isinstance(value, str):
            raise CriteriaError(_("%(name)s must be a string.") % {"name": self.name(key)}, type_=INVALID_REQUEST)
        _check_string(value, self.name(key), max_len, enum)
        return value

    def strings(self, key: str, *, max_items: int = MAX_IDS, max_len: int = 256, enum: tuple[str, ...] = ()):
        if not self.has(key):
            return ()
        values = self.data[key]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise CriteriaError(
                _("%(name)s must be a list of strings.") % {"name": self.name(key)}, type_=INVALID_REQUEST
            )
        if len(values) > max_items:
            raise CriteriaError(
                _("%(name)s has more than %(count)d items.") % {"name": self.name(key), "count": max_items}
            )
        for value in values:
            _check_string(value, self.name(key), max_len, enum)
        return tuple(dict.fromkeys(values))

    def number(self, key: str, *, integer: bool = False) -> float | int | None:
        if not self.has(key):
            return None
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or (integer and value != int(value)):
            kind = _("an integer") if integer else _("a number")
            raise CriteriaError(_("%(name)s must be %(kind)s.") % {"name": self.name(key), "kind": kind})
        return int(value) if integer else float(value)

    def boolean(self, key: str) -> bool | None:
        if not self.has(key):
            return None
        if not isinstance(self.data[key], bool):
            raise CriteriaError(_("%(name)s must be true or false.") % {"name": self.name(key)}, type_=INVALID_REQUEST)
        return self.data[key]

    def objects(self, key: str, *, max_items: int) -> list[_Reader]:
        if not self.has(key):
            return []
        items = self.data[key]
        if not isinstance(items, list):
            raise CriteriaError(_("%(name)s must be a list.") % {"name": self.name(key)}, type_=INVALID_REQUEST)
        if len(items) > max_items:
            raise CriteriaError(
                _("%(name)s has more than %(count)d items.") % {"name": self.name(key), "count": max_items}
            )
        return [_Reader(item, f"{self.name(key)}[{i}]") for i, item in enumerate(items)]

    def required(self, key: str) -> None:
        if not self.has(key):
            raise CriteriaError(_("%(name)s is required.") % {"name": self.name(key)}, type_=INVALID_REQUEST)


def _check_string(value: str, name: str, max_len: int, enum: tuple[str, ...]) -> None:
    if enum and value not in enum:
        raise CriteriaError(
            _("%(name)s: %(value)s is not one of %(allowed)s.")
            % {"name": name, "value": value[:64], "allowed": ", ".join(enum)}
        )
    if len(value) > max_len:
        raise CriteriaError(_("%(name)s is longer than %(count)d characters.") % {"name": name, "count": max_len})


def criteria_from_api(body: dict) -> ApiRequest:
    """Read a `SearchContacts` request body. Raises `CriteriaError`."""
    top = _Reader(body, "")
    unknown = sorted(set(body) - _TOP_LEVEL)
    if unknown:
        raise CriteriaError(_("Unknown field %(name)s.") % {"name": unknown[0]}, type_=INVALID_REQUEST)
    _check_instance(top.string("InstanceId", max_len=512))
    search = top.obj("SearchCriteria") or _Reader({}, "SearchCriteria")
    values: dict[str, Any] = {}
    if search.has("ContactId"):
        # The portal's contact ids (and its audit log's) hold at most 64 characters.
        values["contact_id"] = search.string("ContactId", max_len=64) or ""
    if not values.get("contact_id"):
        top.required("TimeRange")
    if top.has("TimeRange"):
        values.update(_api_time_range(top.obj("TimeRange")))
    values.update(_api_search_criteria(search))
    values.update(_api_sort(top.obj("Sort")))
    max_results = top.number("MaxResults", integer=True)
    if max_results is not None and not 1 <= max_results <= 100:
        raise CriteriaError(_("MaxResults must be between 1 and 100."))
    token = top.string("NextToken", max_len=100000)
    return ApiRequest(validate(SearchCriteria(**values)), max_results or 100, token or None)


def _check_instance(instance_id: str | None) -> None:
    if not instance_id:
        return
    ours = settings.CONNECT_INSTANCE_ARN.rsplit("/", 1)[-1]
    if resource_id(instance_id) != ours:
        raise CriteriaError(_("Instance %(id)s not found.") % {"id": instance_id[:100]}, type_=NOT_FOUND, status=404)


def _api_time_range(reader: _Reader) -> dict[str, Any]:
    for key in ("Type", "StartTime", "EndTime"):
        reader.required(key)
    return {
        "time_type": reader.string("Type", enum=tuple(TIME_TYPES)),
        "start": parse_time(reader.data["StartTime"], reader.name("StartTime")),
        "end": parse_time(reader.data["EndTime"], reader.name("EndTime")),
    }


def _api_search_criteria(search: _Reader) -> dict[str, Any]:
    unsupported = sorted(set(search.data) - _SUPPORTED_CRITERIA)
    if unsupported:
        raise CriteriaError(_("SearchCriteria.%(name)s is not supported by this portal.") % {"name": unsupported[0]})
    values: dict[str, Any] = {
        "agent_ids": tuple(resource_id(v) for v in search.strings("AgentIds")),
        "queue_ids": tuple(resource_id(v) for v in search.strings("QueueIds")),
        "routing_profile_ids": tuple(resource_id(v) for v in search.strings("RoutingProfileIds")),
        "channels": search.strings("Channels", max_items=len(CHANNELS), enum=CHANNELS),
        "initiation_methods": search.strings(
            "InitiationMethods", max_items=len(INITIATION_METHODS), enum=INITIATION_METHODS
        ),
        "disconnect_reasons": search.strings("DisconnectReasons", max_items=20, max_len=64),
        "has_recording": search.boolean("HasRecording"),
        "recording_statuses": search.strings(
            "RecordingStatuses", max_items=len(RECORDING_STATUSES), enum=RECORDING_STATUSES
        ),
        "min_duration": search.number("MinDurationSeconds", integer=True),
        "max_duration": search.number("MaxDurationSeconds", integer=True),
    }
    for key, field_name in (("CustomerPhoneNumber", "customer_phone"), ("SystemPhoneNumber", "system_phone")):
        raw = search.string(key, max_len=64)
        if raw:
            values[field_name] = phone_e164(raw, search.name(key))
    if groups := search.obj("AgentHierarchyGroups"):
        values["hierarchy"] = tuple(
            tuple(resource_id(v) for v in groups.strings(f"L{level}Ids", max_items=MAX_GROUP_IDS))
            for level in range(1, 6)
        )
    values.update(_api_transcript(search.obj("ContactAnalysis")))
    values.update(_api_attributes(search.obj("SearchableContactAttributes")))
    values.update(_api_characteristics(search))
    return values


def _match_type(reader: _Reader, allowed: tuple[str, ...], default: str) -> str:
    return reader.string("MatchType", enum=allowed) or default


def _api_transcript(analysis: _Reader | None) -> dict[str, Any]:
    transcript = analysis.obj("Transcript") if analysis else None
    if transcript is None:
        return {}
    transcript.required("Criteria")
    criteria = []
    for item in transcript.objects("Criteria", max_items=MAX_TRANSCRIPT_CRITERIA):
        item.required("ParticipantRole")
        item.required("SearchText")
        role = item.string("ParticipantRole", enum=PARTICIPANT_ROLES)
        texts = item.strings("SearchText", max_items=100, max_len=MAX_SEARCH_TEXT)
        terms = tuple(term for text in texts for term in parse_terms(text))
        if not terms:
            raise CriteriaError(_("%(name)s has no search terms.") % {"name": item.name("SearchText")})
        criteria.append(TextCriterion((role,), terms, _match_type(item, (MATCH_ALL, MATCH_ANY), MATCH_ALL)))
    if not criteria:
        return {}
    return {
        "transcript": tuple(criteria),
        "transcript_match": _match_type(transcript, (MATCH_ALL, MATCH_ANY), MATCH_ALL),
    }


def _api_attributes(attributes: _Reader | None) -> dict[str, Any]:
    if attributes is None:
        return {}
    attributes.required("Criteria")
    criteria = []
    for item in attributes.objects("Criteria", max_items=MAX_ATTRIBUTE_CRITERIA):
        item.required("Key")
        item.required("Values")
        key = item.string("Key", max_len=100)
        values = item.strings("Values", max_items=MAX_ATTRIBUTE_VALUES, max_len=100)
        if not key or not values:
            raise CriteriaError(_("%(name)s needs a key and at least one value.") % {"name": item.path})
        criteria.append(AttributeCriterion(key, values))
    if not criteria:
        return {}
    return {
        "attributes": tuple(criteria),
        "attributes_match": _match_type(attributes, (MATCH_ALL, MATCH_ANY), MATCH_ALL),
    }


def _api_characteristics(search: _Reader) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if sentiment := search.obj("Sentiment"):
        sentiment.required("ParticipantRole")
        values["sentiment"] = SentimentCriterion(
            role=sentiment.string("ParticipantRole", enum=SENTIMENT_ROLES),
            kind=sentiment.string("Type", enum=SENTIMENT_TYPES) or "SCORE",
            **{
                attr: sentiment.number(key)
                for attr, key in (
                    ("min", "Min"),
                    ("max", "Max"),
                    ("begin_min", "BeginMin"),
                    ("begin_max", "BeginMax"),
                    ("end_min", "EndMin"),
                    ("end_max", "EndMax"),
                )
            },  # fmt: skip
        )
    if non_talk := search.obj("NonTalkTime"):
        values["non_talk"] = NonTalkCriterion(
            min_ms=non_talk.number("MinMillis", integer=True),
            max_ms=non_talk.number("MaxMillis", integer=True),
            min_percent=non_talk.number("MinPercent"),
            max_percent=non_talk.number("MaxPercent"),
        )
    if interruptions := search.obj("Interruptions"):
        values["interruptions_min"] = interruptions.number("Min", integer=True)
        values["interruptions_max"] = interruptions.number("Max", integer=True)
    if categories := search.obj("Categories"):
        categories.required("Names")
        names = categories.strings("Names", max_items=MAX_CATEGORIES, max_len=256)
        if names:
            values["categories"] = CategoryCriterion(
                names, _match_type(categories, (MATCH_ANY, MATCH_ALL, MATCH_NONE), MATCH_ANY)
            )
    return values


def _api_sort(sort: _Reader | None) -> dict[str, Any]:
    if sort is None:
        return {}
    sort.required("FieldName")
    sort.required("Order")
    return {
        "sort_field": sort.string("FieldName", enum=SORT_FIELDS),
        "sort_order": sort.string("Order", enum=(ASCENDING, DESCENDING)),
    }
