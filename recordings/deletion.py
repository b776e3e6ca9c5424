"""Deleting a recording completely and provably, and the legal hold that forbids it.

A request marks the recording DELETING (visible at once) and enqueues
`recordings.tasks.delete_recording`, which removes the original WAV, the redacted WAV
and both Contact Lens files from S3 (every version and delete marker), evicts cached
copies, removes the transcript text from the database, and marks the recording
DELETED only once S3 confirms that nothing of any key is left. Running it twice is
harmless; a failure leaves DELETING and the task retries. The contact record stays.

A legal hold set after a deletion was accepted does not stop it: by then objects may
already be gone, and a half-deleted recording would be worse than either state.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.audit.services import audit_record
from portal.celery import publish
from recordings import audio_cache, storage
from recordings.models import Recording, RecordingFetchJob
from search.models import Contact, ContactAnalysis, TranscriptSearchDoc, TranscriptTurn

logger = logging.getLogger(__name__)

RESEND_AFTER_SECONDS = 60
QUEUE_DOWN = gettext_noop("The deletion could not be queued (the job queue is unreachable); it will be retried.")
DELETIONS_UNAVAILABLE = gettext_noop(
    "Deletions are unavailable right now (the job queue cannot be reached); nothing was deleted. Try again later."
)
GONE = gettext_noop("The recording has been deleted.")


class DeletionRefused(Exception):
    LEGAL_HOLD = "legal_hold"
    NO_RECORDING = "no_recording"
    REASON_REQUIRED = "reason_required"
    QUEUE_UNAVAILABLE = "queue_unavailable"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ObjectsRemain(storage.StorageError):
    """S3 still lists a version of a key we deleted; the task retries."""


def recording_delete_request(*, contact: Contact, user, reason: str, request=None) -> Recording:
    """Accept a deletion (or report one already under way). Raises `DeletionRefused`."""
    reason = (reason or "").strip()
    with transaction.atomic():
        # Lock the contact so a legal hold cannot slip in between the check and the mark.
        locked = Contact.objects.select_for_update().get(pk=contact.pk)
        recording = Recording.objects.select_for_update().filter(contact=locked).first()
        if recording is None or not recording.location:
            raise DeletionRefused(DeletionRefused.NO_RECORDING, _("This contact has no recording."))
        if recording.status == Recording.DELETED:
            return recording
        accepted = recording.status == Recording.AVAILABLE
        if accepted:
            _accept(locked, recording, user, reason, request)
        elif recording.deletion_message or recording.updated_at < timezone.now() - timedelta(
            seconds=RESEND_AFTER_SECONDS
        ):
            transaction.on_commit(lambda: _enqueue_delete(locked.contact_id))
    recording.refresh_from_db()
    if accepted and recording.status == Recording.AVAILABLE:
        raise DeletionRefused(DeletionRefused.QUEUE_UNAVAILABLE, _(DELETIONS_UNAVAILABLE))
    return recording


def _accept(contact: Contact, recording: Recording, user, reason: str, request) -> None:
    if contact.legal_hold:
        raise DeletionRefused(
            DeletionRefused.LEGAL_HOLD,
            _("This contact is on legal hold (%(reason)s); its recording cannot be deleted.")
            % {"reason": contact.legal_hold_reason or _("no reason given")},
        )
    if not reason:
        raise DeletionRefused(DeletionRefused.REASON_REQUIRED, _("Give a reason for deleting this recording."))
    recording.status = Recording.DELETING
    recording.deletion_reason = reason
    recording.deleted_by = user
    recording.deletion_requested_at = timezone.now()
    recording.deletion_message = ""
    recording.save(
        update_fields=["status", "deletion_reason", "deleted_by", "deletion_requested_at", "deletion_message",
                       "updated_at"]
    )  # fmt: skip
    audit_record(
        action="recording_delete",
        actor=user,
        request=request,
        contact_id=contact.contact_id,
        details={"stage": "requested", "reason": reason},
    )
    sent = partial(_send_accepted, contact.contact_id, recording.pk, recording.deletion_requested_at, user, request)
    transaction.on_commit(sent)


def _send_accepted(contact_id: str, recording_pk: int, requested_at: datetime, user, request) -> None:
    """Enqueue an accepted deletion, or undo the acceptance: a recording left DELETING
    with nothing queued would claim a deletion that is not happening. A message that
    reaches the queue late (a paused Redis resumes) finds AVAILABLE and does nothing."""
    if _enqueue_delete(contact_id, on_failure=None):
        return
    undone = Recording.objects.filter(
        pk=recording_pk, status=Recording.DELETING, deletion_requested_at=requested_at
    ).update(
        status=Recording.AVAILABLE, deletion_reason="", deleted_by=None, deletion_requested_at=None,
        deletion_message="", updated_at=timezone.now(),
    )  # fmt: skip
    if undone:
        audit_record(
            action="recording_delete", actor=user, request=request, contact_id=contact_id,
            details={"stage": "not_queued"},
        )  # fmt: skip


def _enqueue_delete(contact_id: str, *, on_failure: str | None = QUEUE_DOWN) -> bool:
    from recordings.services import ENQUEUE_ERRORS
    from recordings.tasks import delete_recording

    try:
        publish(delete_recording, (contact_id,))
    except ENQUEUE_ERRORS as error:
        logger.warning("cannot enqueue deletion of %s: %s", contact_id, error)
        if on_failure:
            Recording.objects.filter(contact__contact_id=contact_id, status=Recording.DELETING).update(
                deletion_message=on_failure
            )
        return False
    return True


def recording_deletions_resend(*, stalled_after: float, limit: int = 500) -> int:
    """Send again the deletions left DELETING with no attempt for `stalled_after` seconds:
    their task is gone (retries exhausted, or the queue restarted without its messages).
    A deletion that is in fact still queued runs twice, which is harmless. Returns how
    many were sent."""
    cutoff = timezone.now() - timedelta(seconds=stalled_after)
    stalled = Recording.objects.filter(status=Recording.DELETING, updated_at__lt=cutoff).order_by("updated_at")
    sent = 0
    for pk, contact_id in stalled.values_list("pk", "contact__contact_id")[:limit]:
        if not _enqueue_delete(contact_id):
            break  # the queue is down: the next beat tries again
        Recording.objects.filter(pk=pk, status=Recording.DELETING).update(updated_at=timezone.now())
        sent += 1
    if sent:
        logger.warning("sent %d stalled recording deletions again", sent)
    return sent


def storage_keys(contact: Contact, recording: Recording) -> list[tuple[str, str]]:
    """Every S3 object that holds this contact's voice or words, the portal's own
    redacted files (every run's) included. Raises `storage.StorageError` when listing
    those fails."""
    from redaction.selectors import portal_object_keys

    keys = [storage.split_location(recording.location)]
    analysis = ContactAnalysis.objects.filter(contact_id=contact.contact_id).first()
    if analysis is not None:
        for key in (analysis.redacted_audio_key, analysis.original_key, analysis.redacted_key):
            if key:
                keys.append((analysis.bucket, key))
    # The portal writes beside the analysis; the recording's bucket is listed as well.
    buckets = [analysis.bucket] if analysis is not None else []
    keys += portal_object_keys(contact_id=contact.contact_id, buckets=[*buckets, keys[0][0]])
    return list(dict.fromkeys(keys))


def recording_delete_run(*, contact_id: str) -> str | None:
    """Do the deletion; safe to run again. Returns the recording's status.
    Raises `storage.StorageError` while anything is left in S3."""
    contact = Contact.objects.filter(contact_id=contact_id).first()
    recording = Recording.objects.filter(contact=contact).first() if contact else None
    if recording is None or recording.status != Recording.DELETING:
        return recording.status if recording else None
    _stop_playback(contact)
    try:
        keys = storage_keys(contact, recording)  # lists S3: may fail like the deletes
        for bucket, key in keys:
            storage.delete_every_version(bucket, key)
        _forget_transcript(contact)
        _confirm_gone(keys)
    except storage.StorageError as error:
        # updated_at marks the attempt: a deletion still trying is not stalled.
        Recording.objects.filter(pk=recording.pk).update(deletion_message=str(error)[:500], updated_at=timezone.now())
        raise
    _stop_playback(contact)  # a fetch that finished meanwhile
    return _mark_deleted(contact, recording, len(keys))


def _stop_playback(contact: Contact) -> None:
    RecordingFetchJob.objects.filter(contact=contact, status__in=RecordingFetchJob.LIVE).update(
        status=RecordingFetchJob.FAILED, message=GONE, finished_at=timezone.now()
    )
    audio_cache.evict(contact.contact_id)


def _forget_transcript(contact: Contact) -> None:
    with transaction.atomic():
        TranscriptTurn.objects.filter(contact_id=contact.contact_id).delete()
        TranscriptSearchDoc.objects.filter(contact_id=contact.contact_id).delete()


def _confirm_gone(keys: list[tuple[str, str]]) -> None:
    left = {f"s3://{bucket}/{key}": storage.remaining_versions(bucket, key) for bucket, key in keys}
    left = {name: count for name, count in left.items() if count}
    if left:
        raise ObjectsRemain("still in storage: " + ", ".join(f"{name} ({count})" for name, count in left.items()))


def _mark_deleted(contact: Contact, recording: Recording, key_count: int) -> str:
    with transaction.atomic():
        now = timezone.now()
        updated = Recording.objects.filter(pk=recording.pk, status=Recording.DELETING).update(
            status=Recording.DELETED, deleted_at=now, deletion_message="", updated_at=now
        )
        if updated:
            audit_record(
                action="recording_delete",
                actor=recording.deleted_by,
                contact_id=contact.contact_id,
                details={"stage": "completed", "reason": recording.deletion_reason, "objects": key_count},
            )
    return Recording.DELETED


def legal_hold_set(*, contact: Contact, user, reason: str, request=None) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise DeletionRefused(DeletionRefused.REASON_REQUIRED, _("Give a reason for the legal hold."))
    with transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(
            legal_hold=True, legal_hold_reason=reason, updated_at=timezone.now()
        )
        audit_record(
            action="legal_hold_set", actor=user, request=request, contact_id=contact.contact_id,
            details={"reason": reason, "by": getattr(user, "username", "") or "manage.py"},
        )  # fmt: skip


def legal_hold_clear(*, contact: Contact, user, reason: str = "", request=None) -> None:
    with transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(legal_hold=False, legal_hold_reason="", updated_at=timezone.now())
        audit_record(
            action="legal_hold_clear", actor=user, request=request, contact_id=contact.contact_id,
            details={"reason": (reason or "").strip(), "by": getattr(user, "username", "") or "manage.py"},
        )  # fmt: skip
