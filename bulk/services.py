"""Bulk actions on a search's results: legal hold set or cleared, recordings deleted.

Legal holds go through the single contact's services (`recordings.deletion.legal_hold_set/clear`).
Deletions are accepted as `recording_delete_request` accepts one (legal hold checked
under a lock, DELETING, audited) and run in batches by `recordings.bulk_deletion`, which
keeps every guarantee of `recording_delete_run` (every S3 version, the transcript text,
confirmation, audit) with far fewer calls. The contacts are fixed when the user confirms
the count they were shown.

A deletion job runs in a worker (`bulk.tasks.run_bulk_deletion`): it claims the job,
works through the items without an outcome a batch at a time and records each one, so a
job whose worker died resumes where it stopped when its message is delivered again: the
recordings it had marked DELETING are finished by the next run.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bulk import selectors
from bulk.models import BulkAction, BulkActionItem
from portal.accounts import permissions as p
from portal.audit.services import audit_record, audit_record_many
from portal.celery import QueueUnavailable, publish
from recordings import bulk_deletion, deletion, policy
from recordings.models import Recording
from search.criteria import SearchCriteria, criteria_check_permissions
from search.models import Contact

logger = logging.getLogger(__name__)

# Stored untranslated (workers have no user language); translated when shown.
QUEUE_DOWN = gettext_noop("The job queue cannot be reached; nothing was deleted. Try again later.")
NOT_ALLOWED_NOW = gettext_noop("The job stopped: its user may no longer delete recordings.")
STORAGE_DOWN = gettext_noop("Storage could not be reached; the remaining recordings were not deleted.")
OUT_OF_SCOPE = gettext_noop("The contact is no longer in your scope.")
# Contacts deleted together: a few S3 listings and DeleteObjects calls and a few
# statements per batch; a worker killed mid-batch redoes at most this many.
BATCH = 500


class BulkRefused(Exception):
    FORBIDDEN = "forbidden"  # 403
    INVALID = "invalid"  # 400
    CONFLICT = "conflict"  # the search does not find what was confirmed: 409 in the API, 400 on the page
    UNAVAILABLE = "unavailable"  # 503

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def bulk_action_permission(action: str) -> str:
    """Legal holds and deletions both belong to `DeleteCallRecordings`, as for one contact."""
    return p.DELETE_RECORDINGS


def bulk_check_permission(*, user, action: str) -> None:
    granted = user.connect_permissions
    allowed = (
        policy.may_delete(granted) if action == BulkAction.DELETE_RECORDINGS else policy.may_manage_legal_hold(granted)
    )
    if not allowed:
        raise BulkRefused(
            BulkRefused.FORBIDDEN,
            _("This action needs the %(permission)s permission.") % {"permission": bulk_action_permission(action)},
        )


def bulk_confirmed_ids(*, user, criteria: SearchCriteria, expected_count) -> list[str]:
    """The search's contacts, once the caller confirmed their number. Raises `BulkRefused`
    when the search finds nothing, more than the limit, or not the number confirmed;
    `SearchPermissionDenied` and `CriteriaError` come from the search itself."""
    criteria_check_permissions(user, criteria)
    limit = selectors.bulk_limit()
    ids = selectors.bulk_contact_ids(user=user, criteria=criteria, limit=limit + 1)
    if len(ids) > limit:
        raise BulkRefused(
            BulkRefused.INVALID,
            _("The search finds more than %(limit)s contacts; bulk actions take at most %(limit)s. Narrow the search.")
            % {"limit": limit},
        )
    if not ids:
        raise BulkRefused(BulkRefused.CONFLICT, _("The search finds no contacts."))
    if not _same_count(expected_count, len(ids)):
        raise BulkRefused(
            BulkRefused.CONFLICT,
            _("The search finds %(count)s contacts: confirm with that number.") % {"count": len(ids)},
        )
    return ids


def _same_count(expected, count: int) -> bool:
    if isinstance(expected, bool):
        return False
    text = str(expected).strip().replace(",", "") if expected is not None else ""
    return text.isdigit() and int(text) == count


def bulk_action_start(
    *, user, action: str, criteria: SearchCriteria, reason: str, expected_count, request=None
) -> BulkAction:
    """Check, fix the contacts, and do (legal hold) or queue (deletion) the action."""
    bulk_check_permission(user=user, action=action)
    reason = (reason or "").strip()
    if not reason:
        raise BulkRefused(BulkRefused.INVALID, _("Give a reason."))
    ids = bulk_confirmed_ids(user=user, criteria=criteria, expected_count=expected_count)
    with transaction.atomic():
        job = BulkAction.objects.create(user=user, action=action, reason=reason, total=len(ids))
        BulkActionItem.objects.bulk_create(
            BulkActionItem(bulk_action=job, position=i, contact_id=cid) for i, cid in enumerate(ids)
        )
        audit_record(
            action="bulk_action", actor=user, request=request,
            details={"bulk_action": str(job.pk), "kind": action, "total": len(ids), "reason": reason,
                     "criteria": criteria.audit_details()},
        )  # fmt: skip
    if action == BulkAction.DELETE_RECORDINGS:
        _enqueue(job)
    else:
        bulk_legal_hold_run(bulk_action=job, request=request)
    job.refresh_from_db()
    return job


def _enqueue(job: BulkAction) -> None:
    from bulk.tasks import run_bulk_deletion

    try:
        publish(run_bulk_deletion, (str(job.pk),))
    except (QueueUnavailable, OSError) as error:
        logger.warning("cannot enqueue bulk deletion %s: %s", job.pk, error)
        BulkAction.objects.filter(pk=job.pk).update(
            status=BulkAction.FAILED, message=QUEUE_DOWN, finished_at=timezone.now()
        )
        raise BulkRefused(BulkRefused.UNAVAILABLE, _(QUEUE_DOWN)) from error


# --- Legal hold: quick, done in the request ------------------------------------------------


def bulk_legal_hold_run(*, bulk_action: BulkAction, request=None) -> None:
    setting = bulk_action.action == BulkAction.SET_LEGAL_HOLD
    items = list(selectors.bulk_items(bulk_action))
    contacts = {
        c.contact_id: c
        for c in selectors.bulk_contacts(user=bulk_action.user, contact_ids=[i.contact_id for i in items])
    }
    with transaction.atomic():
        for item in items:
            contact = contacts.get(item.contact_id)
            if contact is None:
                _record(item.pk, BulkActionItem.FAILED, OUT_OF_SCOPE)
            elif setting:
                deletion.legal_hold_set(contact=contact, user=bulk_action.user, reason=bulk_action.reason,
                                        request=request)  # fmt: skip
                _record(item.pk, BulkActionItem.HOLD_SET)
            else:
                deletion.legal_hold_clear(contact=contact, user=bulk_action.user, reason=bulk_action.reason,
                                          request=request)  # fmt: skip
                _record(item.pk, BulkActionItem.HOLD_CLEARED)
        _finish(bulk_action.pk, BulkAction.DONE)


def _record(item_pk: int, outcome: str, detail: str = "") -> None:
    # Only an item without an outcome: a second run never rewrites what the first recorded.
    BulkActionItem.objects.filter(pk=item_pk, outcome="").update(outcome=outcome, detail=detail)


def _finish(job_pk, status: str, message: str = "") -> None:
    BulkAction.objects.filter(pk=job_pk).exclude(status__in=[BulkAction.DONE, BulkAction.FAILED]).update(
        status=status, message=message, finished_at=timezone.now()
    )


# --- Deletion: in a worker ------------------------------------------------------------------


def bulk_deletion_run(*, bulk_action_id: str) -> str | None:
    """Delete the recordings of the job's items that have no outcome yet; safe to run
    again. Returns the job's status, or None when there is no job to run.
    Raises `storage.StorageError` (the task retries and resumes)."""
    claimed = BulkAction.objects.filter(
        Q(pk=bulk_action_id) & Q(status__in=[BulkAction.QUEUED, BulkAction.RUNNING])
    ).update(status=BulkAction.RUNNING, attempts=F("attempts") + 1, message="")
    if not claimed:
        return None
    job = BulkAction.objects.select_related("user").get(pk=bulk_action_id)
    user = job.user
    if not user.is_active or not policy.may_delete(user.connect_permissions):
        _give_up_items(job, NOT_ALLOWED_NOW)
        _finish(job.pk, BulkAction.FAILED, NOT_ALLOWED_NOW)
        return BulkAction.FAILED
    pending = list(selectors.bulk_items(job).filter(outcome="").values_list("pk", "contact_id"))
    for batch in bulk_deletion.batches(pending, BATCH):
        _delete_batch(job, batch)
    _finish(job.pk, BulkAction.DONE)
    return BulkAction.DONE


def _delete_batch(job: BulkAction, items: list[tuple[int, str]]) -> None:
    """Accept the batch's deletions as `recording_delete_request` does, then run them all
    at once in this task (no single-deletion task is queued: a killed worker's job is
    redelivered and finds its recordings DELETING), and record each item's outcome."""
    contact_ids = [contact_id for _, contact_id in items]
    outcomes, to_delete = _accept_batch(job, contact_ids)
    deleted = bulk_deletion.recordings_delete_batch(contact_ids=to_delete)
    outcomes.update(dict.fromkeys(deleted & set(to_delete), BulkActionItem.DELETED))
    by_outcome: dict[tuple[str, str], list[int]] = {}
    for item_pk, contact_id in items:
        if contact_id in outcomes:
            outcome = outcomes[contact_id]
            detail = OUT_OF_SCOPE if outcome == BulkActionItem.FAILED else ""
            by_outcome.setdefault((outcome, detail), []).append(item_pk)
    for (outcome, detail), pks in by_outcome.items():
        # Only items without an outcome: a second run never rewrites what the first recorded.
        BulkActionItem.objects.filter(pk__in=pks, outcome="").update(outcome=outcome, detail=detail)


