"""What each result row loads."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Expression, F, QuerySet

# Joined for whole rows: the contact's agent, queue and routing profile.
ROW_RELATIONS = ("agent", "queue", "routing_profile")
# Encrypted blobs no result shows; the raw record alone is kilobytes per contact.
UNSHOWN = ("raw_enc", "attributes_enc", "transferred_to_enc")


# The sort key of a row whose key lives on a joined table, read in the same query.
SORT_VALUE = "sort_value"


@dataclass(frozen=True)
class RowShape:
    """What each result row loads. Without `fields`: whole contacts (but for blobs no
    result shows) with their agent, queue and routing profile as model instances. With
    `fields`: only those fields (plus the sort key), and `related` values of joined rows
    or expressions as plain attributes (`{"agent_username": "agent__username"}`).
    `plain` rows are named tuples of those values (with `pk`), not model instances, for
    callers that only read them.

    Building a row costs more than reading it: a page of 100 holds ~900 timestamps and
    ~400 model instances when every column and relation comes along."""

    fields: tuple[str, ...] = ()
    related: dict[str, str | Expression] = field(default_factory=dict)
    plain: bool = False

    def apply(self, queryset: QuerySet, spec) -> QuerySet:
        if not self.fields:
            return queryset.select_related(*ROW_RELATIONS).defer(*UNSHOWN)
        joined = {name: F(path) if isinstance(path, str) else path for name, path in self.related.items()}
        if self.plain:
            # The last row's sort key goes into the page token.
            if "__" in spec.path:
                joined[SORT_VALUE] = F(spec.path)
            sort_key = () if "__" in spec.path or spec.path in self.fields else (spec.path,)
            return queryset.annotate(**joined).values_list("pk", *self.fields, *sort_key, *joined, named=True)
        # The last row's sort key goes into the page token; a deferred one costs a query.
        sort_key = () if "__" in spec.path else (spec.path,)
        return queryset.only(*self.fields, *sort_key).annotate(**joined)
