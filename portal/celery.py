"""The Celery application. Periodic tasks are declared here, in one place."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

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
    "sweep-recording-cache": {
        "task": "recordings.tasks.sweep_cache",
        "schedule": 300.0,
    },
    "purge-expired-audit-events": {
        "task": "portal.audit.tasks.purge_expired_events",
        "schedule": crontab(hour=3, minute=45),
    },
}