def _accept_batch(job: BulkAction, contact_ids: list[str]) -> tuple[dict[str, str], list[str]]:
    """The outcomes known without deleting, and the contacts whose recordings are to be
    deleted (marked DELETING here, or already DELETING from an earlier attempt)."""
    outcomes: dict[str, str] = {}
    to_delete: list[str] = []
    accepted: list[Recording] = []
    with transaction.atomic():
        # Locked so a legal hold cannot slip in between the check and the mark.
        visible = selectors.bulk_contacts(user=job.user, contact_ids=contact_ids).values_list("pk", flat=True)
        locked = Contact.objects.select_for_update().filter(pk__in=list(visible)).only("contact_id", "legal_hold")
        contacts = {c.pk: c for c in locked}
        recordings = {r.contact_id: r for r in Recording.objects.select_for_update().filter(contact_id__in=contacts)}
        by_id = {contact.contact_id: contact for contact in contacts.values()}
        for contact_id in contact_ids:
            contact = by_id.get(contact_id)
            recording = recordings.get(contact.pk) if contact is not None else None
            if contact is None:
                outcomes[contact_id] = BulkActionItem.FAILED
            elif recording is None or not recording.location:
                outcomes[contact_id] = BulkActionItem.NO_RECORDING
            elif recording.status == Recording.DELETED:
                outcomes[contact_id] = _deleted_outcome(job, recording)
            elif recording.status == Recording.DELETING:
                to_delete.append(contact_id)
            elif contact.legal_hold:
                outcomes[contact_id] = BulkActionItem.HELD
            else:
                accepted.append(recording)
                to_delete.append(contact_id)
        _mark_deleting(job, accepted, {c.pk: c.contact_id for c in contacts.values()})
    return outcomes, to_delete


