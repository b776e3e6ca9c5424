"""Reads about the portal's own redaction: which contacts still need it, and who made
a contact's redacted version (for the contact page and API)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import F, Q

from redaction import detector
from search.models import ContactAnalysis


@dataclass(frozen=True)
class Provenance:
    """Who made a contact's redacted transcript and recording."""

    by: str  # ContactAnalysis.CONTACT_LENS or .PORTAL
    version: str = ""  # the portal's redactor version

    @property
    def portal(self) -> bool:
        return self.by == ContactAnalysis.PORTAL

    def as_json(self) -> dict[str, str | None]:
        return {"By": self.by, "RedactorVersion": self.version or None}


def redaction_provenance(analysis: ContactAnalysis | None) -> Provenance | None:
    """None when there is no redacted version."""
    if analysis is None or not analysis.redacted_key:
        return None
    if analysis.redacted_by == ContactAnalysis.PORTAL:
        return Provenance(ContactAnalysis.PORTAL, analysis.redactor_version)
    return Provenance(ContactAnalysis.CONTACT_LENS)


def _pending(language: str | None, since: datetime | None, force: bool) -> Q:
    languages = [language] if language else list(settings.PORTAL_REDACT_LANGUAGES)
    languages = [code for code in languages if detector.supports(code)]
    q = Q(language_code__in=languages) & ~Q(original_key="")
    # Contact Lens's own redaction is never replaced.
    q &= Q(redacted_by=ContactAnalysis.PORTAL) | Q(redacted_key="")
    if not force:
        recording_came_later = Q(
            redacted_audio_key="",
            contact__recording__status="AVAILABLE",
            contact__recording__updated_at__gt=F("updated_at"),
        )
        q &= (
            ~Q(redacted_by=ContactAnalysis.PORTAL)
            | ~Q(redactor_version=detector.REDACTOR_VERSION)
            | ~Q(redacted_from_key=F("original_key"))
            | recording_came_later
        )
    if since is not None:
        q &= Q(contact__initiation_ts__gte=since)
    return q


def contacts_to_redact(
    *, language: str | None = None, since: datetime | None = None, force: bool = False, batch: int = 200
) -> Iterator[list[str]]:
    """Contact ids in batches, in a stable order; recordings being deleted left out."""
    rows = (
        ContactAnalysis.objects.filter(_pending(language, since, force))
        .exclude(contact__recording__status__in=("DELETING", "DELETED"))
        .order_by("contact_id")
        .values_list("contact_id", flat=True)
    )
    after = ""
    while chunk := list(rows.filter(contact_id__gt=after)[:batch]):
        yield chunk
        after = chunk[-1]


def contacts_to_redact_count(*, language: str | None = None, since: datetime | None = None, force: bool = False) -> int:
    return (
        ContactAnalysis.objects.filter(_pending(language, since, force))
        .exclude(contact__recording__status__in=("DELETING", "DELETED"))
        .count()
    )


def portal_object_keys(*, contact_id: str, buckets: list[str]) -> list[tuple[str, str]]:
    """Every object the portal's redaction wrote for a contact, listed in S3 under its
    prefix (with every version), rather than read from the analysis row: a run stopped
    before its commit, or one replaced by Contact Lens's redaction, leaves files the
    row no longer names. For deletion and erasure. Raises `storage.StorageError`."""
    from recordings import storage
    from redaction.services import contact_prefix

    prefix = contact_prefix(contact_id)
    return [(bucket, key) for bucket in dict.fromkeys(buckets) for key in storage.keys_under(bucket, prefix)]
