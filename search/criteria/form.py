"""Reading the search page's form (`search.forms.SearchForm`, already typed)."""

from __future__ import annotations

from typing import Any

from search.criteria.model import (
    DESCENDING,
    MATCH_ALL,
    MATCH_ANY,
    AttributeCriterion,
    CategoryCriterion,
    NonTalkCriterion,
    SearchCriteria,
    SentimentCriterion,
    TextCriterion,
    parse_terms,
    validate,
)  # fmt: skip


def _blank_to_none(value: Any) -> Any:
    return None if value in ("", None) else value


def criteria_from_form(cleaned: dict[str, Any]) -> SearchCriteria:
    """Build criteria from `search.forms.SearchForm.cleaned_data` (already typed)."""
    get = cleaned.get
    values: dict[str, Any] = {
        "time_type": get("time_type") or "INITIATION_TIMESTAMP",
        "start": get("start"),
        "end": get("end"),
        "contact_id": (get("contact_id") or "").strip(),
        "channels": tuple(get("channel") or ()),
        "initiation_methods": tuple(get("initiation_method") or ()),
        "disconnect_reasons": tuple(get("disconnect_reason") or ()),
        "agent_ids": tuple(get("agent") or ()),
        "hierarchy": tuple(tuple(get(f"hierarchy_l{level}") or ()) for level in range(1, 6)),
        "queue_ids": tuple(get("queue") or ()),
        "routing_profile_ids": tuple(get("routing_profile") or ()),
        "customer_phone": get("customer_phone") or "",
        "system_phone": get("system_phone") or "",
        "min_duration": _blank_to_none(get("min_duration")),
        "max_duration": _blank_to_none(get("max_duration")),
        "has_recording": {"yes": True, "no": False}.get(get("has_recording") or ""),
        "recording_statuses": tuple(get("recording_status") or ()),
        "interruptions_min": _blank_to_none(get("interruptions_min")),
        "interruptions_max": _blank_to_none(get("interruptions_max")),
        "sort_field": get("sort") or "INITIATION_TIMESTAMP",
        "sort_order": get("order") or DESCENDING,
    }
    if get("keywords"):
        values["transcript"] = (
            TextCriterion(
                tuple(get("keyword_roles") or ()), parse_terms(get("keywords")), get("keyword_match") or MATCH_ANY
            ),
        )
    values["sentiment"] = _form_sentiment(cleaned)
    values["non_talk"] = _form_non_talk(cleaned)
    if names := [n.strip() for n in (get("categories") or "").split(",") if n.strip()]:
        values["categories"] = CategoryCriterion(tuple(dict.fromkeys(names)), get("category_match") or MATCH_ANY)
    attributes = [
        AttributeCriterion(key, (value,)) for key, value in get("attributes") or () if key and value is not None
    ]
    if attributes:
        values["attributes"] = tuple(attributes)
        values["attributes_match"] = get("attribute_match") or MATCH_ALL
    return validate(SearchCriteria(**values))


def _form_sentiment(cleaned: dict[str, Any]) -> SentimentCriterion | None:
    bounds = {
        name: _blank_to_none(cleaned.get(f"sentiment_{name}"))
        for name in ("min", "max", "begin_min", "begin_max", "end_min", "end_max")
    }
    kind = cleaned.get("sentiment_type") or "SCORE"
    used = ("min", "max") if kind == "SCORE" else ("begin_min", "begin_max", "end_min", "end_max")
    if all(bounds[name] is None for name in used):
        return None
    return SentimentCriterion(
        role=cleaned.get("sentiment_role") or "CUSTOMER", kind=kind, **{name: bounds[name] for name in used}
    )


def _form_non_talk(cleaned: dict[str, Any]) -> NonTalkCriterion | None:
    seconds = [_blank_to_none(cleaned.get(f"non_talk_{edge}_seconds")) for edge in ("min", "max")]
    percent = [_blank_to_none(cleaned.get(f"non_talk_{edge}_percent")) for edge in ("min", "max")]
    if all(v is None for v in seconds + percent):
        return None
    millis = [None if s is None else int(s * 1000) for s in seconds]
    return NonTalkCriterion(millis[0], millis[1], percent[0], percent[1])
