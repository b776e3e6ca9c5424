"""Reads for the contact detail page and API: what exists, what the user may see.

Every function takes a contact the caller already obtained through
`Contact.objects.visible_to(user)` (SECURITY: never look a contact up here by id).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q

from hierarchy.access import contact_for_user_or_404
from portal import crypto
from portal.accounts import permissions as p
from portal.breaker import CircuitBreaker, breaker_for
from recordings import storage
from recordings.models import ORIGINAL, REDACTED, Recording, RecordingFetchJob
from recordings.policy import (
    LENS_UNREDACTED_LANGUAGES,
    REDACTION_DISABLED,
    REDACTION_LANGUAGE,
    REDACTION_ON,
    MediaState,
)
from search.models import Contact, ContactAnalysis, TranscriptTurn


def contact_or_404(user, contact_id: str) -> Contact:
    """SECURITY: the contact through the only door (404 when out of scope), with its
    recording and analysis rows fetched in the same query."""
    media = Contact.objects.select_related("recording", "analysis", "agent", "queue", "routing_profile")
    return contact_for_user_or_404(user, contact_id, queryset=media.defer("raw_enc"))


def playable_contact_or_404(user, contact_id: str) -> Contact:
    """`contact_or_404` for the playback endpoints, which sit on the path from "play" to
    sound: the same door, without the columns and joins only the detail page reads."""
    media = Contact.objects.select_related("recording", "analysis").defer(
        "raw_enc", "attributes_enc", "transferred_to_enc", "hierarchy_names"
    )
    return contact_for_user_or_404(user, contact_id, queryset=media)


def _one(contact: Contact, relation: str):
    try:
        return getattr(contact, relation)
    except ObjectDoesNotExist:
        return None


def recording_for(contact: Contact) -> Recording | None:
    return _one(contact, "recording")


def analysis_for(contact: Contact) -> ContactAnalysis | None:
    return _one(contact, "analysis")


def recording_live_now(contact: Contact) -> bool:
    """A fresh read, for decisions that must not trust a row read earlier."""
    return Recording.objects.filter(contact=contact, status=Recording.AVAILABLE).exclude(location="").exists()


def media_state(contact: Contact) -> MediaState:
    recording, analysis = recording_for(contact), analysis_for(contact)
    original_expired = redacted_expired = False
    if recording is not None and recording.location and recording.status == Recording.AVAILABLE:
        original_expired = removed_by_lifecycle(recording, contact)
        if analysis is not None and analysis.redacted_by == ContactAnalysis.PORTAL:
            # The portal's copy lives under its own prefix, which Connect's rule may not
            # cover: it is kept no longer than the original it was made from.
            redacted_expired = original_expired
        elif analysis is not None and analysis.redacted_audio_key:
            redacted = Recording(location=f"{analysis.bucket}/{analysis.redacted_audio_key}")  # never saved
            redacted_expired = removed_by_lifecycle(redacted, contact)
    return MediaState(
        recording_status=recording.status if recording is not None and recording.location else None,
        has_redacted_audio=bool(analysis and analysis.redacted_audio_key),
        has_original_transcript=bool(analysis and analysis.original_key),
        has_redacted_transcript=bool(analysis and analysis.redacted_key),
        lens_expected=bool(contact.language_locale or contact.redaction_policy),
        redaction=redaction_of(contact, analysis),
        original_expired=original_expired,
        redacted_expired=redacted_expired,
    )


def redaction_of(contact: Contact, analysis: ContactAnalysis | None) -> str:
    """What the record and the analysis say about Contact Lens redaction for this contact."""
    language = (analysis.language_code if analysis is not None else "") or contact.language_locale
    if language in LENS_UNREDACTED_LANGUAGES:
        return REDACTION_LANGUAGE
    if contact.redaction_policy == "None":  # Connect's RedactionConfiguration.Policy
        return REDACTION_DISABLED
    return REDACTION_ON if contact.redaction_policy else ""


def removed_by_lifecycle(recording: Recording, contact: Contact) -> bool:
    """The file at `recording.location` is older than the bucket's lifecycle rule over its
    key, so the rule has removed it. Calls of the last day are not asked about: no rule
    keeps objects for less than a day."""
    from datetime import timedelta

    from django.utils import timezone

    created = contact.disconnect_ts or contact.initiation_ts
    if created is None or created > timezone.now() - timedelta(days=1):
        return False
    expiry = storage_expiry(recording, contact)
    return expiry is not None and expiry.passed


def audio_source(contact: Contact, version: str) -> tuple[str, str]:
    """Where the WAV of `version` is: Connect's `Location` for the original, the
    Contact Lens redacted WAV beside the analysis for the redacted one."""
    if version == ORIGINAL:
        recording = recording_for(contact)
        if recording is None or not recording.location:
            raise storage.ObjectMissing("no recording is known for this contact")
        return storage.split_location(recording.location)
    analysis = analysis_for(contact)
    if analysis is None or not analysis.redacted_audio_key:
        raise storage.ObjectMissing("no redacted recording is known for this contact")
    return analysis.bucket, analysis.redacted_audio_key


def visible_neighbours(contact: Contact, user) -> dict[str, str]:
    """Previous, next and initial contacts, only those the user may see."""
    wanted = {
        "previous": contact.previous_contact_id,
        "next": contact.next_contact_id,
        "initial": contact.initial_contact_id,
    }
    ids = {value for value in wanted.values() if value and value != contact.contact_id}
    # SECURITY: a link is shown only for a contact inside the user's scope.
    visible = set(Contact.objects.visible_to(user).filter(contact_id__in=ids).values_list("contact_id", flat=True))
    return {name: value for name, value in wanted.items() if value in visible}


@dataclass(frozen=True)
class PhoneNumbers:
    customer: str | None
    system: str | None
    transferred_to: str | None


def phone_numbers(contact: Contact) -> PhoneNumbers:
    def clear(token) -> str | None:
        return crypto.decrypt_text(bytes(token), context=contact.contact_id) if token is not None else None

    return PhoneNumbers(
        clear(contact.customer_phone_enc), clear(contact.system_phone_enc), clear(contact.transferred_to_enc)
    )


def attributes_for(contact: Contact, user) -> dict[str, str] | None:
    """The contact's attributes, or None when the user may not see them."""
    if not user.has_connect_permission(p.CONTACT_ATTRIBUTES):
        return None
    if contact.attributes_enc is None:
        return {}
    return crypto.decrypt_json(bytes(contact.attributes_enc), context=contact.contact_id) or {}


