"""The search page's GET form. Field names are the page's query-string keys.

Every field exists for every user, so a filter typed into the URL by someone who may
not use it reaches `criteria_check_permissions` and is refused there; the template
only leaves out what the user is not allowed to use.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hierarchy.models import HierarchyGroup
from portal.phone import phone_search_form
from search.criteria import (
    ASCENDING,
    CHANNELS,
    DESCENDING,
    INITIATION_METHODS,
    MATCH_ALL,
    MATCH_ANY,
    MATCH_NONE,
    MAX_SEARCH_TEXT,
    RECORDING_STATUSES,
    SORT_FIELDS,
)
from search.labels import DISCONNECT_REASONS, choices
from search.models import Queue, RoutingProfile, SearchableAttributeKey

PAGE_SIZES = (25, 50, 100)
PATH_SEPARATOR = " › "
ATTRIBUTE_ROWS = 3
TIME_TYPE_CHOICES = [
    ("INITIATION_TIMESTAMP", _("Initiated")),
    ("CONNECTED_TO_AGENT_TIMESTAMP", _("Connected to agent")),
    ("DISCONNECT_TIMESTAMP", _("Disconnected")),
    ("SCHEDULED_TIMESTAMP", _("Scheduled")),
    ("ENQUEUE_TIMESTAMP", _("Enqueued")),
]
ROLE_CHOICES = [("AGENT", _("Agent")), ("CUSTOMER", _("Customer")), ("SYSTEM", _("System"))]
MATCH_CHOICES = [(MATCH_ANY, _("Match any")), (MATCH_ALL, _("Match all"))]
CATEGORY_MATCH_CHOICES = [*MATCH_CHOICES, (MATCH_NONE, _("Match none"))]
SENTIMENT = {"min_value": -5, "max_value": 5, "required": False, "widget": forms.NumberInput(attrs={"step": "0.1"})}


class ListField(forms.Field):
    """Several string values (repeated query keys) without a fixed choice list: agent
    ids are checked by the search itself, so a crafted value finds nothing."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(v).strip()[:256] for v in values if str(v).strip()][:100]


class PhoneField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        form = phone_search_form(value)
        if form is None:
            raise ValidationError(_("Enter a phone number, e.g. +81 3-1234-5678 or 03-1234-5678."))
        return form


