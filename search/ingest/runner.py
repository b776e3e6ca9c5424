"""One ingest run over one or more sources: classify each object, parse it, write in
batches, and remember which objects (by ETag or content hash) have been read.

An object is marked as read in the same transaction as the last batch holding its
data, so a crash re-reads it rather than skipping it. Bad records and files are
recorded with their source, position and reason; the rest goes in.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, islice

from django.db import transaction

from search.ingest import lens
from search.ingest.analysis_writer import analyses_upsert, redacted_audio_seen
from search.ingest.directory import DirectoryCache, DirectorySeen
from search.ingest.pipeline import Pipeline
from search.ingest.prepare import Prepared, Preparer
from search.ingest.sources import Segment, SourceObject, iter_segments
from search.ingest.twins import without_settled_originals
from search.ingest.writer import SealedContact, contacts_upsert
from search.models import IngestedObject, IngestRejection

log = logging.getLogger(__name__)

CONTACT_BATCH = 2000
PREFETCH = 64
SEEN_LOOKUP_CHUNK = 1000  # listed objects per "already read?" query
ANALYSIS_BATCH = 500  # files per transaction: each batch costs a dozen round trips
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
_UUID = r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}"
_REDACTED_WAV = re.compile(rf"Analysis/Voice/Redacted/.*?({_UUID})_call_recording_redacted_")


@dataclass
class Rejection:
    source: str
    position: str
    reason: str

    def __str__(self) -> str:
        where = f" {self.position}" if self.position else ""
        return f"{self.source}{where}: {self.reason}"


@dataclass
class IngestReport:
    contacts: int = 0
    analyses: int = 0
    # Originals settled by their redacted twin: counted in `analyses`, never downloaded.
    originals_not_downloaded: int = 0
    objects_read: int = 0
    objects_already_read: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    # Time per stage: parse and crypto summed over the worker processes (they overlap
    # with each other and with the writes), write as waited for by this process.
    seconds: dict[str, float] = field(default_factory=lambda: {"parse": 0.0, "crypto": 0.0, "write": 0.0})

    def summary(self) -> str:
        return f"ingested {self.contacts} contacts, {self.analyses} analyses; skipped {len(self.rejections)} records"


class IngestRun:
    def __init__(self, *, force: bool = False) -> None:
        self.force = force
        self.report = IngestReport()
        self.directory = DirectoryCache()
        self._contacts: list[SealedContact] = []
        self._seen = DirectorySeen()
        self._analyses: list[tuple[lens.Analysis, str, str]] = []
        self._pending_objects: list[SourceObject] = []
        self._pending_rejections: list[IngestRejection] = []

    def ingest(self, source: str) -> None:
        """Raises `SourceUnreadable` only when the source itself cannot be listed."""
        for segment in iter_segments(source):
            self._ingest_segment(segment)
            # Written before the next segment is listed: its originals look for these twins.
            self.flush()

    def _ingest_segment(self, segment: Segment) -> None:
        unread = segment if self.force else self._unread(segment)
        fresh = without_settled_originals(unread, self._settled)
        # Worker processes only pay off for a large segment: look at the first objects listed.
        head = list(islice(fresh, PREFETCH))
        if not head:
            return
        parallel = len(head) == PREFETCH or sum(obj.size for obj in head) >= PARALLEL_MIN_BYTES
        # Created first, so its worker processes fork before any reader thread exists.
        with Preparer(parallel=parallel) as preparer:
            pipeline = Pipeline(preparer)
            try:
                # Listing, and settling originals by their twins, stay on this thread with
                # the writes: they use the database.
                for obj in chain(head, fresh):
                    pipeline.feed(obj)
                    while pipeline.full:
                        self._read_object(*pipeline.take())
                for obj, prepared in pipeline.drain():
                    self._read_object(obj, prepared)
            except BaseException:
                pipeline.cancel()
                raise

    def _settled(self, originals: list[SourceObject]) -> None:
        self._mark_read(originals)
        self.report.analyses += len(originals)
        self.report.originals_not_downloaded += len(originals)

    def _unread(self, objects: Segment) -> Iterator[SourceObject]:
        """The objects not read before (same source, same ETag or content hash), looked
        up one listing chunk at a time: a bucket holds years of objects, and loading all
        of their bookkeeping for every poll would not scale."""
        while chunk := list(islice(objects, SEEN_LOOKUP_CHUNK)):
            sources = [obj.uri[:2048] for obj in chunk]
            seen = set(IngestedObject.objects.filter(source__in=sources).values_list("source", "etag"))
            for obj in chunk:
                if (obj.uri[:2048], obj.fingerprint[:128]) in seen:
                    self.report.objects_already_read += 1
                else:
                    yield obj

    def _read_object(self, obj: SourceObject, prepared: Prepared | Exception | None) -> None:
        self.report.objects_read += 1
        if prepared is None:
            self._audio_object(obj)
            return
        if isinstance(prepared, Exception):
            self._reject(obj, "", f"could not read: {prepared}")
            return
        self.report.seconds["parse"] += prepared.parse_seconds
        self.report.seconds["crypto"] += prepared.crypto_seconds
        for position, reason in prepared.rejections:
            self._reject(obj, position, reason)
        if prepared.kind == "unreadable":
            # Marked read all the same: its ETag pins the broken content, and a corrected
            # upload gets a new one. Only a failed download is tried again.
            self._pending_objects.append(obj)
            return
        self._contacts.extend(prepared.contacts)
        self._seen.update(prepared.directory)
        if prepared.analysis is not None:
            self._analyses.append((prepared.analysis, obj.bucket, obj.key))
        self._pending_objects.append(obj)
        if len(self._contacts) >= CONTACT_BATCH or len(self._analyses) >= ANALYSIS_BATCH:
            self.flush()

    def _audio_object(self, obj: SourceObject) -> None:
        match = _REDACTED_WAV.search(obj.key)
        if match and obj.bucket:
            redacted_audio_seen(obj.bucket, obj.key, match.group(1))
        self._mark_read([obj])

    def _reject(self, obj: SourceObject, position: str, reason: str) -> None:
        """Recorded with the next batch, in its transaction: a batch that fails leaves
        no rejection behind, so reading the object again does not record it twice."""
        self.report.rejections.append(Rejection(obj.uri, position, reason))
        self._pending_rejections.append(IngestRejection(source=obj.uri[:2048], position=position[:64], reason=reason))

    def flush(self) -> None:
        contacts, seen, analyses, objects = self._contacts, self._seen, self._analyses, self._pending_objects
        rejections = self._pending_rejections
        self._contacts, self._seen, self._analyses, self._pending_objects = [], DirectorySeen(), [], []
        self._pending_rejections = []
        if not (contacts or analyses or objects or rejections):
            return
        started = time.perf_counter()
        with transaction.atomic():
            self.report.contacts += contacts_upsert(contacts, seen, self.directory)
            self.report.analyses += analyses_upsert(analyses)
            self._mark_read(objects)
            IngestRejection.objects.bulk_create(rejections)
        self.report.seconds["write"] += time.perf_counter() - started

    def _mark_read(self, objects: list[SourceObject]) -> None:
        IngestedObject.objects.bulk_create(
            [IngestedObject(source=o.uri[:2048], etag=o.fingerprint[:128], kind="object") for o in objects],
            ignore_conflicts=True,
        )


def ingest_sources(sources: list[str], *, force: bool = False) -> IngestReport:
    run = IngestRun(force=force)
    for source in sources:
        run.ingest(source)
    return run.report