def analytics_for(analysis: ContactAnalysis | None, user) -> dict[str, Any] | None:
    """Contact Lens figures, or None when the user may not see them or there are none."""
    if analysis is None or not user.has_connect_permission(p.GRAPH_TRENDS):
        return None
    return {
        "channel": analysis.channel,
        "language_code": analysis.language_code,
        "total_duration_ms": analysis.total_duration_ms,
        "agent_sentiment": analysis.agent_sentiment,
        "customer_sentiment": analysis.customer_sentiment,
        "agent_quarters": list(analysis.agent_sentiment_quarters or []),
        "customer_quarters": list(analysis.customer_sentiment_quarters or []),
        "talk_time_ms": analysis.talk_time_ms,
        "non_talk_ms": analysis.non_talk_ms,
        "non_talk_percent": analysis.non_talk_percent,
        "interruptions": analysis.interruptions,
        "talk_time_by_participant": analysis.talk_time_by_participant or {},
        "categories": [
            {"name": name, "points": (analysis.category_points or {}).get(name, [])}
            for name in analysis.categories or []
        ],
    }


def _turn(role: str, begin: int | None, end: int | None, content: str, sentiment: str) -> dict[str, Any]:
    return {
        "ParticipantRole": role,
        "BeginOffsetMillis": begin,
        "EndOffsetMillis": end,
        "Content": content,
        "Sentiment": sentiment or None,
    }


