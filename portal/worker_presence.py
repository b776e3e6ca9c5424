"""Whether a Celery worker is listening on the portal's queue, known without asking one.

Asking (Celery's ping) means publishing and waiting for replies: too slow for every
Play. Instead each worker writes a short-lived key every few seconds from a thread that
starts when the worker is ready; a killed or paused worker stops writing and its key
lapses within `PRESENCE_TTL_SECONDS`. A request reads it with one cache GET.
"""

from __future__ import annotations

import logging
import threading
import time

from celery import current_app
from celery.signals import worker_ready
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

BEAT_SECONDS = 5
PRESENCE_TTL_SECONDS = 15


def _key(queue: str) -> str:
    return f"workers:present:{queue}"


def workers_present(queue: str | None = None) -> bool:
    """False when no worker of `queue` (default: where this process publishes) has
    written its key lately, or the cache cannot say."""
    return cache.get(_key(queue or current_app.conf.task_default_queue)) is not None


def _beat(queue: str) -> None:
    while True:
        try:
            cache.set(_key(queue), time.time(), timeout=PRESENCE_TTL_SECONDS)
        except Exception as error:  # noqa: BLE001 - a missed beat only makes the worker look absent for a while
            logger.warning("cannot record worker presence: %s", error)
        time.sleep(BEAT_SECONDS)


@worker_ready.connect
def _start_presence(sender=None, **kwargs) -> None:
    queues = [queue.name for queue in sender.app.amqp.queues.consume_from.values()] if sender else []
    for queue in queues or [settings.CELERY_TASK_DEFAULT_QUEUE]:
        threading.Thread(target=_beat, args=(queue,), name=f"presence-{queue}", daemon=True).start()
