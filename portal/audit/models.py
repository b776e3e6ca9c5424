"""The append-only audit log. PostgreSQL itself refuses UPDATE and DELETE on it
(see the migration's trigger); only the retention purge may delete old rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # No database constraint: deleting a user must not need to touch (and so update) the log.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    contact_id = models.CharField(max_length=64, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True)
    # What is not personal, readable; personal values are sealed apart (see personal.py).
    details = models.JSONField(default=dict)
    personal = models.BinaryField(null=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["actor", "-at"], name="audit_actor")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.contact_id}"

    def readable_details(self) -> dict:
        """The details with their personal values decrypted: only for readers of the log."""
        from portal.audit.personal import merge, unseal

        personal = unseal(self.personal, action=self.action, contact_id=self.contact_id)
        return merge(self.details, personal) if personal else self.details
