"""Turning one object's bytes into what the writer needs, without touching the database.

Decoding, parsing and encrypting are CPU-bound, so `Preparer` runs them in a few
worker processes, fed by the ingest pipeline's thread (search/ingest/pipeline.py)
while the writer waits on PostgreSQL. Results come back in listing order, so batching
and "marked read with its last batch" stay as before.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings

from portal import crypto
from search.ingest import ctr, lens
from search.ingest.analysis_writer import search_text
from search.ingest.decode import BadDocument, TruncatedFile, UnreadableFile, iter_documents_with_text, to_text
from search.ingest.directory import DirectorySeen
from search.ingest.sources import SourceObject
from search.ingest.writer import SealedContact, seal

# Two cores: two workers keep both busy while the parent mostly waits on PostgreSQL.
WORKERS = min(4, os.cpu_count() or 1)
# Objects handed to the workers and not yet passed on: enough to keep both busy.
# Counted in bytes as well as objects, since Firehose objects range from a few records
# to many thousands. The pipeline's backlog limit counts this window (see Pipeline.full).
AHEAD_OBJECTS = 256
AHEAD_BYTES = 16 * 1024 * 1024
_ANALYSIS_KEY = re.compile(r"(^|/)Analysis/(Voice|Chat)/")
_ESCAPED_NUL = "\\u0000"
_ANALYSIS_NAME = re.compile(r"_analysis_(redacted_)?\d{4}-\d{2}-\d{2}T|contact_lens")


@dataclass
class Prepared:
    """One object: its contact records (sealed) or analysis, and what was rejected."""

    kind: str  # "ctr", "analysis", "empty" or "unreadable"
    contacts: list[SealedContact] = field(default_factory=list)
    directory: DirectorySeen = field(default_factory=DirectorySeen)
    analysis: lens.Analysis | None = None
    rejections: list[tuple[str, str]] = field(default_factory=list)  # (position, reason)
    parse_seconds: float = 0.0
    crypto_seconds: float = 0.0


def looks_like_analysis_key(key: str) -> bool:
    """Named like a Contact Lens file, so even unparseable it is rejected whole."""
    return bool(_ANALYSIS_KEY.search(key) or _ANALYSIS_NAME.search(key.rsplit("/", 1)[-1]))


def prepare(key: str, data: bytes) -> Prepared:
    started = time.perf_counter()
    truncated = []
    try:
        text = to_text(data)
    except TruncatedFile as error:
        text, truncated = error.text, [("", f"{error}; what came before the cut was read")]
    except UnreadableFile as error:
        return Prepared("unreadable", rejections=[("", str(error))])
    pairs = list(iter_documents_with_text(text))
    if not pairs:
        return Prepared("empty", rejections=[*truncated, ("", "no JSON documents in file")])
    first = pairs[0][0]
    if isinstance(first, dict) and lens.looks_like_analysis(first) or looks_like_analysis_key(key):
        result = _analysis_file(key, [doc for doc, _ in pairs], holds_nul=_ESCAPED_NUL in text)
        result.rejections[:0] = truncated
        result.parse_seconds = time.perf_counter() - started
        return result
    result = Prepared("ctr", rejections=truncated)
    records = []
    for number, (doc, raw) in enumerate(pairs, start=1):
        if isinstance(doc, BadDocument):
            result.rejections.append((doc.position, doc.reason))
        elif _ESCAPED_NUL in (raw or json.dumps(doc)):
            # PostgreSQL text cannot hold it, and Connect never writes one.
            result.rejections.append((f"record {number}", "record holds a NUL character (U+0000)"))
        elif "ContactId" in doc or "AWSContactTraceRecordFormatVersion" in doc:
            try:
                records.append(ctr.parse_record(doc, raw_text=raw, instance_arn=settings.CONNECT_INSTANCE_ARN))
            except ctr.BadRecord as error:
                result.rejections.append((f"record {number}", str(error)))
        else:
            result.rejections.append((f"record {number}", "neither a contact record nor a Contact Lens analysis"))
    parsed = time.perf_counter()
    for record in records:
        result.directory.add(record)
        result.contacts.append(seal(record))
    result.parse_seconds, result.crypto_seconds = parsed - started, time.perf_counter() - parsed
    return result


def _analysis_file(key: str, documents: list, *, holds_nul: bool = False) -> Prepared:
    """A Contact Lens file is exactly one JSON document; anything else rejects the whole file."""
    result = Prepared("analysis")
    problems = [d for d in documents if isinstance(d, BadDocument)]
    if problems:
        result.rejections.append((problems[0].position, f"analysis file is not valid JSON ({problems[0].reason})"))
    elif len(documents) != 1:
        result.rejections.append(("", f"analysis file holds {len(documents)} JSON documents, expected one"))
    elif holds_nul:
        result.rejections.append(("", "analysis file holds a NUL character (U+0000)"))
    else:
        try:
            analysis = lens.parse_analysis(documents[0], key)
            # Tokenising for the search document is CPU work too: do it here, not in the writer.
            analysis.search_text = search_text(analysis)
            if not analysis.redacted:
                analysis.turns = []  # only redacted turns are stored: do not send these back
            result.analysis = analysis
        except (ctr.BadRecord, lens.NotAnAnalysis) as error:
            result.rejections.append(("", str(error)))
        except (AttributeError, TypeError, ValueError) as error:
            # A part of another shape than Contact Lens writes (a list for an object, ...).
            result.rejections.append(("", f"not a Contact Lens analysis of the expected shape: {error}"))
    return result


class Preparer:
    """`prepare` over a stream of objects, in worker processes when allowed.

    Celery's prefork children are daemonic and may not have children of their own,
    so there (or with WORKERS <= 1, or for small sources where starting processes
    costs more than it saves) everything runs in this process instead.
    """

    def __init__(self, *, parallel: bool = True) -> None:
        self.pool: ProcessPoolExecutor | None = None
        if parallel and WORKERS > 1 and not multiprocessing.current_process().daemon:
            crypto.load_keys()  # children inherit the key instead of each asking KMS
            # fork: the children inherit Django's set-up and keys; they never touch the
            # database. Forked now, before the S3 reader threads exist.
            self.pool = ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("fork"))
            self.pool.submit(int).result()  # starts every worker now (fork starts them all at once)

    def __enter__(self) -> Preparer:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def map(
        self, objects: Iterable[tuple[SourceObject, bytes | Exception | None]]
    ) -> Iterator[tuple[SourceObject, Prepared | Exception | None]]:
        """Objects with their bytes in, prepared in order out; audio (None) and read
        errors pass through untouched."""
        if self.pool is None:
            for obj, data in objects:
                yield obj, (prepare(obj.key, data) if isinstance(data, bytes) else data)
            return
        window: deque[tuple[SourceObject, Future | Exception | None]] = deque()
        in_flight = 0
        for obj, data in objects:
            window.append((obj, self.pool.submit(prepare, obj.key, data) if isinstance(data, bytes) else data))
            in_flight += obj.size
            while len(window) >= AHEAD_OBJECTS or in_flight >= AHEAD_BYTES:
                in_flight -= window[0][0].size
                yield _resolved(*window.popleft())
        while window:
            yield _resolved(*window.popleft())


def _resolved(obj: SourceObject, value: Future | Exception | None) -> tuple[SourceObject, Prepared | Exception | None]:
    return obj, (value.result() if isinstance(value, Future) else value)
