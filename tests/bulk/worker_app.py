"""The test worker's Celery app, with a pause per bulk deletion item (TEST_BULK_ITEM_DELAY)
so a test can kill the worker in the middle of a job."""

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

        delete_one = services._delete_one

        def slow_delete_one(job, item_pk, contact_id):
            time.sleep(_delay)
            return delete_one(job, item_pk, contact_id)

        services._delete_one = slow_delete_one
