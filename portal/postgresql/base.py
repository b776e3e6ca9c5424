"""Django's PostgreSQL backend, with its connection health check bounded in time.

Django checks a kept connection with `SELECT 1` before a request's first query,
straight through psycopg (no execute wrapper sees it). On a server that stopped
answering that check would wait for ever; here it gives up after
`DB_HEALTH_CHECK_SECONDS`, the connection is dropped, and reconnecting is bounded by
`DB_CONNECT_TIMEOUT` (see `portal.db_watchdog`).
"""

from __future__ import annotations

from django.conf import settings
from django.db.backends.postgresql import base

from portal import db_watchdog


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None:
            return False
        with db_watchdog.bounded(self.connection, settings.DB_HEALTH_CHECK_SECONDS):
            return super().is_usable()
