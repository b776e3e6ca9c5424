"""Writes for contact detail, transcripts and playback: audited reads, fetch jobs, the cache.

Deletion and legal hold live in `recordings.deletion` and are re-exported here.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

import kombu.exceptions
import redis.exceptions
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal import worker_presence
from portal.audit.services import audit_record
from portal.celery import QueueUnavailable, publish
from recordings import audio_cache, job_events, policy, selectors, storage
from recordings.deletion import (  # noqa: F401 - part of this module's interface
    DeletionRefused,
    legal_hold_clear,
    legal_hold_set,
    recording_delete_request,
    recording_delete_run,
)
from recordings.models import ORIGINAL, Recording, RecordingFetchJob
from redaction.selectors import Provenance, redaction_provenance
from search.models import Contact

logger = logging.getLogger(__name__)

# A running fetch that has not reported progress for this long is presumed dead.
FETCH_STALE_SECONDS = 60
# A queued job nobody picked up for this long gets its message sent again.
REQUEUE_AFTER_SECONDS = 30
PROGRESS_EVERY_SECONDS = 0.25

# Stored untranslated (workers have no user language); translated when shown.
NOT_IN_STORAGE = gettext_noop("The recording is not in storage; the bucket's lifecycle rule may have removed it.")
QUEUE_DOWN = gettext_noop(
    "The recording service is unavailable (the job queue cannot be reached). Search still works; try again later."
)
STORAGE_RETRYING = gettext_noop("Storage is not answering; retrying.")
STORAGE_DOWN = gettext_noop("Storage could not be reached; try again later.")
NOT_A_WAV = gettext_noop("The stored recording is not a valid WAV file.")
GONE = gettext_noop("The recording has been deleted.")
EXPIRED = gettext_noop("The cached copy has expired; press play again.")
NO_WORKER = gettext_noop(
    "No recording worker is running right now; the recording will be fetched as soon as one starts. Search still works."
)
FETCH_BROKE = gettext_noop("The recording could not be fetched because of an internal error; it has been logged.")

ENQUEUE_ERRORS = (QueueUnavailable, kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError)


# --- Audited views ----------------------------------------------------------------


def contact_view_record(*, contact: Contact, user, request=None) -> None:
    audit_record(action="contact_view", actor=user, request=request, contact_id=contact.contact_id)


@dataclass(frozen=True)
class Transcript:
    version: str | None
    state: str
    turns: list[dict[str, Any]]
    # Who made the redacted text (Contact Lens or the portal); None for the original.
    redaction: Provenance | None = None


def transcript_read(*, contact: Contact, user, version: str, reason: str = "", request=None) -> Transcript:
    """The transcript in `version`, audited. Raises `policy.Denied` or `storage.StorageError`."""
    state = selectors.media_state(contact)
    granted = user.connect_permissions
    policy.check_transcript(granted, state, version, reason)
    shown = policy.transcript_state(granted, state, version)
    if shown != policy.AVAILABLE:
        return Transcript(version, shown, [])
    turns = selectors.original_turns(contact) if version == ORIGINAL else selectors.redacted_turns(contact)
    details = {"version": version, "turns": len(turns)}
    if reason:
        details["reason"] = reason
    audit_record(action="transcript_view", actor=user, request=request, contact_id=contact.contact_id, details=details)
    return Transcript(version, shown, turns, _provenance(contact, version))


def _provenance(contact: Contact, version: str) -> Provenance | None:
    return redaction_provenance(selectors.analysis_for(contact)) if version != ORIGINAL else None


def transcript_download(*, contact: Contact, user, version: str, reason: str = "", request=None) -> Transcript:
    state = selectors.media_state(contact)
    policy.check_transcript_download(user.connect_permissions, state, version, reason)
    turns = selectors.original_turns(contact) if version == ORIGINAL else selectors.redacted_turns(contact)
    details = {"version": version, "reason": reason} if reason else {"version": version}
    audit_record(
        action="transcript_download", actor=user, request=request, contact_id=contact.contact_id, details=details
    )
    return Transcript(version, policy.AVAILABLE, turns, _provenance(contact, version))


@dataclass(frozen=True)
class Download:
    """Either an open cached file or a stream of chunks from S3."""

    size: int
    handle: BinaryIO | None = None
    chunks: Iterator[bytes] | None = None


def recording_download(*, contact: Contact, user, version: str, reason: str = "", request=None) -> Download:
    """A recording to save, audited. Served from the cache when a fetch already
    brought it; otherwise streamed straight from S3 (never kept)."""
    policy.check_download(user.connect_permissions, selectors.media_state(contact), version, reason)
    details = {"version": version, "reason": reason} if reason else {"version": version}
    audit_record(
        action="recording_download", actor=user, request=request, contact_id=contact.contact_id, details=details
    )
    try:
        handle = open(audio_cache.cache_path(contact.contact_id, version), "rb")  # closed by the response
    except FileNotFoundError:
        bucket, key = selectors.audio_source(contact, version)
        body, size = storage.open_stream(bucket, key)
        return Download(size=size, chunks=storage.read_chunks(body, what=f"s3://{bucket}/{key}"))
    return Download(size=os.fstat(handle.fileno()).st_size, handle=handle)


# --- Fetch jobs: requesting ------------------------------------------------------


def recording_fetch_request(
    *, contact: Contact, user, version: str, reason: str = "", request=None
) -> RecordingFetchJob:
    """Start (or join) the fetch of one version; audited as a play. Raises `policy.Denied`."""
    policy.check_play(user.connect_permissions, selectors.media_state(contact), version, reason)
    with transaction.atomic():
        job, send = _join_or_create(contact, user, version)
        details = {"version": version, "job": job.pk}
        if reason:
            details["reason"] = reason
        audit_record(
            action="recording_play", actor=user, request=request, contact_id=contact.contact_id, details=details
        )
        if send:
            transaction.on_commit(partial(_enqueue_fetch, job))
    return job


def _join_or_create(contact: Contact, user, version: str) -> tuple[RecordingFetchJob, bool]:
    job = _live_job(contact, version)
    if job is not None and job.status == RecordingFetchJob.READY and not _cached(contact, version):
        _finish(job.pk, RecordingFetchJob.FAILED, EXPIRED)
        job = None
    if job is not None:
        send = job.status != RecordingFetchJob.READY and _looks_abandoned(job)
    else:
        job, send = _create_or_share(contact, user, version)
    job.requesters.add(user)
    return job, send


def _create_or_share(contact: Contact, user, version: str) -> tuple[RecordingFetchJob, bool]:
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return RecordingFetchJob.objects.create(contact=contact, version=version, requested_by=user), True
        except IntegrityError:
            # Another request created the live job a moment ago: share it.
            job = _live_job(contact, version)
            if job is not None:
                return job, False
    raise RuntimeError("could not create or find the live fetch job")


def _cached(contact: Contact, version: str) -> bool:
    # Only complete, validated files carry the final name.
    return audio_cache.cache_path(contact.contact_id, version).is_file()


def _live_job(contact: Contact, version: str) -> RecordingFetchJob | None:
    return (
        RecordingFetchJob.objects.select_for_update()
        .filter(contact=contact, version=version, status__in=RecordingFetchJob.LIVE)
        .first()
    )


def _looks_abandoned(job: RecordingFetchJob) -> bool:
    now = timezone.now()
    if job.status == RecordingFetchJob.QUEUED:
        return job.updated_at < now - timedelta(seconds=REQUEUE_AFTER_SECONDS)
    return job.heartbeat_at is None or job.heartbeat_at < now - timedelta(seconds=FETCH_STALE_SECONDS)


def _enqueue_fetch(job: RecordingFetchJob) -> None:
    """Send the job to the workers; when the queue does not take it within about a
    second, fail the job at once so the user is told instead of waiting."""
    from recordings.tasks import fetch_recording

    try:
        publish(fetch_recording, (job.pk,))
    except ENQUEUE_ERRORS as error:
        logger.warning("cannot enqueue recording fetch %s: %s", job.pk, error)
        failed = {"status": RecordingFetchJob.FAILED, "message": QUEUE_DOWN, "finished_at": timezone.now()}
        if RecordingFetchJob.objects.filter(pk=job.pk, status=RecordingFetchJob.QUEUED).update(**failed):
            for name, value in failed.items():
                setattr(job, name, value)


# --- Fetch jobs: running (in the worker) -----------------------------------------


class _LostClaim(Exception):
    """Another run took the job over, or it was cancelled (e.g. by a deletion)."""


def recording_fetch_run(*, job_id: int, take_over: bool = False) -> str | None:
    """Fetch the job's file into the cache. Returns the final status, or None if this
    run did not get the job. Raises `storage.StorageError` for transient failures
    (the job is put back in the queue first)."""
    run = uuid.uuid4().hex
    if not _claim(job_id, run, take_over):
        return None
    job = RecordingFetchJob.objects.select_related("contact__recording", "contact__analysis").get(pk=job_id)
    if not selectors.media_state(job.contact).recording_live:
        return _finish(job_id, RecordingFetchJob.FAILED, GONE, run=run)
    try:
        return _download(job, run)
    except storage.ObjectMissing:
        return _finish(job_id, RecordingFetchJob.FAILED, NOT_IN_STORAGE, run=run)
    except audio_cache.InvalidAudio:
        return _finish(job_id, RecordingFetchJob.FAILED, NOT_A_WAV, run=run)
    except _LostClaim:
        return None
    except storage.StorageError:
        _requeue(job_id, run)
        raise


def _claim(job_id: int, run: str, take_over: bool) -> bool:
    now = timezone.now()
    takeable = Q(status=RecordingFetchJob.QUEUED) | Q(
        status=RecordingFetchJob.RUNNING, heartbeat_at__lt=now - timedelta(seconds=FETCH_STALE_SECONDS)
    )
    if take_over:  # a redelivered message: the run that held it is gone
        takeable |= Q(status=RecordingFetchJob.RUNNING)
    return bool(
        RecordingFetchJob.objects.filter(Q(pk=job_id) & takeable).update(
            status=RecordingFetchJob.RUNNING,
            claim=run,
            attempts=F("attempts") + 1,
            heartbeat_at=now,
            bytes_done=0,
            message="",
        )
    )


def _download(job: RecordingFetchJob, run: str) -> str:
    bucket, key = selectors.audio_source(job.contact, job.version)
    final = audio_cache.cache_path(job.contact.contact_id, job.version)
    size = audio_cache.download(bucket, key, final, _progress_reporter(job.pk, run))
    # Ready only if the recording is still there: a deletion may have begun meanwhile.
    if _mark_ready(job.pk, run, final, size):
        return RecordingFetchJob.READY
    if not selectors.recording_live_now(job.contact):
        # The copy must not outlive the recording.
        audio_cache.evict(job.contact.contact_id)
        return _finish(job.pk, RecordingFetchJob.FAILED, GONE, run=run)
    return RecordingFetchJob.objects.get(pk=job.pk).status  # another run took over


def _mark_ready(job_id: int, run: str, final: Path, size: int) -> bool:
    """READY, if this run still owns the job and the recording is still available, and
    the waiting requests told, in one statement: the listener wakes the moment it commits."""
    jobs, recordings = RecordingFetchJob._meta.db_table, Recording._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH ready AS (
                UPDATE {jobs} AS job
                   SET status = %s, cache_path = %s, bytes_done = %s, bytes_total = %s, finished_at = now(),
                       message = '', updated_at = now()
                  FROM {recordings} AS recording
                 WHERE job.id = %s AND job.claim = %s AND job.status = %s
                   AND recording.contact_id = job.contact_id AND recording.status = %s
             RETURNING job.id
            )
            SELECT pg_notify(%s, id::text) FROM ready
            """,
            [RecordingFetchJob.READY, str(final), size, size, job_id, run, RecordingFetchJob.RUNNING,
             Recording.AVAILABLE, job_events.CHANNEL],
        )  # fmt: skip
        return cursor.fetchone() is not None


