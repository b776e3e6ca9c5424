"""Celery entry point of the portal's redaction: a thin wrapper taking contact ids.

Safe to run twice: a contact already redacted with this redactor from this original
is skipped, and a run that lost a race with Contact Lens or a deletion keeps nothing.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from portal.celery import QueueUnavailable
from recordings.storage import StorageError
from redaction import services

logger = logging.getLogger(__name__)

TRANSIENT = (StorageError, OperationalError, InterfaceError, QueueUnavailable)


@shared_task(
    acks_late=True, autoretry_for=TRANSIENT, retry_backoff=5, retry_backoff_max=300, max_retries=8
)  # fmt: skip
def redact_contacts(contact_ids: list[str]) -> int:
    if services.contacts_redact_fan_out(contact_ids=contact_ids):
        return 0
    outcomes = services.contacts_redact(contact_ids=contact_ids)
    made = [o for o in outcomes if not o.skipped]
    if made:
        logger.info("portal redaction: %d of %d contacts redacted", len(made), len(outcomes))
    return len(made)
