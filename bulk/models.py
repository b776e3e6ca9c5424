"""Bulk actions on a search's results: one row per request, one item per contact.

The contacts are fixed when the user confirms the count (the items), so a contact
that enters or leaves the search later is neither touched nor dropped. Items carry
their own outcome; an item without one is still to do, which is what makes a job
resumable after its worker died.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from portal.fields import SealedTextField


class BulkAction(models.Model):
    SET_LEGAL_HOLD = "SET_LEGAL_HOLD"
    CLEAR_LEGAL_HOLD = "CLEAR_LEGAL_HOLD"
    DELETE_RECORDINGS = "DELETE_RECORDINGS"
    ACTIONS = [
        (SET_LEGAL_HOLD, "Set legal hold"),
        (CLEAR_LEGAL_HOLD, "Clear legal hold"),
        (DELETE_RECORDINGS, "Delete recordings"),
    ]

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"
    STATUSES = [(QUEUED, "Queued"), (RUNNING, "Running"), (DONE, "Done"), (FAILED, "Failed")]

    # Not guessable, and not a count of how many jobs others ran.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=32, choices=ACTIONS)
    status = models.CharField(max_length=16, choices=STATUSES, default=QUEUED)
    reason = SealedTextField(blank=True)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text="Why the job has not finished, untranslated")
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "updated_at"], name="bulk_action_status")]

    def __str__(self) -> str:
        return f"{self.action} #{self.pk}: {self.status}"


class BulkActionItem(models.Model):
    # Outcomes; an empty outcome means not done yet.
    DELETED = "DELETED"
    HELD = "SKIPPED_LEGAL_HOLD"
    NO_RECORDING = "SKIPPED_NO_RECORDING"
    ALREADY_DELETED = "SKIPPED_ALREADY_DELETED"
    HOLD_SET = "LEGAL_HOLD_SET"
    HOLD_CLEARED = "LEGAL_HOLD_CLEARED"
    FAILED = "FAILED"
    OUTCOMES = [
        (DELETED, "Deleted"),
        (HELD, "Skipped: legal hold"),
        (NO_RECORDING, "Skipped: no recording"),
        (ALREADY_DELETED, "Skipped: already deleted"),
        (HOLD_SET, "Legal hold set"),
        (HOLD_CLEARED, "Legal hold cleared"),
        (FAILED, "Failed"),
    ]

    bulk_action = models.ForeignKey(BulkAction, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    # Not a foreign key: the outcome stays readable after retention purges the contact.
    contact_id = models.CharField(max_length=64)
    outcome = models.CharField(max_length=32, choices=OUTCOMES, blank=True)
    detail = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bulk_action", "contact_id"], name="one_item_per_contact"),
        ]
        indexes = [models.Index(fields=["bulk_action", "position"], name="bulk_item_order")]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.outcome or 'pending'}"
