"""The Celery application. Periodic tasks are declared here, in one place."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "poll-connect-s3": {
        "task": "search.tasks.poll_sources",
        "schedule": float(os.environ.get("INGEST_POLL_SECONDS", "60")),
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
