"""Call recordings as Connect lists them, their lifecycle in the portal, and the jobs
that fetch them from S3 into the local cache when somebody presses play."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from portal.fields import SealedTextField
from search.models import Contact

REDACTED = "REDACTED"
ORIGINAL = "ORIGINAL"
VERSIONS = [(REDACTED, "Redacted"), (ORIGINAL, "Original")]


class Recording(models.Model):
    AVAILABLE = "AVAILABLE"
    DELETING = "DELETING"
    DELETED = "DELETED"
    STATUSES = [(AVAILABLE, "Available"), (DELETING, "Deleting"), (DELETED, "Deleted")]

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="recording")
    location = models.CharField(max_length=1024, help_text="Connect's bucket/key of the original WAV")
    status = models.CharField(max_length=16, choices=STATUSES, default=AVAILABLE)
    deletion_reason = SealedTextField(blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    deletion_requested_at = models.DateTimeField(null=True, blank=True)
    deletion_message = models.TextField(blank=True, help_text="Why the last deletion attempt has not finished")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["status"], name="recording_status")]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.status}"


class RecordingFetchJob(models.Model):
    """One fetch of one version of a recording from S3 into the local cache.

    Concurrent requests for the same (contact, version) share the live job; everyone
    who asked is a requester and may poll it.
    """

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    READY = "READY"
    FAILED = "FAILED"
    STATUSES = [(QUEUED, "Queued"), (RUNNING, "Running"), (READY, "Ready"), (FAILED, "Failed")]
    LIVE = (QUEUED, RUNNING, READY)

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="recording_fetch_jobs")
    version = models.CharField(max_length=16, choices=VERSIONS)
    status = models.CharField(max_length=16, choices=STATUSES, default=QUEUED)
    message = models.TextField(blank=True)
    bytes_done = models.BigIntegerField(default=0)
    bytes_total = models.BigIntegerField(null=True, blank=True)
    cache_path = models.CharField(max_length=1024, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requesters = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    attempts = models.PositiveIntegerField(default=0)
    claim = models.CharField(max_length=32, blank=True, help_text="Which run of the task owns the fetch")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # At most one live fetch per file, so concurrent plays share it.
            models.UniqueConstraint(
                fields=["contact", "version"],
                condition=Q(status__in=["QUEUED", "RUNNING", "READY"]),
                name="one_live_fetch_per_version",
            )
        ]
        indexes = [models.Index(fields=["status", "finished_at"], name="fetch_job_status")]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.version}: {self.status}"
