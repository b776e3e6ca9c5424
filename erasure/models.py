"""Erasures of one customer's personal data, their per-contact progress and what each removed.

The customer's number is never stored: an erasure keeps only its blind index (the same
keyed hash contacts are searched by) while it runs, and forgets even that when it ends.
Each contact of the erasure has a row of its own, so a run stopped half-way (a worker
killed, S3 down) continues from the first contact not yet done; every S3 object version
removed is a row too, and the certificate is built from them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from portal.fields import SealedTextField


class Erasure(models.Model):
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"
    STATUSES = [(RUNNING, "Running"), (DONE, "Done"), (FAILED, "Failed")]

    # Stages of a run, in order: each is safe to repeat.
    STAGE_CONTACTS = "contacts"
    STAGE_CONTACT_RECORDS = "contact_records"
    STAGE_AUDIT = "audit"
    STAGE_FINISHED = "finished"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_username = models.CharField(max_length=150, blank=True, help_text="Empty for manage.py")
    reason = SealedTextField()
    # The customer number's blind index, cleared when the run ends.
    phone_hash = models.BinaryField(null=True)
    # CTR_SOURCE when the erasure was requested: the contact-record files it rewrites.
    ctr_source = models.CharField(max_length=2048, blank=True)
    status = models.CharField(max_length=16, choices=STATUSES, default=RUNNING)
    stage = models.CharField(max_length=32, default=STAGE_CONTACTS)
    message = models.TextField(blank=True, help_text="Why the last run stopped, if it did")
    # Which run owns the erasure: a conditional UPDATE sets it; a redelivery takes over.
    claim = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    certificate = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.pk}: {self.status}"


class ErasureContact(models.Model):
    PENDING = "PENDING"
    ERASED = "ERASED"
    SKIPPED = "SKIPPED"
    STATES = [(PENDING, "Pending"), (ERASED, "Erased"), (SKIPPED, "Skipped")]

    LEGAL_HOLD = "LEGAL_HOLD"

    erasure = models.ForeignKey(Erasure, on_delete=models.CASCADE, related_name="contacts")
    contact = models.ForeignKey("search.Contact", null=True, on_delete=models.SET_NULL, related_name="+")
    contact_id_text = models.CharField(max_length=64, db_collation="C", help_text="Connect's ContactId")
    state = models.CharField(max_length=16, choices=STATES, default=PENDING)
    why = models.CharField(max_length=32, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["erasure", "contact_id_text"], name="erasure_contact_once"),
        ]


class ErasureObject(models.Model):
    """One S3 object version removed (or, for a rewritten contact-record file, written)."""

    RECORDING = "RECORDING"
    CONTACT_RECORD_FILE = "CONTACT_RECORD_FILE"

    erasure = models.ForeignKey(Erasure, on_delete=models.CASCADE, related_name="removed_objects")
    contact_id_text = models.CharField(max_length=64, blank=True, db_collation="C")
    kind = models.CharField(max_length=32)
    bucket = models.CharField(max_length=256)
    key = models.CharField(max_length=1024)
    version_id = models.CharField(max_length=1024, blank=True)
    deleted_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            # Recorded before the version is deleted; a run repeated after a crash adds no twin.
            models.UniqueConstraint(fields=["erasure", "bucket", "key", "version_id"], name="erasure_object_once"),
        ]