class SearchForm(forms.Form):
    time_type = forms.ChoiceField(label=_("Timestamp"), choices=TIME_TYPE_CHOICES, required=False)
    start = forms.DateTimeField(
        label=_("From"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    end = forms.DateTimeField(
        label=_("To"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    contact_id = forms.CharField(label=_("Contact ID"), max_length=256, required=False)
    channel = forms.MultipleChoiceField(
        label=_("Channel"),
        choices=choices("channel", CHANNELS),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    initiation_method = forms.MultipleChoiceField(
        label=_("Initiation method"), choices=choices("initiation_method", INITIATION_METHODS), required=False
    )
    disconnect_reason = forms.MultipleChoiceField(
        label=_("Disconnect reason"), choices=choices("disconnect_reason", DISCONNECT_REASONS), required=False
    )
    agent = ListField(label=_("Agent"), required=False)
    queue = forms.MultipleChoiceField(label=_("Queue"), required=False)
    routing_profile = forms.MultipleChoiceField(label=_("Routing profile"), required=False)
    customer_phone = PhoneField(label=_("Customer phone number"), max_length=64, required=False)
    system_phone = PhoneField(label=_("System phone number"), max_length=64, required=False)
    min_duration = forms.IntegerField(label=_("Minimum duration (seconds)"), min_value=0, required=False)
    max_duration = forms.IntegerField(label=_("Maximum duration (seconds)"), min_value=0, required=False)
    has_recording = forms.ChoiceField(
        label=_("Recording"),
        choices=[("", _("Any")), ("yes", _("Has a recording")), ("no", _("No recording"))],
        required=False,
    )
    recording_status = forms.MultipleChoiceField(
        label=_("Recording status"), choices=choices("recording", RECORDING_STATUSES), required=False
    )
    keywords = forms.CharField(
        label=_("Words or phrases"),
        max_length=MAX_SEARCH_TEXT,
        required=False,
        help_text=_('Separate terms with commas; put a phrase in double quotes, e.g. "cancel my account", refund'),
    )
    keyword_roles = forms.MultipleChoiceField(
        label=_("Said by"), choices=ROLE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    keyword_match = forms.ChoiceField(
        label=_("Terms"), choices=MATCH_CHOICES, required=False, widget=forms.RadioSelect, initial=MATCH_ANY
    )
    sentiment_role = forms.ChoiceField(
        label=_("Sentiment of"), choices=[("CUSTOMER", _("Customer")), ("AGENT", _("Agent"))], required=False
    )
    sentiment_type = forms.ChoiceField(
        label=_("Sentiment"), choices=[("SCORE", _("Overall score")), ("SHIFT", _("Shift"))], required=False
    )
    sentiment_min = forms.FloatField(label=_("Score at least"), **SENTIMENT)
    sentiment_max = forms.FloatField(label=_("Score at most"), **SENTIMENT)
    sentiment_begin_min = forms.FloatField(label=_("Begins at least"), **SENTIMENT)
    sentiment_begin_max = forms.FloatField(label=_("Begins at most"), **SENTIMENT)
    sentiment_end_min = forms.FloatField(label=_("Ends at least"), **SENTIMENT)
    sentiment_end_max = forms.FloatField(label=_("Ends at most"), **SENTIMENT)
    non_talk_min_seconds = forms.FloatField(label=_("Non-talk time at least (seconds)"), min_value=0, required=False)
    non_talk_max_seconds = forms.FloatField(label=_("Non-talk time at most (seconds)"), min_value=0, required=False)
    non_talk_min_percent = forms.FloatField(
        label=_("Non-talk time at least (%)"), min_value=0, max_value=100, required=False
    )
    non_talk_max_percent = forms.FloatField(
        label=_("Non-talk time at most (%)"), min_value=0, max_value=100, required=False
    )
    interruptions_min = forms.IntegerField(label=_("Interruptions at least"), min_value=0, required=False)
    interruptions_max = forms.IntegerField(label=_("Interruptions at most"), min_value=0, required=False)
    categories = forms.CharField(label=_("Categories"), max_length=1000, required=False)
    category_match = forms.ChoiceField(
        label=_("Categories"), choices=CATEGORY_MATCH_CHOICES, required=False, widget=forms.RadioSelect
    )
    attribute_match = forms.ChoiceField(
        label=_("Attributes"), choices=MATCH_CHOICES[::-1], required=False, widget=forms.RadioSelect
    )
    sort = forms.ChoiceField(choices=[(f, f) for f in SORT_FIELDS], required=False, widget=forms.HiddenInput)
    order = forms.ChoiceField(
        choices=[(DESCENDING, DESCENDING), (ASCENDING, ASCENDING)], required=False, widget=forms.HiddenInput
    )
    page_size = forms.TypedChoiceField(
        label=_("Rows per page"), choices=[(n, n) for n in PAGE_SIZES], coerce=int, required=False
    )
    page_token = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue"].choices = distinct_names(Queue.objects.values_list("queue_id", "name"))
        self.fields["routing_profile"].choices = distinct_names(
            RoutingProfile.objects.values_list("routing_profile_id", "name")
        )
        self.hierarchy_groups = hierarchy_groups()
        for level in range(1, 6):
            self.fields[f"hierarchy_l{level}"] = forms.MultipleChoiceField(
                label=_("Hierarchy level %(level)d") % {"level": level},
                choices=[(g.group_id, g.label) for g in self.hierarchy_groups if g.level == level],
                required=False,
            )
        keys = list(SearchableAttributeKey.objects.values_list("key", flat=True))
        self.attribute_keys = keys
        for row in range(1, ATTRIBUTE_ROWS + 1):
            # Free text, not a choice: an unsearchable key must reach the permission check.
            self.fields[f"attr_key_{row}"] = forms.CharField(label=_("Attribute"), max_length=100, required=False)
            self.fields[f"attr_value_{row}"] = forms.CharField(label=_("Value"), max_length=100, required=False)

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["attributes"] = [
            (cleaned.get(f"attr_key_{row}", "").strip(), cleaned.get(f"attr_value_{row}", ""))
            for row in range(1, ATTRIBUTE_ROWS + 1)
            if cleaned.get(f"attr_key_{row}", "").strip() and cleaned.get(f"attr_value_{row}")
        ]
        return cleaned

    def hierarchy_chosen(self) -> set[str]:
        return {value for level in range(1, 6) for value in self[f"hierarchy_l{level}"].value() or ()}

    def attribute_rows(self) -> list[tuple]:
        return [(self[f"attr_key_{row}"], self[f"attr_value_{row}"]) for row in range(1, ATTRIBUTE_ROWS + 1)]


def distinct_names(rows) -> list[tuple[str, str]]:
    """(id, name) choices where a name shared by several resources (two "Billing" queues
    on different sites) ends with the end of its id, the part of the ARN Connect's
    console shows, so people can tell them apart."""
    rows = list(rows)
    shared = Counter(name for _, name in rows)
    return [(rid, name if shared[name] == 1 else f"{name} ({id_tail(rid)})") for rid, name in rows]


def id_tail(resource_id: str) -> str:
    """Enough of an id to tell two resources apart: Connect's ids are UUIDs, unique at the end."""
    return resource_id if len(resource_id) <= 12 else f"…{resource_id[-8:]}"


@dataclass(frozen=True)
class GroupOption:
    level: int
    group_id: str
    path: tuple[str, ...]  # names from the top of the hierarchy down to this group
    label: str  # the path as people read it; unique even where two paths are the same


def hierarchy_groups() -> list[GroupOption]:
    """Every group with a level, in tree order, named by its path (one query)."""
    rows = list(HierarchyGroup.objects.values_list("pk", "parent_id", "level", "group_id", "name"))
    parents = {pk: (parent, name) for pk, parent, _, _, name in rows}
    paths: dict[int, tuple[str, ...]] = {}

    def path(pk: int) -> tuple[str, ...]:
        if pk not in paths:
            paths[pk] = ()  # a cycle in bad data ends here
            parent, name = parents[pk]
            paths[pk] = (path(parent) if parent in parents else ()) + (name,)
        return paths[pk]

    groups = sorted(
        ((path(pk), level, group_id) for pk, _, level, group_id, _ in rows if level), key=lambda g: (g[0], g[2])
    )
    shared = Counter(p for p, _, _ in groups)
    return [
        GroupOption(level, group_id, p, PATH_SEPARATOR.join(p) + (f" ({id_tail(group_id)})" if shared[p] > 1 else ""))
        for p, level, group_id in groups
    ]


class SavedSearchForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    query = forms.CharField(max_length=8000, required=False, widget=forms.HiddenInput)


class AttributeKeyForm(forms.Form):
    key = forms.CharField(label=_("Attribute key"), max_length=256)
