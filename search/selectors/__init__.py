"""Reading contacts for search: the page, the API and the CSV export share this code."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet, Value

from search.criteria import SearchCriteria
from search.models import Contact
from search.selectors.filters import criteria_q
from search.selectors.limits import SearchTooSlow, too_slow_is_refused  # noqa: F401 - part of the interface
from search.selectors.paging import PageState, ordered_walks, sort_spec, token_make, token_read
from search.selectors.rows import RowShape

# Intersecting a branch with transcript or analysis matches builds bitmaps of 100,000+
# rows; the default 4 MB makes them lossy and every row of a lossy page is re-checked.
SEARCH_WORK_MEM = "32MB"


def _tuned_for_rows(timeout_ms: int) -> str:
    """Settings for this transaction's row queries (they end with it); returns the
    parallel-worker setting they replace, for `_parallel_workers`.

    A row query stops after at most a page (or an export) of rows, walking an index in
    the sort order. Starting parallel workers for it costs 5-10 ms and never pays: the
    planner still picks them for keyword and attribute pages, priced as if the walk
    might read far. The statement timeout rides on the same round trip, so bounding a
    search costs nothing (see `limits`)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT before.value, set_config('work_mem', %s, true), "
            "set_config('max_parallel_workers_per_gather', '0', true), "
            "set_config('statement_timeout', %s, true) "
            # OFFSET 0 keeps the read in its own step, before the settings change.
            "FROM (SELECT current_setting('max_parallel_workers_per_gather') AS value OFFSET 0) before",
            [SEARCH_WORK_MEM, str(timeout_ms)],
        )
        return cursor.fetchone()[0]


def _parallel_workers(parallel_workers: str) -> None:
    """Back to the setting `_tuned_for_rows` replaced, before a count: it may read tens
    of thousands of rows, and parallel workers help it again."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('max_parallel_workers_per_gather', %s, true)", [parallel_workers])


# Whole contacts with their agent, queue and routing profile, for callers that read
# anything; the page, the export and the API each load only what they show.
WHOLE_ROWS = RowShape()


@dataclass
class SearchPage:
    contacts: list[Contact]
    next_token: str | None
    total_count: int
    total_capped: bool


def search_queryset(*, user, criteria: SearchCriteria, for_count: bool = False) -> QuerySet:
    """The contacts matching `criteria` that `user` may see, unordered; `for_count`
    shapes the same set for counting (see `criteria_q`)."""
    # SECURITY: always start from the user's visible contacts; filters only narrow them.
    return Contact.objects.visible_to(user).filter(criteria_q(user, criteria, by_copies=for_count))


def count_capped(queryset: QuerySet, cap: int) -> tuple[int, bool]:
    """Exact up to `cap`; beyond it, `(cap, True)`. Counting stops after cap + 1 rows.

    The inner query selects a constant, so an index holding the filtered columns can
    answer it without visiting the table."""
    found = queryset.order_by().annotate(one=Value(1)).values("one")[: cap + 1].count()
    return min(found, cap), found > cap


def contact_search(
    *, user, criteria: SearchCriteria, page_token: str | None = None, page_size: int = 25, rows: RowShape = WHOLE_ROWS
) -> SearchPage:
    cap = settings.SEARCH_RESULT_CAP
    state = token_read(page_token, user=user, criteria=criteria) if page_token else None
    served = state.served if state else 0
    wanted = max(0, min(page_size, cap - served))
    spec = sort_spec(criteria)
    matching = search_queryset(user=user, criteria=criteria)
    position = (state.value, state.pk) if state else None
    # Only reads: inside a caller's transaction (the API's, with its audit) no savepoint.
    with too_slow_is_refused(), transaction.atomic(savepoint=False):
        parallel_workers = _tuned_for_rows(settings.SEARCH_STATEMENT_TIMEOUT_MS)
        fetched: list[Contact] = []
        for walk in ordered_walks(matching, spec, position) if wanted else []:
            fetched += rows.apply(walk, spec)[: wanted + 1 - len(fetched)]
            if len(fetched) > wanted:
                break
        contacts, more = fetched[:wanted], len(fetched) > wanted
        if state:
            total, capped = state.total, state.capped
        elif not more:
            total, capped = len(contacts), False
        else:
            _parallel_workers(parallel_workers)
            total, capped = count_capped(search_queryset(user=user, criteria=criteria, for_count=True), cap)
    next_token = None
    if more and contacts and served + len(contacts) < cap:
        last = contacts[-1]
        next_state = PageState(spec.value_of(last), last.pk, served + len(contacts), total, capped)
        next_token = token_make(user=user, criteria=criteria, state=next_state)
    return SearchPage(contacts, next_token, total, capped)


def contact_export_rows(
    *, user, criteria: SearchCriteria, limit: int | None = None, rows: RowShape = WHOLE_ROWS
) -> Iterator[Contact]:
    """The first `EXPORT_ROW_CAP` matching contacts in the search's order."""
    limit = min(limit or settings.EXPORT_ROW_CAP, settings.EXPORT_ROW_CAP)
    matching = search_queryset(user=user, criteria=criteria)
    spec = sort_spec(criteria)
    with too_slow_is_refused(), transaction.atomic():
        _tuned_for_rows(settings.EXPORT_STATEMENT_TIMEOUT_MS)
        for walk in ordered_walks(matching, spec, None):
            for contact in rows.apply(walk, spec)[:limit].iterator(chunk_size=500):
                yield contact
                limit -= 1
            if limit <= 0:
                return
