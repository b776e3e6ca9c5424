"""The Celery application. Periodic tasks are declared here, in one place."""

from __future__ import annotations

import os

import kombu.exceptions
import redis.exceptions
from celery import Celery
from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun, worker_init
from django.db import close_old_connections

from portal import worker_presence  # noqa: F401 - workers announce themselves (a signal handler)
from portal.breaker import CircuitBreaker, breaker_for

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


PUBLISH_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, ConnectionError, OSError)


class QueueUnavailable(Exception):
    """The broker did not take the message (or did not answer recently: see `portal.breaker`)."""


def broker_breaker() -> CircuitBreaker:
    return breaker_for(app.conf.broker_url)


def publish(task, args: tuple = (), **options) -> None:
    """`task.apply_async`, answering within about REDIS_SOCKET_TIMEOUT whatever the broker
    does. After a failure, publishes fail at once for REDIS_BREAKER_SECONDS, so a
    broker outage does not hold one web thread per click."""
    breaker = broker_breaker()
    if not breaker.allows():
        raise QueueUnavailable("the job queue did not answer a moment ago")
    try:
        task.apply_async(args, retry=True, **options)
    except PUBLISH_ERRORS as error:
        breaker.failed()
        raise QueueUnavailable(f"the job queue cannot be reached: {error}") from error
    breaker.succeeded()


# Celery's Django fix-up closes the database connection around every task unless told
# to reuse it, so each task would pay for a new PostgreSQL connection (~5 ms, most of a
# short task such as claiming a recording fetch). Treat tasks as Django treats web
# requests instead: keep a connection up to CONN_MAX_AGE, health-checked, and drop one
# that broke (the fix-up still recycles every 2,000 tasks).
app.conf["CELERY_DB_REUSE_MAX"] = 1000


@task_prerun.connect
@task_postrun.connect
def _recycle_database_connections(**kwargs) -> None:
    close_old_connections()


@worker_init.connect
def _patient_broker_for_workers(sender=None, **kwargs) -> None:
    """The broker's socket timeout is for web requests, which must not wait on a paused
    Redis. A worker must wait: an acknowledgement that timed out leaves its consumer
    unable to take another message until restarted, while one that waits completes when
    Redis answers again. Keepalives still end a connection to a peer that is gone."""
    options = {**(app.conf.broker_transport_options or {}), "socket_keepalive": True}
    options.pop("socket_timeout", None)
    app.conf.broker_transport_options = options


app.conf.beat_schedule = {
    "poll-connect-s3": {
        "task": "search.tasks.poll_sources",
        "schedule": float(os.environ.get("INGEST_POLL_SECONDS", "60")),
    },
    # Closes the one gap the scope-copy triggers leave (see search/scope_copies.py).
    "repair-search-scope-copies": {
        "task": "search.tasks.repair_scope_copies",
        "schedule": crontab(minute=40),
    },
    "purge-expired-contacts": {
        "task": "search.tasks.purge_expired_contacts",
        "schedule": crontab(hour=3, minute=15),
    },
    # A deletion left DELETING without a task (its message lost) is sent again.
    "resend-stalled-recording-deletions": {
        "task": "recordings.tasks.resend_stalled_deletions",
        "schedule": 300.0,
    },
    "sweep-recording-cache": {
        "task": "recordings.tasks.sweep_cache",
        "schedule": 300.0,
    },
    "purge-expired-audit-events": {
        "task": "portal.audit.tasks.purge_expired_events",
        "schedule": crontab(hour=3, minute=45),
    },
}
