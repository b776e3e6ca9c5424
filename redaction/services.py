"""The portal's own redaction, for contacts whose language Contact Lens does not redact.

From the original analysis in S3 the portal makes what Contact Lens makes for English
calls: a redacted analysis JSON and a redacted WAV (both in CONNECT_BUCKET under
PORTAL_REDACTION_PREFIX), the redacted transcript turns and a REDACTED search document.
The analysis row then names the portal and the redactor's version as their maker.

The contact's ORIGINAL search document is replaced by the REDACTED one, not kept
beside it: the product's rule is that keywords run over the redacted transcript
wherever one exists (as for English calls), so unredacted readers search the same
text as everyone else, and no index of names and numbers outlives the redaction.

A contact Contact Lens redacted is never touched. Running again with the same
redactor and original changes nothing; a new redactor version or a new original
replaces the portal's files, and every version of the old ones is removed.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from portal.celery import QueueUnavailable, publish
from recordings import audio_cache, storage
from recordings.models import Recording
from redaction import audio, detector
from search.fts import DOCUMENT_SQL
from search.ingest.analysis_writer import search_text
from search.ingest.ctr import BadRecord
from search.ingest.lens import NotAnAnalysis, parse_analysis
from search.models import ContactAnalysis, TranscriptSearchDoc, TranscriptTurn

logger = logging.getLogger(__name__)

# Contacts per task: a few seconds of work, so a play asked for meanwhile is not held up
# behind a long task on a busy worker.
TASK_CHUNK = 5
# Redis serves lower numbers first and a play is published with none (0): a back-fill of
# thousands of contacts queued ahead of a play does not make the play wait.
TASK_PRIORITY = 9
_DETECTIONS = ("IssuesDetected", "OutcomesDetected", "ActionItemsDetected")


@dataclass(frozen=True)
class RedactionOutcome:
    contact_id: str
    turns: int = 0
    entities: int = 0
    recording: bool = False
    silenced_share: float = 0.0
    skipped: str = ""  # why nothing was made


def contact_prefix(contact_id: str) -> str:
    """Where every file the portal makes for a contact lives (deletion lists it)."""
    return f"{settings.PORTAL_REDACTION_PREFIX}{contact_id}/"


def _version_slug() -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", detector.REDACTOR_VERSION)


def redaction_wanted(analysis: ContactAnalysis | None, *, force: bool = False) -> str:
    """Empty when the portal should (re)make this contact's redaction, else why not."""
    if analysis is None or not analysis.original_key:
        return "no original analysis"
    if analysis.redacted_by == ContactAnalysis.CONTACT_LENS or (analysis.redacted_key and not analysis.redacted_by):
        return "redacted by Contact Lens"
    language = analysis.language_code
    if language not in settings.PORTAL_REDACT_LANGUAGES or not detector.supports(language):
        return "language not redacted by the portal"
    current = (
        analysis.redacted_by == ContactAnalysis.PORTAL
        and analysis.redactor_version == detector.REDACTOR_VERSION
        and analysis.redacted_from_key == analysis.original_key
        and not _recording_came_later(analysis)
    )
    return "" if force or not current else "up to date"


def _recording_came_later(analysis: ContactAnalysis) -> bool:
    """The contact's record (and so its recording) arrived after the transcript was
    redacted without one: the recording still needs silencing."""
    if analysis.redacted_audio_key:
        return False
    return (
        Recording.objects.filter(
            contact__contact_id=analysis.contact_id, status=Recording.AVAILABLE, updated_at__gt=analysis.updated_at
        )
        .exclude(location="")
        .exists()
    )


def contacts_redact_later(*, contact_ids: list[str]) -> None:
    """After the caller's transaction commits, queue the portal's redaction of these
    contacts: one message for the whole batch, so ingest pays one publish, which the
    worker splits (`contacts_redact_fan_out`). A queue that is down loses nothing that
    matters: `manage.py redact_transcripts` finds every contact still to do."""
    ids = list(dict.fromkeys(contact_ids))
    if ids:
        transaction.on_commit(lambda: _publish([ids]))


def contacts_redact_fan_out(*, contact_ids: list[str]) -> bool:
    """Queue a large batch as tasks of TASK_CHUNK; False when it is small enough to run."""
    if len(contact_ids) <= TASK_CHUNK:
        return False
    _publish([contact_ids[i : i + TASK_CHUNK] for i in range(0, len(contact_ids), TASK_CHUNK)], strict=True)
    return True


