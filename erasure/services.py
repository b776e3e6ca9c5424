"""Erasing everything the portal holds about one customer, found by phone number.

A request records which contacts the number names (only those the requester may see)
and enqueues `erasure.tasks.run_erasure`. A run goes through stages, each safe to
repeat: the contacts one batch at a time (S3 objects, every version, then the database
rows, the contact marked erased), the contact-record files under CTR_SOURCE, the audit
log's sealed details; then the certificate. Every contact's progress is a row, so a
run that stopped (a killed worker, S3 down) continues where it stopped. Contacts on
legal hold are skipped and listed.

The contact row stays, with only non-personal facts and `erased_at` set; the ingest
writers never write personal data onto an erased contact again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from erasure import audit_scrub, contact_records, selectors
from erasure.models import Erasure, ErasureContact, ErasureObject
from portal.audit.services import audit_record, audit_record_many
from portal.celery import publish
from recordings import bulk_deletion, storage
from recordings.models import Recording, RecordingFetchJob
from search.models import Contact, ContactAnalysis, ContactAttributeIndex, TranscriptSearchDoc, TranscriptTurn

logger = logging.getLogger(__name__)

AUDIT_ACTION = "customer_erasure"
BATCH = 200  # contacts whose S3 objects are listed and deleted together
QUEUE_DOWN = gettext_noop(
    "The erasure could not be queued (the job queue is unreachable); nothing was erased. Start it again later."
)
GONE = gettext_noop("The recording has been deleted.")


class ErasureRefused(Exception):
    REASON_REQUIRED = "reason_required"
    INVALID_NUMBER = "invalid_number"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ClaimLost(Exception):
    """Another run took the erasure over (this one was presumed dead)."""


def erasure_create(*, user, phone: str, reason: str, request=None, enqueue: bool = True) -> Erasure:
    """Record an erasure of every contact of `phone` that `user` may see (None: manage.py,
    every contact) and, with `enqueue`, send it to a worker once committed."""
    reason = (reason or "").strip()
    if not reason:
        raise ErasureRefused(ErasureRefused.REASON_REQUIRED, _("Give a reason for the erasure."))
    phone_hash = selectors.erasure_phone_index(phone=phone)
    if phone_hash is None:
        raise ErasureRefused(ErasureRefused.INVALID_NUMBER, _("Enter the customer's phone number."))
    with transaction.atomic():
        erasure = Erasure.objects.create(
            requested_by=user, requested_by_username=getattr(user, "username", "") or "", reason=reason,
            phone_hash=phone_hash, ctr_source=settings.CTR_SOURCE or "",
        )  # fmt: skip
        contacts = selectors.contacts_of_customer(user=user, phone_hash=phone_hash).values_list("pk", "contact_id")
        ErasureContact.objects.bulk_create(
            [ErasureContact(erasure=erasure, contact_id=pk, contact_id_text=cid) for pk, cid in contacts]
        )
        audit_record(
            action=AUDIT_ACTION, actor=user, request=request,
            details={"stage": "requested", "erasure": str(erasure.pk), "contacts": len(contacts), "reason": reason},
        )  # fmt: skip
        if enqueue:
            transaction.on_commit(lambda: erasure_enqueue(erasure_id=erasure.pk))
    return erasure


def erasure_enqueue(*, erasure_id) -> bool:
    from erasure.tasks import run_erasure
    from recordings.services import ENQUEUE_ERRORS

    try:
        publish(run_erasure, (str(erasure_id),))
    except ENQUEUE_ERRORS as error:
        # Nothing was touched yet: a FAILED erasure the user can see beats one that
        # claims to run with no worker ever told.
        logger.warning("cannot enqueue erasure %s: %s", erasure_id, error)
        erasure_give_up(erasure_id=erasure_id, message=QUEUE_DOWN)
        return False
    return True


def erasure_run(*, erasure_id, take_over: bool = False) -> str | None:
    """Do (or continue) an erasure; safe to run twice. `take_over`: a redelivered task,
    whose earlier run died. Returns the status, or None when another run holds it.
    Raises `storage.StorageError` while S3 fails (the task retries)."""
    claim = _claim(erasure_id, take_over)
    if claim is None:
        erasure = Erasure.objects.filter(pk=erasure_id).first()
        return erasure.status if erasure and erasure.status != Erasure.RUNNING else None
    erasure = Erasure.objects.get(pk=erasure_id)
    beat = _heartbeat(erasure.pk, claim)
    try:
        for stage, step in _STAGES:
            if erasure.stage == stage:
                step(erasure, beat)
                erasure.stage = _next_stage(stage)
                Erasure.objects.filter(pk=erasure.pk, claim=claim).update(
                    stage=erasure.stage, heartbeat_at=timezone.now()
                )
        _finish(erasure, claim)
    except ClaimLost:
        return None
    except storage.StorageError as error:
        Erasure.objects.filter(pk=erasure.pk, claim=claim).update(message=str(error)[:500], claim="")
        raise
    return Erasure.DONE


def erasure_give_up(*, erasure_id, message: str) -> None:
    """Retries exhausted (or a bug): the erasure is FAILED, what it did stays recorded."""
    with transaction.atomic():
        failed = Erasure.objects.filter(pk=erasure_id, status=Erasure.RUNNING).update(
            status=Erasure.FAILED, message=message[:500], claim="", finished_at=timezone.now(), phone_hash=None
        )
        if failed:
            audit_record(action=AUDIT_ACTION, details={"stage": "failed", "erasure": str(erasure_id)})


def _claim(erasure_id, take_over: bool) -> str | None:
    token = uuid.uuid4().hex[:16]
    now = timezone.now()
    runnable = Erasure.objects.filter(pk=erasure_id, status=Erasure.RUNNING)
    if not take_over:
        stale = now - timedelta(seconds=settings.ERASURE_CLAIM_STALE_SECONDS)
        runnable = runnable.filter(Q(claim="") | Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True))
    claimed = runnable.update(claim=token, heartbeat_at=now, attempts=F("attempts") + 1, message="")
    return token if claimed else None


def _heartbeat(erasure_pk, claim: str) -> Callable[[], None]:
    def beat() -> None:
        if not Erasure.objects.filter(pk=erasure_pk, claim=claim).update(heartbeat_at=timezone.now()):
            raise ClaimLost(str(erasure_pk))

    return beat


# --- Stage 1: the contacts -------------------------------------------------------------


@dataclass
class _Work:
    row: ErasureContact
    contact: Contact
    keys: list[tuple[str, str]]


def _erase_contacts(erasure: Erasure, beat: Callable[[], None]) -> None:
    pending = ErasureContact.objects.filter(erasure=erasure, state=ErasureContact.PENDING).order_by("id")
    while batch := list(pending[:BATCH]):
        contacts = Contact.objects.select_related("recording").in_bulk(
            [row.contact_id for row in batch if row.contact_id]
        )
        work = [item for row in batch if (item := _prepare(erasure, row, contacts.get(row.contact_id))) is not None]
        _stop_playback([item.contact for item in work])
        _delete_objects(erasure, work)
        _erase_rows(erasure, work)
        beat()


def _prepare(erasure: Erasure, row: ErasureContact, contact: Contact | None) -> _Work | None:
    if contact is None or contact.erased_at is not None:
        # Purged by retention meanwhile, or erased by another request: nothing of it is left here.
        _mark(row, ErasureContact.ERASED)
        return None
    if contact.legal_hold:
        with transaction.atomic():
            _mark(row, ErasureContact.SKIPPED, why=ErasureContact.LEGAL_HOLD)
            audit_record(
                action=AUDIT_ACTION, actor=erasure.requested_by, contact_id=contact.contact_id,
                details={"stage": "skipped", "erasure": str(erasure.pk), "why": ErasureContact.LEGAL_HOLD},
            )  # fmt: skip
        return None
    return _Work(row, contact, [])  # keys: found when the batch is listed


def _mark(row: ErasureContact, state: str, *, why: str = "") -> None:
    ErasureContact.objects.filter(pk=row.pk).update(state=state, why=why, finished_at=timezone.now())


def _delete_objects(erasure: Erasure, work: list[_Work]) -> None:
    """Every version of every key of the batch, found with one listing per shared folder
    (`recordings.bulk_deletion`). Each version is recorded for the certificate before it
    is deleted, so a run killed in between still lists it; S3 is listed again after the
    DeleteObjects calls and anything left raises `storage.StorageError`."""
    if not work:
        return
    objects = bulk_deletion.contact_objects([item.contact for item in work])
    bulk_deletion.objects_list(objects)
    for item, found in zip(work, objects, strict=True):
        item.keys = found.keys
    bulk_deletion.objects_delete(objects, before_each_round=lambda listed: _record_versions(erasure, listed))


def _record_versions(erasure: Erasure, objects: list[bulk_deletion.ContactObjects]) -> None:
    now = timezone.now()
    ErasureObject.objects.bulk_create(
        [
            ErasureObject(
                erasure=erasure,
                contact_id_text=item.contact_id,
                kind=ErasureObject.RECORDING,
                bucket=bucket,
                key=key,
                version_id=version.version_id or "",
                deleted_at=now,
            )  # fmt: skip
            for item in objects
            for (bucket, key), versions in item.listed.items()
            for version in versions
        ],
        ignore_conflicts=True,
    )


def _stop_playback(contacts: list[Contact]) -> None:
    RecordingFetchJob.objects.filter(contact__in=contacts, status__in=RecordingFetchJob.LIVE).update(
        status=RecordingFetchJob.FAILED, message=GONE, finished_at=timezone.now()
    )
    bulk_deletion.cached_audio_evict([contact.contact_id for contact in contacts])


_PERSONAL_FIELDS = ("customer_phone_enc", "customer_phone_hash", "system_phone_enc", "system_phone_hash",
                    "transferred_to_enc", "attributes_enc", "raw_enc")  # fmt: skip


def _erase_rows(erasure: Erasure, work: list[_Work]) -> None:
    """The batch's database rows in one transaction: transcript and its index,
    analysis, attribute index, fetch jobs, the recording marked DELETED, the contact's
    personal fields; each contact marked ERASED with it."""
    if not work:
        return
    ids, pks, now = [item.contact.contact_id for item in work], [item.contact.pk for item in work], timezone.now()
    with transaction.atomic():
        list(Contact.objects.select_for_update().filter(pk__in=pks).values_list("pk", flat=True))
        TranscriptTurn.objects.filter(contact_id__in=ids).delete()
        TranscriptSearchDoc.objects.filter(contact_id__in=ids).delete()
        ContactAnalysis.objects.filter(contact_id__in=ids).delete()
        ContactAttributeIndex.objects.filter(contact_id__in=pks).delete()
        RecordingFetchJob.objects.filter(contact_id__in=pks).delete()
        Recording.objects.filter(contact_id__in=pks).update(
            status=Recording.DELETED, deletion_reason=erasure.reason, deleted_by=erasure.requested_by,
            deleted_at=now, deletion_requested_at=now, deletion_message="", updated_at=now,
        )  # fmt: skip
        Contact.objects.filter(pk__in=pks).update(**dict.fromkeys(_PERSONAL_FIELDS), erased_at=now, updated_at=now)
        ErasureContact.objects.filter(pk__in=[item.row.pk for item in work]).update(
            state=ErasureContact.ERASED, finished_at=now
        )
        audit_record_many(action=AUDIT_ACTION, events=[
            (erasure.requested_by, item.contact.contact_id,
             {"stage": "contact_erased", "erasure": str(erasure.pk), "objects": len(item.keys)})
            for item in work
        ])  # fmt: skip
    bulk_deletion.cached_audio_evict(ids)  # a fetch that finished meanwhile


# --- Stages 2 and 3: contact-record files, the audit log --------------------------------


def _rewrite_contact_records(erasure: Erasure, beat: Callable[[], None]) -> None:
    erased = set(
        ErasureContact.objects.filter(erasure=erasure, state=ErasureContact.ERASED).values_list(
            "contact_id_text", flat=True
        )
    )
    contact_records.contact_records_rewrite(erasure=erasure, contact_ids=erased, beat=beat)


def _scrub_audit(erasure: Erasure, beat: Callable[[], None]) -> None:
    if erasure.phone_hash:
        scrubbed = audit_scrub.audit_events_scrub(phone_hash=bytes(erasure.phone_hash), beat=beat)
        searches = audit_scrub.saved_searches_scrub(phone_hash=bytes(erasure.phone_hash))
        logger.info("erasure %s: scrubbed %d audit events, %d saved searches", erasure.pk, scrubbed, searches)


_STAGES = (
    (Erasure.STAGE_CONTACTS, _erase_contacts),
    (Erasure.STAGE_CONTACT_RECORDS, _rewrite_contact_records),
    (Erasure.STAGE_AUDIT, _scrub_audit),
)


def _next_stage(stage: str) -> str:
    names = [name for name, _ in _STAGES] + [Erasure.STAGE_FINISHED]
    return names[names.index(stage) + 1]


def _finish(erasure: Erasure, claim: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        certificate = certificate_facts(erasure=erasure, completed_at=now)
        finished = Erasure.objects.filter(pk=erasure.pk, claim=claim, status=Erasure.RUNNING).update(
            status=Erasure.DONE, stage=Erasure.STAGE_FINISHED, finished_at=now, certificate=certificate,
            phone_hash=None, claim="", message="",
        )  # fmt: skip
        if not finished:
            raise ClaimLost(str(erasure.pk))
        audit_record(
            action=AUDIT_ACTION, actor=erasure.requested_by,
            details={"stage": "completed", "erasure": str(erasure.pk), "contacts": len(certificate["Contacts"]),
                     "skipped": len(certificate["Skipped"]), "objects": len(certificate["Objects"])},
        )  # fmt: skip


def certificate_facts(*, erasure: Erasure, completed_at) -> dict:
    """What was removed, when and by whom; never the number. The typed reason is
    personal, so it is sealed on the erasure and added only when the certificate is
    shown (`erasure.presenters.certificate`)."""
    rows = ErasureContact.objects.filter(erasure=erasure).order_by("id")
    objects = ErasureObject.objects.filter(erasure=erasure).order_by("id")
    return {
        "ErasureId": str(erasure.pk),
        "RequestedBy": erasure.requested_by_username or "manage.py",
        "RequestedAt": erasure.created_at.isoformat(),
        "CompletedAt": completed_at.isoformat(),
        "Contacts": [
            {"ContactId": row.contact_id_text, "ErasedAt": row.finished_at.isoformat() if row.finished_at else None}
            for row in rows if row.state == ErasureContact.ERASED
        ],
        "Skipped": [{"ContactId": row.contact_id_text, "Why": row.why} for row in rows
                    if row.state == ErasureContact.SKIPPED],
        "Objects": [
            {"ContactId": item.contact_id_text, "Kind": item.kind, "Bucket": item.bucket, "Key": item.key,
             "VersionId": item.version_id, "DeletedAt": item.deleted_at.isoformat()}
            for item in objects
        ],
    }  # fmt: skip