def _progress_reporter(job_id: int, run: str):
    """Progress (and a heartbeat) at most every PROGRESS_EVERY_SECONDS; a small file
    is fetched before the first report is due and costs no extra write."""
    started = time.monotonic()
    last = [started]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_SECONDS:
            return
        last[0] = now
        if not _mine(job_id, run).update(bytes_done=done, bytes_total=total, heartbeat_at=timezone.now()):
            raise _LostClaim

    return report


def _mine(job_id: int, run: str):
    return RecordingFetchJob.objects.filter(pk=job_id, claim=run, status=RecordingFetchJob.RUNNING)


def _requeue(job_id: int, run: str) -> None:
    _mine(job_id, run).update(status=RecordingFetchJob.QUEUED, message=STORAGE_RETRYING, claim="")


def _finish(job_id: int, status: str, message: str, *, run: str | None = None) -> str:
    rows = RecordingFetchJob.objects.filter(pk=job_id)
    rows = rows.filter(claim=run) if run else rows
    if rows.update(status=status, message=message, finished_at=timezone.now()):
        job_events.job_finished(job_id)
    return status


def recording_fetch_give_up(*, job_id: int, storage_failed: bool = True) -> None:
    """Retries exhausted (or an unexpected error): tell the user instead of leaving the job pending."""
    gave_up = RecordingFetchJob.objects.filter(
        pk=job_id, status__in=[RecordingFetchJob.QUEUED, RecordingFetchJob.RUNNING]
    ).update(
        status=RecordingFetchJob.FAILED,
        message=STORAGE_DOWN if storage_failed else FETCH_BROKE,
        finished_at=timezone.now(),
    )
    if gave_up:
        job_events.job_finished(job_id)


def job_message(job: RecordingFetchJob) -> str:
    """The job's message in the user's language, with a hint when no worker is taking it."""
    if job.status == RecordingFetchJob.QUEUED and not job.message:
        if not worker_presence.workers_present():
            return _(NO_WORKER)
        if (timezone.now() - job.created_at).total_seconds() > 10:
            return _("Waiting for a recording worker; if this lasts, the workers may be down.")
    return _(job.message) if job.message else ""


# --- The cache ---------------------------------------------------------------------


def recording_cache_sweep() -> audio_cache.SweepResult:
    """Expire and trim the cache, then retire the jobs whose files went."""
    result = audio_cache.sweep()
    gone = [str(path) for path in result.removed]
    if gone:
        RecordingFetchJob.objects.filter(status=RecordingFetchJob.READY, cache_path__in=gone).update(
            status=RecordingFetchJob.FAILED, message=EXPIRED, finished_at=timezone.now()
        )
    return result
