"""Schemathesis hooks for tests/api/test_schemathesis.py, loaded by the `schemathesis`
command through SCHEMATHESIS_HOOKS (a separate process: no Django here).

JSON Schema cannot compare two fields, so the rules the OpenAPI document states in
words are applied here: for SearchContacts, StartTime before EndTime, each minimum at
or below its maximum, attribute keys an administrator made searchable, and NextToken
values the server issued; for the transcript and the download, a reason with
version=original. Phone numbers come from `phonenumbers`' examples (the document's
`phone-number` format). Everything else comes from the document alone.

Stateful scenarios start from a search that finds the seeded contacts, and follow the
document's links from there (to the contact, its transcript, a recording fetch, the
fetch job and the download).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import schemathesis

_SEARCH = "POST /api/v1/search-contacts"
# Bulk actions take SearchContacts' criteria, with the same rules between fields.
_BULK = ("POST /api/v1/bulk-actions", "POST /api/v1/bulk-downloads")
SEARCHABLE_KEYS = set(filter(None, os.environ.get("FUZZ_SEARCHABLE_KEYS", "").split(",")))
_ISSUED_TOKENS: set[str] = set()
_PAIRS = (
    ("SearchCriteria", ("MinDurationSeconds", "MaxDurationSeconds")),
    ("Sentiment", ("Min", "Max")),
    ("Sentiment", ("BeginMin", "BeginMax")),
    ("Sentiment", ("EndMin", "EndMax")),
    ("NonTalkTime", ("MinMillis", "MaxMillis")),
    ("NonTalkTime", ("MinPercent", "MaxPercent")),
    ("Interruptions", ("Min", "Max")),
)


def _time(value: Any) -> datetime:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ordered(low: Any, high: Any) -> bool:
    return low is None or high is None or low <= high


def _search_request_follows_the_document(body: dict) -> bool:
    time_range = body.get("TimeRange") or {}
    if "StartTime" in time_range and "EndTime" in time_range:
        if not _time(time_range["StartTime"]) < _time(time_range["EndTime"]):
            return False
    criteria = body.get("SearchCriteria") or {}
    for holder, (low, high) in _PAIRS:
        values = criteria if holder == "SearchCriteria" else criteria.get(holder) or {}
        if not _ordered(values.get(low), values.get(high)):
            return False
    attributes = (criteria.get("SearchableContactAttributes") or {}).get("Criteria") or []
    if any(item.get("Key") not in SEARCHABLE_KEYS for item in attributes):
        return False
    return "NextToken" not in body or body["NextToken"] in _ISSUED_TOKENS


_NEEDS_A_REASON = {
    "GET /api/v1/contacts/{ContactId}/transcript",
    "GET /api/v1/contacts/{ContactId}/recording/download",
}


def _reason_given(query: dict) -> bool:
    version = str(query.get("version") or "").strip().lower()
    return version != "original" or bool(str(query.get("reason") or "").strip())


def _search_starts_scenarios(schema) -> None:
    """SearchContacts' optional InstanceId is always the portal's own instance, never a
    resource to obtain first. Left as a dependency, it makes the search a poor starting
    point for stateful scenarios, which then start from random contact ids instead. (Done
    once the run has begun: the graph is built lazily, before the stateful phase.)"""
    node = schema.analysis.dependency_graph.operations.get(_SEARCH)
    if node is not None:
        node.inputs = [slot for slot in node.inputs if slot.resource_field != "InstanceId"]


_ADJUSTED: set[int] = set()


@schemathesis.hook
def filter_case(context, case) -> bool:
    """Applied in every phase (coverage, fuzzing and stateful alike)."""
    if id(case.operation.schema) not in _ADJUSTED:
        _ADJUSTED.add(id(case.operation.schema))
        _search_starts_scenarios(case.operation.schema)
    label = case.operation.label
    try:
        if label in (_SEARCH, *_BULK) and isinstance(case.body, dict):
            return _search_request_follows_the_document(case.body)
        if label in _NEEDS_A_REASON and isinstance(case.query, dict):
            return _reason_given(case.query)
    except (AttributeError, TypeError, ValueError, OverflowError, OSError):
        pass  # not the document's shape at all: a negative case, left as generated
    return True


# Covers every seeded contact (November 2026).
_BROAD_RANGE = {"Type": "INITIATION_TIMESTAMP", "StartTime": "2000-01-01T00:00:00Z", "EndTime": "2100-01-01T00:00:00Z"}


@schemathesis.hook
def map_case(context, case):
    """A stateful scenario starts from a search that finds the seeded contacts, so its
    links lead to real contacts and jobs: a random search almost always finds nothing,
    and the fuzzing phase has already sent those."""
    meta = case.meta
    if (
        meta is not None
        and meta.phase.name == "stateful"
        and meta.generation.mode.is_positive
        and case.operation.label == _SEARCH
        and isinstance(case.body, dict)
    ):
        case.body = {key: case.body[key] for key in ("MaxResults", "Sort") if key in case.body}
        case.body["TimeRange"] = dict(_BROAD_RANGE)
    return case


def _phone_numbers():
    import phonenumbers
    from hypothesis import strategies as st

    regions = ("JP", "US", "GB", "DE", "AU", "SG")
    kinds = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)
    examples = [phonenumbers.example_number_for_type(region, kind) for region in regions for kind in kinds]
    formats = (phonenumbers.PhoneNumberFormat.E164, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return st.sampled_from([phonenumbers.format_number(n, f) for n in examples if n for f in formats])


schemathesis.openapi.format("phone-number", _phone_numbers())


@schemathesis.hook
def after_call(context, case, response) -> None:
    if case.operation.label == _SEARCH and response.status_code == 200:
        token = response.json().get("NextToken")
        if token:
            _ISSUED_TOKENS.add(token)
