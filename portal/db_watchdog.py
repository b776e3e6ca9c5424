"""A client-side bound on waiting for PostgreSQL in a web request.

psycopg has no read timeout: once a query is sent, a server that stopped answering (a
paused process, a partition the kernel has not noticed) holds the request thread for
ever, and `statement_timeout` cannot help because the server is the one not running.
So a web request's queries are watched from one thread per process: a query still
waiting past its allowance has its socket shut down, psycopg raises `OperationalError`,
and the request answers 503 naming the database (`portal.unavailable`). Django then
drops that connection and the next request opens a new one (bounded by
`DB_CONNECT_TIMEOUT`).

The allowance is `DB_QUERY_WAIT_SECONDS`, raised for the rest of a request when it sets
a longer `statement_timeout` (searches, exports): the server's own timeout answers
first, and this only catches a server that cannot answer at all. Workers and commands
are not watched (ingest may rightly wait minutes on a merge), except for Django's
connection health check, which is a `SELECT 1` and gets `DB_HEALTH_CHECK_SECONDS`.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

GRACE_SECONDS = 2.0
TICK_SECONDS = 0.1


class _Watchdog:
    """Deadlines in a dict that request threads add to and remove from without a lock
    (single dict operations are atomic in CPython), read by one thread as a snapshot:
    a query pays a few microseconds for being watched."""

    def __init__(self) -> None:
        self._watched: dict[int, tuple[float, int]] = {}  # token -> (deadline, socket fd)
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def arm(self, fd: int, seconds: float) -> int:
        token = next(self._tokens)
        self._watched[token] = (time.monotonic() + seconds, fd)
        if self._thread is None:
            self._start()
        return token

    def disarm(self, token: int) -> None:
        self._watched.pop(token, None)

    def _start(self) -> None:
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="db-watchdog", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(TICK_SECONDS)
            now = time.monotonic()
            for token, (deadline, fd) in list(self._watched.items()):
                if deadline <= now and self._watched.pop(token, None) is not None:
                    _cut(fd)


def _cut(fd: int) -> None:
    """Shut the connection's socket down (a duplicate descriptor, so psycopg still owns
    and closes the original); its blocked read returns at once."""
    logger.warning("PostgreSQL did not answer in time; dropping the connection")
    with contextlib.suppress(OSError):
        duplicate = socket.socket(fileno=os.dup(fd))
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        finally:
            duplicate.close()


_watchdog = _Watchdog()
_request = threading.local()


def _socket_of(raw_connection) -> int | None:
    try:
        return raw_connection.pgconn.socket
    except Exception:  # noqa: BLE001 - a closed or broken connection has no socket to watch
        return None


@contextlib.contextmanager
def bounded(raw_connection, seconds: float | None) -> Iterator[None]:
    fd = _socket_of(raw_connection) if seconds else None
    if fd is None:
        yield
        return
    token = _watchdog.arm(fd, seconds)
    try:
        yield
    finally:
        _watchdog.disarm(token)


def _allowance_from(sql: str, params) -> None:
    # Searches and exports set their own statement_timeout (portal.db, search.selectors).
    if "statement_timeout" not in sql or not params:
        return
    for value in params if isinstance(params, list | tuple) else ():
        with contextlib.suppress(TypeError, ValueError):
            _request.allowance = max(_request.allowance, int(value) / 1000 + GRACE_SECONDS)
            return


def _guard(execute, sql, params, many, context):
    # On every query of a request: kept to plain calls (no context manager).
    _allowance_from(sql, params)
    fd = _socket_of(context["connection"].connection)
    if fd is None:
        return execute(sql, params, many, context)
    token = _watchdog.arm(fd, _request.allowance)
    try:
        return execute(sql, params, many, context)
    finally:
        _watchdog.disarm(token)


class DatabaseWaitLimitMiddleware:
    """Watches every query of a web request on the default database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _request.allowance = settings.DB_QUERY_WAIT_SECONDS
        try:
            with connection.execute_wrapper(_guard):
                return self.get_response(request)
        finally:
            _request.allowance = None
