"""Celery entry points: thin wrappers that take ids and call one service each.

Late acknowledgement, reject-on-worker-lost and prefetch 1 are set for every task in
settings, so a worker killed mid-fetch gets its message redelivered; the services
claim work with a conditional UPDATE, so a duplicate delivery does nothing.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from recordings import deletion, services
from recordings.storage import StorageError

logger = logging.getLogger(__name__)

# Worth another try: S3 or PostgreSQL not answering for a while (a restart, a failover).
TRANSIENT = (StorageError, OperationalError, InterfaceError)


class _FetchTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # Retries exhausted (or a bug): the user must see a message, not a spinner.
        if args:
            services.recording_fetch_give_up(job_id=args[0], storage_failed=isinstance(exc, StorageError))


@shared_task(
    base=_FetchTask,
    bind=True,
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=1,
    retry_backoff_max=20,
    retry_jitter=False,
    max_retries=4,
)
def fetch_recording(self, job_id: int) -> str | None:
    # A retry continues this task's own run, which a lost database connection may have
    # left RUNNING (it could not put the job back); a redelivery follows a lost worker.
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    return services.recording_fetch_run(job_id=job_id, take_over=redelivered or self.request.retries > 0)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=settings.RECORDING_DELETE_RETRY_BACKOFF,
    retry_backoff_max=settings.RECORDING_DELETE_RETRY_MAX_SECONDS,
    max_retries=12,
)
def delete_recording(contact_id: str) -> str | None:
    return services.recording_delete_run(contact_id=contact_id)


@shared_task(ignore_result=True)
def resend_stalled_deletions() -> int:
    """Beat's safety net for deletions whose message was lost (see `deletion.recording_deletions_resend`)."""
    return deletion.recording_deletions_resend(stalled_after=settings.RECORDING_DELETE_RESEND_SECONDS)


@shared_task
def sweep_cache() -> int:
    result = services.recording_cache_sweep()
    if result.removed:
        logger.info("recording cache: removed %d files, %d bytes", len(result.removed), result.freed_bytes)
    return len(result.removed)
