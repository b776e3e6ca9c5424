"""A search that runs out of time is the user's to narrow, not a server error.

Searches and exports set PostgreSQL's `statement_timeout` for their own transaction
(`SEARCH_STATEMENT_TIMEOUT_MS`, `EXPORT_STATEMENT_TIMEOUT_MS`). When it fires, the
caller gets `SearchTooSlow`, a `CriteriaError`: the page shows its message and the API
answers 400 `InvalidRequestException`. Not 503: the same request would time out again,
and AWS SDKs retry a 503 on their own, running the expensive query twice more.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError
from django.utils.translation import gettext as _

from portal.db import is_statement_timeout
from search.criteria import CriteriaError
from search.criteria.model import INVALID_REQUEST


class SearchTooSlow(CriteriaError):
    def __init__(self) -> None:
        super().__init__(
            _("This search took too long. Narrow it (a shorter time range, fewer words, more filters) and try again."),
            type_=INVALID_REQUEST,
        )


@contextmanager
def too_slow_is_refused() -> Iterator[None]:
    try:
        yield
    except OperationalError as error:
        if is_statement_timeout(error):
            raise SearchTooSlow() from error
        raise
