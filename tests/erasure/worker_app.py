"""The portal's Celery app as the erasure tests' workers run it: the recordings tests'
knobs (a short visibility timeout), plus a delay before each object's deletion and a
smaller batch, so a test can kill a worker half-way through an erasure."""

from __future__ import annotations

import os
import time

from celery.signals import worker_process_init

from tests.recordings.worker_app import app

__all__ = ["app"]


@worker_process_init.connect
def _slow_erasures(**kwargs) -> None:
    # In each pool process, once Django is set up (the models cannot load before).
    delay = float(os.environ.get("TEST_ERASURE_DELETE_DELAY", "0") or 0)
    if not delay:
        return
    from erasure import services
    from recordings import storage

    delete_every_version = storage.delete_every_version

    def slow_delete_every_version(bucket: str, key: str) -> int:
        time.sleep(delay)
        return delete_every_version(bucket, key)

    storage.delete_every_version = slow_delete_every_version
    services.BATCH = int(os.environ.get("TEST_ERASURE_BATCH", services.BATCH))
