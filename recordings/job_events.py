"""Telling waiting requests that a fetch job finished, without polling the database hard.

The worker sends a PostgreSQL NOTIFY after it marks a job READY or FAILED; a request
long-polling that job LISTENs and wakes at once. Notifications are a shortcut, never
the truth: the waiter re-reads the job at least every `RECHECK_SECONDS`, so a lost
notification (or a pooler that drops LISTEN) only costs latency.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection

CHANNEL = "recording_fetch_job"
RECHECK_SECONDS = 0.5
POLL_SECONDS = 0.05


def job_finished(job_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, str(job_id)])


def wait_for_job(job_id: int, seconds: float, pending: Callable[[], bool]) -> None:
    """Return once `pending()` is false, the job's notification came, or `seconds` passed."""
    deadline = time.monotonic() + seconds
    if connection.in_atomic_block:  # notifications arrive only between transactions
        return _poll(deadline, pending)
    connection.ensure_connection()
    raw = connection.connection
    raw.execute(f"LISTEN {CHANNEL}")
    try:
        while pending() and (left := deadline - time.monotonic()) > 0:
            if _notified(raw, job_id, min(left, RECHECK_SECONDS)):
                return
    finally:
        raw.execute(f"UNLISTEN {CHANNEL}")


def _notified(raw, job_id: int, timeout: float) -> bool:
    return any(note.payload == str(job_id) for note in raw.notifies(timeout=timeout))


def _poll(deadline: float, pending: Callable[[], bool]) -> None:
    while pending() and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
