"""The active filters of a search, each as a chip that links to the same search without it.

A chip stands for one value the user chose (one channel, one queue, the words). Settings
that only qualify a filter (who said the words, match any or all) are part of its chip's
label and go away with the last chip that uses them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hierarchy.models import Agent
from search.criteria import MATCH_ANY
from search.forms import ATTRIBUTE_ROWS, SearchForm

# Query keys that shape the page, not the result set: they never make a chip and stay.
_KEPT = ("sort", "order", "page_size")
_SENTIMENT_SCORE = ("sentiment_min", "sentiment_max")
_SENTIMENT_SHIFT = ("sentiment_begin_min", "sentiment_begin_max", "sentiment_end_min", "sentiment_end_max")
_ATTRIBUTES = tuple(f"attr_{part}_{row}" for row in range(1, ATTRIBUTE_ROWS + 1) for part in ("key", "value"))
# Filter keys, and the keys that only qualify them (dropped once none of the filters is left).
_QUALIFIED = (
    (("keywords",), ("keyword_roles", "keyword_match")),
    (_SENTIMENT_SCORE + _SENTIMENT_SHIFT, ("sentiment_role", "sentiment_type")),
    (("categories",), ("category_match",)),
    (_ATTRIBUTES, ("attribute_match",)),
)
_MULTIPLE = (
    "channel", "initiation_method", "disconnect_reason", "agent", "queue", "routing_profile", "recording_status",
    *(f"hierarchy_l{level}" for level in range(1, 6)),
)  # fmt: skip
_SINGLE = (
    "contact_id", "customer_phone", "system_phone", "min_duration", "max_duration", "has_recording",
    "non_talk_min_seconds", "non_talk_max_seconds", "non_talk_min_percent", "non_talk_max_percent",
    "interruptions_min", "interruptions_max",
)  # fmt: skip


@dataclass(frozen=True)
class Chip:
    label: str
    query: str  # the search without this filter


def filter_chips(form: SearchForm, params: QueryDict) -> list[Chip]:
    """The chips of a valid bound form, in the order of the form's fields."""
    if not form.is_bound or not form.is_valid():
        return []
    cleaned = form.cleaned_data
    chips = _time_chips(form, cleaned, params)
    agents = _agent_names(cleaned.get("agent") or ())
    for name in _MULTIPLE:
        names = agents if name == "agent" else dict(form.fields[name].choices)
        for value in cleaned.get(name) or ():
            label = f"{_field_label(form, name)}: {names.get(value, value)}"
            chips.append(Chip(label, _without(params, name, value)))
    for name in _SINGLE:
        value = cleaned.get(name)
        if value not in (None, ""):
            shown = dict(form.fields[name].choices).get(value, value) if name == "has_recording" else value
            shown = f"{shown:g}" if isinstance(shown, float) else shown
            chips.append(Chip(f"{_field_label(form, name)}: {shown}", _without(params, name)))
    chips += _keyword_chips(form, cleaned, params)
    chips += _sentiment_chips(form, cleaned, params)
    chips += _category_chips(form, cleaned, params)
    chips += _attribute_chips(cleaned, params)
    return chips


def clear_query(params: QueryDict) -> str:
    """The page's own settings (sort, rows per page) without any filter."""
    return _encode({k: v for k, v in params.lists() if k in _KEPT})


def _field_label(form: SearchForm, name: str) -> str:
    if name.startswith("hierarchy_l"):
        return _("Agent hierarchy")
    return str(form.fields[name].label)


def _agent_names(agent_ids) -> dict[str, str]:
    if not agent_ids:
        return {}
    return dict(Agent.objects.filter(agent_id__in=agent_ids).values_list("agent_id", "username"))