def redacted_turns(contact: Contact) -> list[dict[str, Any]]:
    rows = TranscriptTurn.objects.filter(contact_id=contact.contact_id).order_by("position")
    turns = []
    for t in rows:
        turn = _turn(t.participant_role, t.begin_ms, t.end_ms, t.content, t.sentiment)
        if t.redacted_types:  # the portal's redactor says what kind of data it removed
            turn["RedactedTypes"] = list(dict.fromkeys(t.redacted_types))  # each kind once
        turns.append(turn)
    return turns


def original_turns(contact: Contact) -> list[dict[str, Any]]:
    """The original transcript, read from S3 on demand and never stored.

    Raises `storage.StorageError` (or `ObjectMissing`).
    """
    from search.ingest.lens import NotAnAnalysis, parse_analysis

    analysis = analysis_for(contact)
    if analysis is None or not analysis.original_key:
        raise storage.ObjectMissing("no original analysis is known for this contact")
    raw = storage.get_bytes(analysis.bucket, analysis.original_key)
    try:
        parsed = parse_analysis(json.loads(raw), analysis.original_key)
    except (ValueError, NotAnAnalysis) as error:
        raise storage.StorageError(f"the original analysis cannot be read: {error}") from error
    return [_turn(t.role, t.begin_ms, t.end_ms, t.content, t.sentiment) for t in parsed.turns]


def job_for_requester(user, job_id: str) -> RecordingFetchJob | None:
    """A fetch job, only for somebody who asked for it."""
    if not str(job_id).isdigit():
        return None
    return RecordingFetchJob.objects.select_related("contact").filter(Q(pk=int(job_id)) & Q(requesters=user)).first()


def versions_summary(state: MediaState) -> dict[str, list[str]]:
    recordings = [v for v in (REDACTED, ORIGINAL) if state.audio_exists(v)]
    transcripts = [v for v in (REDACTED, ORIGINAL) if state.transcript_exists(v)]
    return {"recordings": recordings, "transcripts": transcripts}


@dataclass(frozen=True)
class StorageExpiry:
    days: int
    around: Any  # the date the rule removes the original recording

    @property
    def passed(self) -> bool:
        from django.utils import timezone

        return self.around <= timezone.now()


_LIFECYCLE_CACHE_SECONDS = 600
_LIFECYCLE_RETRY_SECONDS = 60


def _lifecycle_reads() -> CircuitBreaker:
    """S3 not answering for one key's rules will not answer for the next: skip that
    endpoint for a while in this process, which also holds when the cache that
    remembers failures is down."""
    return breaker_for(storage.endpoint_url(), lambda: _LIFECYCLE_RETRY_SECONDS)


def storage_expiry(recording: Recording | None, contact: Contact) -> StorageExpiry | None:
    """When the bucket's lifecycle rule removes this recording, where a rule says so.

    Rules are read once per bucket every ten minutes, and a failure to read them (S3
    down) shows nothing rather than slowing the page: the read has one short attempt,
    and after a failure S3 is not asked again for a minute. The cache itself fails soft (a Redis
    that does not answer is a miss, then skipped for a few seconds; see portal.cache).
    """
    from datetime import timedelta

    from django.core.cache import cache

    if recording is None or not recording.location or recording.status != Recording.AVAILABLE:
        return None
    try:
        bucket, key = storage.split_location(recording.location)
    except ValueError:
        return None
    cache_key = f"lifecycle-days:{bucket}:{key.rsplit('/', 1)[0]}"
    days = cache.get(cache_key, "unknown")
    if days == "unknown":
        days, reads = None, _lifecycle_reads()
        if reads.allows():
            try:
                days = storage.lifecycle_expiry_days(bucket, key)
                reads.succeeded()
                cache.set(cache_key, days, _LIFECYCLE_CACHE_SECONDS)
            except storage.StorageError:
                reads.failed()
                cache.set(cache_key, days, _LIFECYCLE_RETRY_SECONDS)
    created = contact.disconnect_ts or contact.initiation_ts
    if not days or created is None:
        return None
    return StorageExpiry(days=days, around=created + timedelta(days=days))
