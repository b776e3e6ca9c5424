"""The test worker's Celery app, with a pause per bulk deletion item (TEST_BULK_ITEM_DELAY)
and one item a batch, so a test can kill the worker in the middle of a job."""

from __future__ import annotations

import os
import time

from tests.recordings.worker_app import app

__all__ = ["app"]

_delay = float(os.environ.get("TEST_BULK_ITEM_DELAY", "0") or 0)
if _delay:
    from celery.signals import worker_process_init

    @worker_process_init.connect
    def _slow_bulk_items(**kwargs) -> None:
        # Patched in each pool process, once Django is set up.
        from bulk import services

        delete_batch = services._delete_batch

        def slow_delete_batch(job, items):
            time.sleep(_delay * len(items))
            return delete_batch(job, items)

        # One contact a batch, so the job is still half-done when the test kills it.
        services.BATCH = 1
        services._delete_batch = slow_delete_batch