def _time_chips(form: SearchForm, cleaned: dict, params: QueryDict) -> list[Chip]:
    time_type = cleaned.get("time_type") or "INITIATION_TIMESTAMP"
    kind = dict(form.fields["time_type"].choices).get(time_type, time_type)
    if time_type != "INITIATION_TIMESTAMP" and not (cleaned.get("start") or cleaned.get("end")):
        # On its own the timestamp type still filters: contacts that have that timestamp.
        return [Chip(f"{form.fields['time_type'].label}: {kind}", _without(params, "time_type"))]
    chips = []
    for name, text in (("start", _("%(time)s from %(value)s")), ("end", _("%(time)s until %(value)s"))):
        if value := cleaned.get(name):
            shown = date_format(timezone.localtime(value), "Y-m-d H:i")
            chips.append(Chip(text % {"time": kind, "value": shown}, _without(params, name)))
    return chips


def _keyword_chips(form: SearchForm, cleaned: dict, params: QueryDict) -> list[Chip]:
    if not cleaned.get("keywords"):
        return []
    roles = dict(form.fields["keyword_roles"].choices)
    parts = [f"{form.fields['keywords'].label}: {cleaned['keywords']}"]
    if cleaned.get("keyword_roles"):
        parts.append(", ".join(str(roles[r]) for r in cleaned["keyword_roles"]))
    if (cleaned.get("keyword_match") or MATCH_ANY) != MATCH_ANY:
        parts.append(str(dict(form.fields["keyword_match"].choices)[cleaned["keyword_match"]]))
    return [Chip(" · ".join(parts), _without(params, "keywords"))]


def _sentiment_chips(form: SearchForm, cleaned: dict, params: QueryDict) -> list[Chip]:
    # Only the bounds the search uses: a shift search ignores the overall score, and so on.
    used = _SENTIMENT_SHIFT if cleaned.get("sentiment_type") == "SHIFT" else _SENTIMENT_SCORE
    role = dict(form.fields["sentiment_role"].choices).get(cleaned.get("sentiment_role") or "CUSTOMER")
    chips = []
    for name in used:
        if (value := cleaned.get(name)) is not None:
            label = _("%(role)s sentiment – %(bound)s: %(value)s") % {
                "role": role,
                "bound": form.fields[name].label,
                "value": f"{value:g}",
            }
            chips.append(Chip(label, _without(params, name)))
    return chips


def _category_chips(form: SearchForm, cleaned: dict, params: QueryDict) -> list[Chip]:
    names = [n.strip() for n in (cleaned.get("categories") or "").split(",") if n.strip()]
    if not names:
        return []
    label = f"{form.fields['categories'].label}: {', '.join(names)}"
    if (match := cleaned.get("category_match")) and match != MATCH_ANY:
        label += f" · {dict(form.fields['category_match'].choices)[match]}"
    return [Chip(label, _without(params, "categories"))]


def _attribute_chips(cleaned: dict, params: QueryDict) -> list[Chip]:
    chips = []
    for row in range(1, ATTRIBUTE_ROWS + 1):
        key, value = (cleaned.get(f"attr_key_{row}") or "").strip(), cleaned.get(f"attr_value_{row}")
        if key and value:
            chips.append(Chip(f"{key} = {value}", _without(params, f"attr_key_{row}", None, f"attr_value_{row}")))
    return chips


def _without(params: QueryDict, name: str, value: str | None = None, *also: str) -> str:
    """The query without `name` (or only its `value`), nor paging, nor qualifiers left alone."""
    kept = {k: list(v) for k, v in params.lists() if k not in ("page_token", "shown", *also)}
    if value is None:
        kept.pop(name, None)
    else:
        kept[name] = [v for v in kept.get(name, []) if v != value]
    for filters, qualifiers in _QUALIFIED:
        if not any(v.strip() for f in filters for v in kept.get(f, [])):
            for qualifier in qualifiers:
                kept.pop(qualifier, None)
    return _encode(kept)


def _encode(values: dict[str, list[str]]) -> str:
    query = QueryDict(mutable=True)
    for key, items in values.items():
        if any(v.strip() for v in items):
            query.setlist(key, [v for v in items if v.strip()])
    return query.urlencode()
