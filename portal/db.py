"""Bounding how long a page may keep PostgreSQL busy.

`statement_time_limit` runs a view in one transaction with `SET LOCAL statement_timeout`
(one extra round trip), so the limit ends with the request and never reaches work that
may rightly run long on the same connection later (ingest, purges, migrations). A
statement that runs out of time answers 503 with a message instead of a server error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import psycopg.errors
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def is_statement_timeout(error: BaseException) -> bool:
    return isinstance(error.__cause__, psycopg.errors.QueryCanceled)


def set_statement_timeout(milliseconds: int) -> None:
    """For the rest of the current transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(milliseconds)])


def statement_time_limit(setting: str) -> Callable:
    """View decorator; `setting` names the limit in milliseconds (read per request)."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def bounded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                with transaction.atomic():
                    set_statement_timeout(getattr(settings, setting))
                    return view(request, *args, **kwargs)
            except OperationalError as error:
                if not is_statement_timeout(error):
                    raise
            message = _("This page took too long to load because the database is busy. Try again in a moment.")
            return render(request, "portal/too_slow.html", {"message": message}, status=503)

        return bounded

    return decorate
