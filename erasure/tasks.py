"""Celery entry point for erasures: a thin wrapper that takes an id and calls one service.

Late acknowledgement (and reject-on-worker-lost, prefetch 1, from settings): a worker
killed mid-erasure gets its message redelivered, and the redelivered run takes the
erasure over and continues from the first contact not yet done.
"""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from erasure import services
from recordings.storage import StorageError

# Worth another try: S3 or PostgreSQL not answering for a while (a restart, a failover).
TRANSIENT = (StorageError, OperationalError, InterfaceError)


class _ErasureTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # Retries exhausted (or a bug): the page must say FAILED, not spin for ever.
        if args:
            services.erasure_give_up(erasure_id=args[0], message=f"{type(exc).__name__}: {exc}")


@shared_task(
    base=_ErasureTask,
    bind=True,
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=settings.RECORDING_DELETE_RETRY_BACKOFF,
    retry_backoff_max=settings.RECORDING_DELETE_RETRY_MAX_SECONDS,
    max_retries=12,
)
def run_erasure(self, erasure_id: str) -> str | None:
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    return services.erasure_run(erasure_id=erasure_id, take_over=redelivered or self.request.retries > 0)
