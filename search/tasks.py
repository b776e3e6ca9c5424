"""Periodic ingestion, retention and upkeep (scheduled in portal/celery.py)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from search.ingest.runner import IngestRun
from search.ingest.sources import SourceUnreadable
from search.retention import contacts_purge_expired
from search.scope_copies import scope_copies_repair

log = logging.getLogger(__name__)

_POLL_LOCK = "search:poll-lock"


def poll_source_uris() -> list[str]:
    return [settings.CTR_SOURCE, f"s3://{settings.CONNECT_BUCKET}/{settings.ANALYSIS_PREFIX}"]


@shared_task(ignore_result=True)
def poll_sources() -> dict:
    """Read new objects under CTR_SOURCE and the Analysis/ prefix. One poll at a time:
    a slow poll must not overlap the next beat."""
    if not cache.add(_POLL_LOCK, "1", timeout=15 * 60):
        return {"skipped": "another poll is running"}
    try:
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
    finally:
        cache.delete(_POLL_LOCK)


@shared_task(ignore_result=True)
def purge_expired_contacts() -> int:
    return contacts_purge_expired()


@shared_task(ignore_result=True)
def repair_scope_copies() -> int:
    repaired = scope_copies_repair()
    if repaired:
        log.warning("search documents with stale scope copies repaired: %d", repaired)
    return repaired
