"""The portal's Celery app as a test worker runs it.

Two knobs, from the environment, make failures observable in test time: a shorter
broker visibility timeout (a message held by a killed worker comes back in seconds,
not an hour) and a delay per S3 chunk (so a test can kill a worker mid-fetch).
"""

from __future__ import annotations

import os
import time

from portal.celery import app

__all__ = ["app"]

_visibility = os.environ.get("TEST_VISIBILITY_TIMEOUT")
if _visibility:
    app.conf.broker_transport_options = {
        **(app.conf.broker_transport_options or {}),
        "visibility_timeout": int(_visibility),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }

_delay = float(os.environ.get("TEST_S3_CHUNK_DELAY", "0") or 0)
if _delay:
    from recordings import storage

    _read_chunks = storage.read_chunks

    def _slow_read_chunks(body, *, what, chunk_size=1024 * 1024):
        for chunk in _read_chunks(body, what=what, chunk_size=chunk_size):
            time.sleep(_delay)
            yield chunk

    storage.read_chunks = _slow_read_chunks
