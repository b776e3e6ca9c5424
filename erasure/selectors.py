"""Reads for erasures: which contacts a number names, the plan shown before anything is
touched, an erasure as its requester may see it, and its certificate."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from erasure.models import Erasure, ErasureContact, ErasureObject
from portal.phone import phone_blind_index
from recordings.deletion import storage_keys
from recordings.models import Recording
from redaction.selectors import portal_object_keys
from search.models import Contact, ContactAnalysis, TranscriptTurn


def erasure_phone_index(*, phone: str) -> bytes | None:
    """The blind index contacts are searched by: any common spelling of a number gives
    the same one (see portal.phone)."""
    return phone_blind_index((phone or "").strip())


def contacts_of_customer(*, user, phone_hash: bytes) -> QuerySet[Contact]:
    """The not yet erased contacts of that number. `user` None is manage.py (every
    contact); otherwise only what the user may see: out of scope is never touched."""
    contacts = Contact.objects.filter(customer_phone_hash=phone_hash, erased_at__isnull=True)
    if user is not None:
        # SECURITY: the one access rule; see hierarchy.access.
        contacts = contacts.visible_to(user)
    return contacts.order_by("initiation_ts", "contact_id")


@dataclass
class PlannedContact:
    contact: Contact
    recording: bool = False
    analysis: bool = False
    transcript_turns: int = 0
    objects: list[str] = field(default_factory=list)
    held: bool = False


@dataclass
class ErasurePlan:
    contacts: list[PlannedContact]

    @property
    def erasable(self) -> list[PlannedContact]:
        return [planned for planned in self.contacts if not planned.held]

    @property
    def held(self) -> list[PlannedContact]:
        return [planned for planned in self.contacts if planned.held]

    @property
    def object_count(self) -> int:
        return sum(len(planned.objects) for planned in self.erasable)


def erasure_plan(*, user, phone_hash: bytes) -> ErasurePlan:
    """What an erasure would remove, read without touching anything (dry run, first step)."""
    contacts = list(contacts_of_customer(user=user, phone_hash=phone_hash).select_related("recording"))
    ids = [contact.contact_id for contact in contacts]
    analysed = set(ContactAnalysis.objects.filter(contact_id__in=ids).values_list("contact_id", flat=True))
    turns: dict[str, int] = {}
    for contact_id in TranscriptTurn.objects.filter(contact_id__in=ids).values_list("contact_id", flat=True):
        turns[contact_id] = turns.get(contact_id, 0) + 1
    planned = []
    for contact in contacts:
        recording = getattr(contact, "recording", None)
        planned.append(
            PlannedContact(
                contact=contact,
                recording=recording is not None and recording.status != Recording.DELETED,
                analysis=contact.contact_id in analysed,
                transcript_turns=turns.get(contact.contact_id, 0),
                objects=[f"s3://{bucket}/{key}" for bucket, key in contact_object_keys(contact=contact)],
                held=contact.legal_hold,
            )
        )
    return ErasurePlan(planned)


def contact_object_keys(*, contact: Contact) -> list[tuple[str, str]]:
    """Every S3 object holding this contact's voice or words: the recording deletion's
    own list where there is a recording, else the Contact Lens files and the portal's
    redacted files (chats). Raises `storage.StorageError` when listing those fails."""
    try:
        recording = contact.recording  # loaded with the contact where the caller asked for it
    except Recording.DoesNotExist:
        recording = None
    if recording is not None and recording.location:
        return storage_keys(contact, recording)
    analysis = ContactAnalysis.objects.filter(contact_id=contact.contact_id).first()
    if analysis is None:
        return []
    keys = [(analysis.bucket, key) for key in (analysis.redacted_audio_key, analysis.original_key,
                                               analysis.redacted_key) if key]  # fmt: skip
    # A chat's transcript is redacted by the portal too: its files go with the contact.
    keys += portal_object_keys(contact_id=contact.contact_id, buckets=[analysis.bucket])
    return list(dict.fromkeys(keys))


def erasure_for_user_or_404(*, user, erasure_id) -> Erasure:
    """SECURITY: an erasure is its requester's; anyone else's, or a malformed id, is a 404."""
    try:
        return Erasure.objects.get(pk=erasure_id, requested_by=user)
    except (Erasure.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404("no such erasure") from None


def erasures_for_user(*, user, limit: int = 50) -> list[Erasure]:
    return list(Erasure.objects.filter(requested_by=user)[:limit])


@dataclass(frozen=True)
class Progress:
    total: int
    erased: int
    skipped: list[ErasureContact]
    objects_deleted: int

    @property
    def done(self) -> int:
        return self.erased + len(self.skipped)


def erasure_progress(*, erasure: Erasure) -> Progress:
    rows = list(ErasureContact.objects.filter(erasure=erasure).only("contact_id_text", "state", "why"))
    return Progress(
        total=len(rows),
        erased=sum(1 for row in rows if row.state == ErasureContact.ERASED),
        skipped=[row for row in rows if row.state == ErasureContact.SKIPPED],
        objects_deleted=ErasureObject.objects.filter(erasure=erasure).count(),
    )


CSV_COLUMNS = ("erasure_id", "contact_id", "kind", "bucket", "key", "version_id", "deleted_at", "requested_by",
               "reason")  # fmt: skip


def erasure_certificate_csv(*, certificate: dict) -> str:
    """The certificate's rows: one per object version removed, then one per contact
    whose database records were erased (kind DATABASE) or skipped (kind SKIPPED)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    common = (certificate["ErasureId"],)
    tail = (certificate["RequestedBy"], certificate["Reason"])
    for item in certificate["Objects"]:
        writer.writerow((*common, item["ContactId"], item["Kind"], item["Bucket"], item["Key"], item["VersionId"],
                         item["DeletedAt"], *tail))  # fmt: skip
    for item in certificate["Contacts"]:
        writer.writerow((*common, item["ContactId"], "DATABASE", "", "", "", item["ErasedAt"], *tail))
    for item in certificate["Skipped"]:
        writer.writerow((*common, item["ContactId"], "SKIPPED", "", "", "", "", *tail))
    return out.getvalue()
