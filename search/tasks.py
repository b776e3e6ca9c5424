"""Periodic ingestion, retention and upkeep (scheduled in portal/celery.py)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, connection

from search.ingest.runner import IngestRun
from search.ingest.sources import SourceUnreadable
from search.retention import contacts_purge_expired
from search.scope_copies import scope_copies_repair

log = logging.getLogger(__name__)

# A PostgreSQL session lock rather than a key with an expiry: a worker killed mid-poll
# drops its session and with it the lock, so the next beat's poll runs at once instead
# of being skipped until the key expires; and a poll does not depend on Redis.
_POLL_LOCK = 0x5EA4C4_0001


@contextlib.contextmanager
def _poll_lock() -> Iterator[bool]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_POLL_LOCK])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            # A broken connection took the lock with it.
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_POLL_LOCK])


def poll_source_uris() -> list[str]:
    return [settings.CTR_SOURCE, f"s3://{settings.CONNECT_BUCKET}/{settings.ANALYSIS_PREFIX}"]


@shared_task(ignore_result=True)
def poll_sources() -> dict:
    """Read new objects under CTR_SOURCE and the Analysis/ prefix. One poll at a time:
    a slow poll must not overlap the next beat."""
    with _poll_lock() as held:
        if not held:
            return {"skipped": "another poll is running"}
        run = IngestRun()
        for uri in poll_source_uris():
            try:
                run.ingest(uri)
            except SourceUnreadable as error:
                log.warning("poll: cannot read %s", error)
        report = run.report
        if report.contacts or report.analyses or report.rejections:
            log.info("poll: %s", report.summary())
        return {"contacts": report.contacts, "analyses": report.analyses, "rejected": len(report.rejections)}


@shared_task(ignore_result=True)
def purge_expired_contacts() -> int:
    return contacts_purge_expired()


@shared_task(ignore_result=True)
def repair_scope_copies() -> int:
    repaired = scope_copies_repair()
    if repaired:
        log.warning("search documents with stale scope copies repaired: %d", repaired)
    return repaired