def _deleted_outcome(job: BulkAction, recording: Recording) -> str:
    # Deleted by this job before its worker died: still this job's deletion.
    ours = recording.deleted_by_id == job.user_id and (recording.deletion_requested_at or job.created_at) >= (
        job.created_at
    )
    return BulkActionItem.DELETED if ours else BulkActionItem.ALREADY_DELETED


def _mark_deleting(job: BulkAction, recordings: list[Recording], contact_ids: dict[int, str]) -> None:
    """What `recording_delete_request` writes for each accepted deletion, in two statements."""
    if not recordings:
        return
    now = timezone.now()
    Recording.objects.filter(pk__in=[r.pk for r in recordings], status=Recording.AVAILABLE).update(
        status=Recording.DELETING, deletion_reason=job.reason, deleted_by=job.user, deletion_requested_at=now,
        deletion_message="", updated_at=now,
    )  # fmt: skip
    audit_record_many(action="recording_delete", events=[
        (job.user, contact_ids[r.contact_id], {"stage": "requested", "reason": job.reason}) for r in recordings
    ])  # fmt: skip


def bulk_deletion_give_up(*, bulk_action_id: str) -> None:
    """Retries exhausted: say so, instead of showing a job that runs for ever. Recordings
    already marked DELETING are finished by single deletions, which beat sends for every
    deletion stalled that long (`recording_deletions_resend`)."""
    job = BulkAction.objects.filter(pk=bulk_action_id).first()
    if job is None:
        return
    _give_up_items(job, STORAGE_DOWN)
    _finish(job.pk, BulkAction.FAILED, STORAGE_DOWN)


def _give_up_items(job: BulkAction, message: str) -> None:
    BulkActionItem.objects.filter(bulk_action=job, outcome="").update(outcome=BulkActionItem.FAILED, detail=message)
