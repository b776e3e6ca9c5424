"""The portal's Celery app as the fault suite's workers run it: a broker visibility
timeout of seconds (a message held by a killed worker comes back in test time, not an
hour) and the slow-downs of `tests.faults.instrument`."""

from __future__ import annotations

import os

import django
from celery.signals import task_prerun

from portal.celery import app

django.setup()  # the slow-downs patch models' modules, which need the app registry

from tests.faults import instrument  # noqa: E402

__all__ = ["app"]

_visibility = int(os.environ.get("FAULT_VISIBILITY_TIMEOUT") or 0)
if _visibility:
    app.conf.broker_transport_options = {
        **(app.conf.broker_transport_options or {}),
        "visibility_timeout": _visibility,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }

instrument.install()


@task_prerun.connect
def _count_each_task_alone(**kwargs) -> None:
    instrument.reset()
