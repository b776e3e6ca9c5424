"""What each result row loads."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, QuerySet

# Joined for whole rows: the contact's agent, queue and routing profile.
ROW_RELATIONS = ("agent", "queue", "routing_profile")
# Encrypted blobs no result shows; the raw record alone is kilobytes per contact.
UNSHOWN = ("raw_enc", "attributes_enc", "transferred_to_enc")


@dataclass(frozen=True)
class RowShape:
    """What each result row loads. Without `fields`: whole contacts (but for blobs no
    result shows) with their agent, queue and routing profile as model instances. With
    `fields`: only those fields (plus the sort key), and `related` values of joined rows
    as plain attributes (`{"agent_username": "agent__username"}`).

    Building a row costs more than reading it: a page of 100 holds ~900 timestamps and
    ~400 model instances when every column and relation comes along."""

    fields: tuple[str, ...] = ()
    related: dict[str, str] = field(default_factory=dict)

    def apply(self, queryset: QuerySet, spec) -> QuerySet:
        if not self.fields:
            return queryset.select_related(*ROW_RELATIONS).defer(*UNSHOWN)
        # The last row's sort key goes into the page token; a deferred one costs a query.
        sort_key = () if "__" in spec.path else (spec.path,)
        joined = {name: F(path) for name, path in self.related.items()}
        return queryset.only(*self.fields, *sort_key).annotate(**joined)