def _publish(chunks: list[list[str]], *, strict: bool = False) -> None:
    from redaction.tasks import redact_contacts

    for done, chunk in enumerate(chunks):
        try:
            publish(redact_contacts, (chunk,), priority=TASK_PRIORITY)
        except QueueUnavailable as error:
            if strict:  # a task fanning out is retried whole: its chunks are idempotent
                raise
            logger.warning("portal redaction of %d task(s) not queued: %s", len(chunks) - done, error)
            return


def contacts_redact(*, contact_ids: list[str], force: bool = False) -> list[RedactionOutcome]:
    return [contact_redact(contact_id=contact_id, force=force) for contact_id in contact_ids]


def contact_redact(*, contact_id: str, force: bool = False) -> RedactionOutcome:
    """Make (or remake) the portal's redaction of one contact. Raises `storage.StorageError`."""
    with _claimed(contact_id) as claimed:
        if not claimed:
            return RedactionOutcome(contact_id, skipped="being redacted by another run")
        return _contact_redact(contact_id, force)


@contextmanager
def _claimed(contact_id: str) -> Iterator[bool]:
    """One run per contact at a time (ingest and a back-fill may queue the same one):
    a session lock, so it holds across the S3 work outside any transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [f"portal-redaction:{contact_id}"])
        claimed = cursor.fetchone()[0]
    try:
        yield claimed
    finally:
        if claimed:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [f"portal-redaction:{contact_id}"])


def _contact_redact(contact_id: str, force: bool) -> RedactionOutcome:
    analysis = ContactAnalysis.objects.filter(contact_id=contact_id).first()
    why_not = redaction_wanted(analysis, force=force)
    if not why_not and _recording_going(contact_id):
        why_not = "recording deleted"
    if why_not:
        return RedactionOutcome(contact_id, skipped=why_not)
    source_key = analysis.original_key
    try:
        made = _redacted_document(_original_document(analysis.bucket, source_key), analysis.language_code)
    except _Unreadable as error:  # retrying would not help; the back-fill lists it as skipped
        logger.warning("no portal redaction for %s: %s", contact_id, error)
        return RedactionOutcome(contact_id, skipped=str(error))
    # A folder per run: files of a run replaced later never share a key with the new
    # ones, so removing the old keys removes every version of what they held.
    prefix = f"{contact_prefix(contact_id)}{_version_slug()}-{uuid.uuid4().hex[:8]}/"
    json_key = f"{prefix}analysis_redacted.json"
    storage.put_bytes(analysis.bucket, json_key, made.body, content_type="application/json")
    wav_key, share = _redacted_recording(contact_id, analysis, made, f"{prefix}call_recording_redacted.wav")
    written = [k for k in (json_key, wav_key) if k]
    if not _commit(contact_id, source_key, made, json_key, wav_key):
        for key in written:
            storage.delete_every_version(analysis.bucket, key)
        return RedactionOutcome(contact_id, skipped="changed while redacting")
    _remove_stale(analysis.bucket, contact_id)
    audio_cache.evict(contact_id)  # a cached copy of an older redaction
    return RedactionOutcome(contact_id, len(made.turns), made.entity_count, bool(wav_key), share)


def _recording_going(contact_id: str) -> bool:
    return Recording.objects.filter(
        contact__contact_id=contact_id, status__in=(Recording.DELETING, Recording.DELETED)
    ).exists()


class _Unreadable(ValueError):
    """The original analysis is gone or cannot be read as one."""


def _original_document(bucket: str, key: str) -> dict:
    """Raises `_Unreadable`, or `storage.StorageError` when S3 fails (worth a retry)."""
    try:
        doc = json.loads(storage.get_bytes(bucket, key))
    except storage.ObjectMissing as error:
        raise _Unreadable(f"the original analysis is not in storage: {error}") from error
    except ValueError as error:
        raise _Unreadable(f"the original analysis is not JSON: {error}") from error
    if not isinstance(doc, dict):
        raise _Unreadable("the original analysis is not an analysis")
    return doc


@dataclass
class _Made:
    body: bytes
    document: dict
    turns: list  # lens.Turn of the redacted text
    types: list[list[str]]  # entity types per turn
    placed: list[audio.TurnEntities]  # the original turns' entities, for the recording
    channel: str

    @property
    def entity_count(self) -> int:
        return sum(len(t) for t in self.types)


def _items(doc: dict, chat: bool) -> list[dict]:
    """The transcript items lens.parse_analysis turns into turns, in the same order."""
    items = [i for i in doc.get("Transcript") or [] if isinstance(i, dict) and isinstance(i.get("Content"), str)]
    return [i for i in items if i.get("Type") == "MESSAGE"] if chat else items


def _redacted_document(doc: dict, language: str) -> _Made:
    out = copy.deepcopy(doc)
    chat = str(out.get("Channel") or "").upper() == "CHAT"
    items = _items(out, chat)
    results = detector.redact_many([item["Content"] for item in items], language)
    placed = []
    for item, result in zip(items, results, strict=True):
        spans = tuple((e.start, e.end) for e in result.entities)
        begin, end = _ms(item.get("BeginOffsetMillis")), _ms(item.get("EndOffsetMillis"))
        turn = audio.TurnEntities(begin, end, len(item["Content"]), spans)
        placed.append(turn)
        if not result.entities:
            continue
        item["Content"] = result.text
        item["Redaction"] = {
            "RedactedTimestamps": _timestamps(turn),
            "RedactedEntities": [{"Type": e.type} for e in result.entities],
        }
        for name in _DETECTIONS:  # their Text and offsets are of the original
            item.pop(name, None)
        if chat and "DisplayName" in item:
            item["DisplayName"] = detector.PLACEHOLDER
    out["ContentMetadata"] = {
        **(out.get("ContentMetadata") or {}),
        "Output": "Redacted",
        "RedactionTypes": ["PII"],
        "RedactedBy": ContactAnalysis.PORTAL,
        "RedactorVersion": detector.REDACTOR_VERSION,
    }
    body = json.dumps(out, ensure_ascii=False).encode()
    try:
        parsed = parse_analysis(out, "redacted.json")
    except (NotAnAnalysis, BadRecord) as error:
        raise _Unreadable(f"the original analysis cannot be read: {error}") from error
    types = [[e.type for e in r.entities] for r in results]
    if len(parsed.turns) != len(types):  # lens skipped items this module kept: types cannot be matched
        types = [[] for _ in parsed.turns]
    return _Made(body, out, parsed.turns, types, placed, parsed.channel)


def _ms(value) -> int | None:
    """An offset as Connect writes it (a number, sometimes a float or a string); None
    when it is not one, which means the turn cannot be placed."""
    try:
        return None if value is None else int(round(float(value)))
    except (TypeError, ValueError):
        return None


def _timestamps(turn: audio.TurnEntities) -> list[dict[str, int]]:
    try:
        spans = audio.turn_silence(turn, margin_ms=settings.PORTAL_REDACTION_MARGIN_MS)
    except audio.CannotPlace:
        return []
    return [{"BeginOffsetMillis": b, "EndOffsetMillis": e} for b, e in spans]


def recording_silence_spans(placed: list[audio.TurnEntities]) -> list[tuple[int, int]]:
    """Every span to silence in the call. Raises `audio.CannotPlace`."""
    margin = settings.PORTAL_REDACTION_MARGIN_MS
    return audio.merge_spans(span for turn in placed for span in audio.turn_silence(turn, margin_ms=margin))


def _redacted_recording(contact_id: str, analysis: ContactAnalysis, made: _Made, key: str) -> tuple[str, float]:
    """The silenced WAV's key and the share of the call silenced; no key when there is
    no original to silence or the spans cannot be placed."""
    recording = Recording.objects.filter(contact__contact_id=contact_id, status=Recording.AVAILABLE).first()
    if made.channel != "VOICE" or recording is None or not recording.location:
        return "", 0.0
    try:
        spans = recording_silence_spans(made.placed)
    except audio.CannotPlace:
        logger.warning("no redacted recording for %s: personal data in a turn without times", contact_id)
        return "", 0.0
    bucket, original = storage.split_location(recording.location)
    try:
        body, _ = storage.open_stream(bucket, original)
    except storage.ObjectMissing:
        return "", 0.0  # the lifecycle rule removed it: nothing to hear, nothing to make
    with tempfile.TemporaryFile() as out:
        try:
            result = audio.wav_silence(storage.read_chunks(body, what=original), out, spans)
        except audio.NotAWav as error:
            logger.warning("no redacted recording for %s: %s", contact_id, error)
            return "", 0.0
        out.seek(0)
        storage.put_file(analysis.bucket, key, out, content_type="audio/wav")
    return key, result.silenced_share


_TURN_COLUMNS = ("contact_id", "position", "participant_role", "begin_ms", "end_ms", "sentiment", "content",
                 "redacted_types")  # fmt: skip
_DOC_SQL = (
    "INSERT INTO search_transcriptsearchdoc (contact_id, version, document) "
    f"VALUES (%s, 'REDACTED', {DOCUMENT_SQL % ('%s', '%s', '%s')})"
)


def _commit(contact_id: str, source_key: str, made: _Made, json_key: str, wav_key: str) -> bool:
    """Store the redaction, unless the contact changed meanwhile (Contact Lens redacted
    it, a new original arrived, or its recording is being deleted)."""
    with transaction.atomic():
        analysis = ContactAnalysis.objects.select_for_update().filter(contact_id=contact_id).first()
        recording_going = (
            Recording.objects.select_for_update()
            .filter(contact__contact_id=contact_id, status__in=(Recording.DELETING, Recording.DELETED))
            .exists()
        )
        if analysis is None or analysis.original_key != source_key or recording_going:
            return False
        if analysis.redacted_by == ContactAnalysis.CONTACT_LENS or (analysis.redacted_key and not analysis.redacted_by):
            return False
        TranscriptTurn.objects.filter(contact_id=contact_id).delete()
        TranscriptTurn.objects.bulk_create(
            TranscriptTurn(contact_id=contact_id, position=position, participant_role=turn.role,
                           begin_ms=turn.begin_ms, end_ms=turn.end_ms, sentiment=turn.sentiment,
                           content=turn.content, redacted_types=types or None)
            for position, (turn, types) in enumerate(zip(made.turns, made.types, strict=True))
        )  # fmt: skip
        _replace_search_doc(contact_id, made)
        analysis.redacted_key, analysis.redacted_audio_key = json_key, wav_key
        analysis.redacted_by, analysis.redactor_version = ContactAnalysis.PORTAL, detector.REDACTOR_VERSION
        analysis.redacted_from_key = source_key
        analysis.save(
            update_fields=["redacted_key", "redacted_audio_key", "redacted_by", "redactor_version",
                           "redacted_from_key", "updated_at"]
        )  # fmt: skip
    return True


def _replace_search_doc(contact_id: str, made: _Made) -> None:
    from search.ingest.lens import Analysis

    redacted = Analysis(contact_id, made.channel, True, "", "", turns=made.turns)
    TranscriptSearchDoc.objects.filter(contact_id=contact_id).delete()
    with connection.cursor() as cursor:
        cursor.execute(_DOC_SQL, [contact_id, *search_text(redacted)])


def _remove_stale(bucket: str, contact_id: str) -> int:
    """Every version of the portal's files for this contact that the analysis row no
    longer names (earlier runs, and runs that lost a race)."""
    row = ContactAnalysis.objects.filter(contact_id=contact_id).values("redacted_key", "redacted_audio_key").first()
    keep = set(row.values()) if row else set()
    removed = 0
    for key in storage.keys_under(bucket, contact_prefix(contact_id)):
        if key not in keep:
            storage.delete_every_version(bucket, key)
            removed += 1
    return removed


def redaction_backfill(
    *, language: str | None = None, since=None, force: bool = False, batch: int = 200
) -> Iterator[RedactionOutcome]:
    """Redact every contact the portal should and has not (or not with this redactor)."""
    from redaction.selectors import contacts_to_redact

    for chunk in contacts_to_redact(language=language, since=since, force=force, batch=batch):
        yield from contacts_redact(contact_ids=chunk, force=force)


def redaction_queue_pending(*, language: str | None = None) -> int:
    """Queue every contact still to redact for the workers (the demo's back-fill);
    returns how many. Contacts already queued by ingest are queued again, harmlessly:
    the second run finds them up to date."""
    from redaction.selectors import contacts_to_redact

    queued = 0
    for chunk in contacts_to_redact(language=language, batch=TASK_CHUNK * 40):
        _publish([chunk[i : i + TASK_CHUNK] for i in range(0, len(chunk), TASK_CHUNK)])
        queued += len(chunk)
    return queued
