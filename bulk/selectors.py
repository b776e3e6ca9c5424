"""Reads for bulk actions: which contacts a search gives a user, and the jobs they own.

SECURITY: the contacts come from `search.selectors.search_queryset`, which starts from
`Contact.objects.visible_to(user)`, with the very criteria the search page and
`SearchContacts` use, so a bulk action touches exactly what the search shows.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, QuerySet

from bulk.models import BulkAction, BulkActionItem
from search.criteria import SearchCriteria
from search.models import Contact
from search.selectors import count_capped, search_queryset
from search.selectors.limits import too_slow_is_refused
from search.selectors.paging import ordered_walks, sort_spec


def bulk_limit() -> int:
    """At most this many contacts per bulk action (never more than a search shows)."""
    return max(1, min(settings.BULK_ACTION_MAX_CONTACTS, settings.SEARCH_RESULT_CAP))


def bulk_count(*, user, criteria: SearchCriteria) -> tuple[int, bool]:
    """How many contacts the search finds, exact up to the bulk limit; `(limit, True)` beyond it."""
    with too_slow_is_refused(), transaction.atomic():
        _statement_timeout()
        return count_capped(search_queryset(user=user, criteria=criteria, for_count=True), bulk_limit())


def bulk_contact_ids(*, user, criteria: SearchCriteria, limit: int) -> list[str]:
    """The ids of the contacts the search shows, in its order, at most `limit`."""
    matching = search_queryset(user=user, criteria=criteria)
    found: list[str] = []
    with too_slow_is_refused(), transaction.atomic():
        _statement_timeout()
        for walk in ordered_walks(matching, sort_spec(criteria), None):
            found += walk.values_list("contact_id", flat=True)[: limit - len(found)]
            if len(found) >= limit:
                break
    return found


def _statement_timeout() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(settings.EXPORT_STATEMENT_TIMEOUT_MS)])


def bulk_contacts(*, user, contact_ids: list[str]) -> QuerySet:
    """SECURITY: the named contacts, only those still in the user's scope, with the rows
    the recording services read."""
    return (
        Contact.objects.visible_to(user)
        .filter(contact_id__in=contact_ids)
        .select_related("recording", "analysis")
        .defer("raw_enc", "attributes_enc", "transferred_to_enc")
    )


def bulk_action_for_user(user, bulk_action_id) -> BulkAction | None:
    """A job, only for the user who started it (anything else is "no such job")."""
    try:
        pk = uuid.UUID(str(bulk_action_id))
    except ValueError:
        return None
    return BulkAction.objects.filter(pk=pk, user=user).first()


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    outcomes: dict[str, int]

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.done / self.total)


def bulk_progress(bulk_action: BulkAction) -> Progress:
    counts = Counter(
        {row["outcome"]: row["n"] for row in bulk_action.items.values("outcome").annotate(n=Count("id")).order_by()}
    )
    pending = counts.pop("", 0)
    return Progress(total=bulk_action.total, done=bulk_action.total - pending, outcomes=dict(counts))


def bulk_items(bulk_action: BulkAction, *, limit: int | None = None) -> QuerySet:
    items = BulkActionItem.objects.filter(bulk_action=bulk_action).order_by("position")
    return items[:limit] if limit else items
