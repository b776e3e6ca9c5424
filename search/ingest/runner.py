"""One ingest run over one or more sources: classify each object, parse it, write in
batches, and remember which objects (by ETag or content hash) have been read.

An object is marked as read in the same transaction as the last batch holding its
data, so a crash re-reads it rather than skipping it. Bad records and files are
recorded with their source, position and reason; the rest goes in.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from search.ingest import ctr, lens
from search.ingest.decode import BadDocument, UnreadableFile, iter_documents_with_text, to_text
from search.ingest.sources import SourceObject, iter_source
from search.ingest.writer import DirectoryCache, analyses_upsert, contacts_upsert, redacted_audio_seen
from search.models import IngestedObject, IngestRejection

log = logging.getLogger(__name__)

CONTACT_BATCH = 2000
READ_THREADS = 16
PREFETCH = 64
ANALYSIS_BATCH = 200
_UUID = r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}"
_ANALYSIS_KEY = re.compile(r"(^|/)Analysis/(Voice|Chat)/")
_ANALYSIS_NAME = re.compile(r"_analysis_(redacted_)?\d{4}-\d{2}-\d{2}T|contact_lens")
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
    objects_read: int = 0
    objects_already_read: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    def summary(self) -> str:
        return f"ingested {self.contacts} contacts, {self.analyses} analyses; skipped {len(self.rejections)} records"


class IngestRun:
    def __init__(self, *, force: bool = False) -> None:
        self.force = force
        self.report = IngestReport()
        self.directory = DirectoryCache()
        self._contacts: list[ctr.ContactRecord] = []
        self._analyses: list[tuple[lens.Analysis, str, str]] = []
        self._pending_objects: list[SourceObject] = []

    def ingest(self, source: str) -> None:
        """Raises `SourceUnreadable` only when the source itself cannot be listed."""
        seen = self._already_read(source)
        fresh = (obj for obj in iter_source(source) if self.force or not self._skip(obj, seen))
        for obj, data in _prefetched(fresh):
            self._read_object(obj, data)
        self.flush()

    def _skip(self, obj: SourceObject, seen: set[tuple[str, str]]) -> bool:
        if (obj.uri, obj.fingerprint) in seen:
            self.report.objects_already_read += 1
            return True
        return False

    def _already_read(self, source: str) -> set[tuple[str, str]]:
        """Only the bookkeeping under this source: local sources are recorded by resolved path."""
        prefix = source if source.startswith("s3://") else str(Path(source).resolve())
        rows = IngestedObject.objects.filter(source__startswith=prefix).values_list("source", "etag")
        return set(rows)

    def _read_object(self, obj: SourceObject, data: bytes | Exception | None) -> None:
        self.report.objects_read += 1
        if data is None:
            self._audio_object(obj)
            return
        if isinstance(data, Exception):
            self._reject(obj, "", f"could not read: {data}")
            return
        try:
            text = to_text(data)
        except UnreadableFile as error:
            self._reject(obj, "", str(error))
            return
        kind = self._read_documents(obj, text)
        self._pending_objects.append(obj)
        if kind == "empty":
            self._reject(obj, "", "no JSON documents in file")
        if len(self._contacts) >= CONTACT_BATCH or len(self._analyses) >= ANALYSIS_BATCH:
            self.flush()

    def _read_documents(self, obj: SourceObject, text: str) -> str:
        pairs = list(iter_documents_with_text(text))
        if not pairs:
            return "empty"
        documents = [doc for doc, _ in pairs]
        first = documents[0]
        if isinstance(first, dict) and lens.looks_like_analysis(first) or self._looks_like_broken_analysis(obj):
            return self._read_analysis_file(obj, documents)
        for number, (doc, raw) in enumerate(pairs, start=1):
            if isinstance(doc, BadDocument):
                self._reject(obj, doc.position, doc.reason)
            elif "ContactId" in doc or "AWSContactTraceRecordFormatVersion" in doc:
                try:
                    self._contacts.append(ctr.parse_record(doc, raw_text=raw))
                except ctr.BadRecord as error:
                    self._reject(obj, f"record {number}", str(error))
            else:
                self._reject(obj, f"record {number}", "neither a contact record nor a Contact Lens analysis")
        return "ctr"

    @staticmethod
    def _looks_like_broken_analysis(obj: SourceObject) -> bool:
        """Named like a Contact Lens file, so even unparseable it is rejected whole."""
        return bool(_ANALYSIS_KEY.search(obj.key) or _ANALYSIS_NAME.search(obj.key.rsplit("/", 1)[-1]))

    def _read_analysis_file(self, obj: SourceObject, documents: list) -> str:
        """A Contact Lens file is exactly one JSON document; anything else rejects the whole file."""
        problems = [d for d in documents if isinstance(d, BadDocument)]
        if problems:
            self._reject(obj, problems[0].position, f"analysis file is not valid JSON ({problems[0].reason})")
        elif len(documents) != 1:
            self._reject(obj, "", f"analysis file holds {len(documents)} JSON documents, expected one")
        else:
            try:
                self._analyses.append((lens.parse_analysis(documents[0], obj.key), obj.bucket, obj.key))
            except (ctr.BadRecord, lens.NotAnAnalysis) as error:
                self._reject(obj, "", str(error))
        return "analysis"

    def _audio_object(self, obj: SourceObject) -> None:
        match = _REDACTED_WAV.search(obj.key)
        if match and obj.bucket:
            redacted_audio_seen(obj.bucket, obj.key, match.group(1))
        self._mark_read([obj])

    def _reject(self, obj: SourceObject, position: str, reason: str) -> None:
        self.report.rejections.append(Rejection(obj.uri, position, reason))
        IngestRejection.objects.create(source=obj.uri[:2048], position=position[:64], reason=reason)

    def flush(self) -> None:
        contacts, analyses, objects = self._contacts, self._analyses, self._pending_objects
        self._contacts, self._analyses, self._pending_objects = [], [], []
        if not (contacts or analyses or objects):
            return
        with transaction.atomic():
            self.report.contacts += contacts_upsert(contacts, self.directory)
            self.report.analyses += analyses_upsert(analyses)
            self._mark_read(objects)

    def _mark_read(self, objects: list[SourceObject]) -> None:
        IngestedObject.objects.bulk_create(
            [IngestedObject(source=o.uri[:2048], etag=o.fingerprint[:128], kind="object") for o in objects],
            ignore_conflicts=True,
        )


def _is_audio(obj: SourceObject) -> bool:
    return obj.key.lower().endswith(".wav")


def _read(obj: SourceObject) -> bytes | Exception | None:
    """The object's bytes; None for audio (never downloaded here); the error if reading failed."""
    if _is_audio(obj):
        return None
    try:
        return obj.read()
    except Exception as error:  # noqa: BLE001 - one unreadable object must not stop the run
        return error


def _prefetched(objects: Iterator[SourceObject]) -> Iterator[tuple[SourceObject, bytes | Exception | None]]:
    """Reads objects ahead on a few threads (S3 latency, not bandwidth, is the limit),
    yielding them in listing order with at most PREFETCH objects in memory."""
    with ThreadPoolExecutor(READ_THREADS) as pool:
        window: deque[tuple[SourceObject, Future]] = deque()
        for obj in objects:
            window.append((obj, pool.submit(_read, obj)))
            if len(window) >= PREFETCH:
                first, future = window.popleft()
                yield first, future.result()
        while window:
            first, future = window.popleft()
            yield first, future.result()


def ingest_sources(sources: list[str], *, force: bool = False) -> IngestReport:
    run = IngestRun(force=force)
    for source in sources:
        run.ingest(source)
    return run.report
