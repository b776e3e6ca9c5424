"""Celery entry point for bulk deletions: a thin wrapper that takes an id.

Late acknowledgement and reject-on-worker-lost (settings) bring the message back when a
worker dies mid-job; the service claims the job with a conditional UPDATE and does only
the items without an outcome, so a second delivery resumes instead of repeating.
"""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings

from bulk import services
from recordings.tasks import TRANSIENT


class _BulkDeletionTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # Retries exhausted (or a bug): the job page must say so, not spin.
        if args:
            services.bulk_deletion_give_up(bulk_action_id=args[0])


@shared_task(
    base=_BulkDeletionTask,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=settings.RECORDING_DELETE_RETRY_BACKOFF,
    retry_backoff_max=settings.RECORDING_DELETE_RETRY_MAX_SECONDS,
    max_retries=8,
)
def run_bulk_deletion(bulk_action_id: str) -> str | None:
    return services.bulk_deletion_run(bulk_action_id=bulk_action_id)
