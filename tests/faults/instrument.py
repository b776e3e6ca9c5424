"""Slow-downs and markers that let a test strike at a known point of a real process.

Read from the environment by the suite's worker app and ingest entry point, so the
code under test runs unchanged; only its pace changes. Each marker is one line
appended to FAULT_MARK_FILE, which the test waits for before it kills or pauses.

FAULT_BATCH             contacts and analyses per ingest batch (several batches per run)
FAULT_FLUSH_DELAY       seconds the second ingest batch waits inside its transaction,
                        rows written but not committed ("flush N" marks each batch)
FAULT_READ_DELAY        seconds before each object an ingest reads ("read N")
FAULT_CHUNK_DELAY       seconds after each chunk of a recording fetch ("chunk N")
FAULT_DELETE_DELAY      seconds before each S3 key a deletion removes ("delete N")
"""

from __future__ import annotations

import os
import threading
import time

_lock = threading.Lock()
_counts: dict[str, int] = {}


def mark(name: str) -> None:
    path = os.environ.get("FAULT_MARK_FILE")
    with _lock:
        _counts[name] = _counts.get(name, 0) + 1
        count = _counts[name]
    if path:
        with open(path, "a") as out:
            out.write(f"{os.getpid()} {name} {count}\n")


def reset() -> None:
    """Markers count from the start of each task, so every poll pauses at its own batch 2."""
    with _lock:
        _counts.clear()


def _delay(name: str) -> float:
    return float(os.environ.get(name) or 0)


def install() -> None:
    _ingest()
    _fetch()
    _deletion()


def _ingest() -> None:
    from search.ingest import pipeline, runner

    batch = int(os.environ.get("FAULT_BATCH") or 0)
    if batch:
        runner.CONTACT_BATCH = runner.ANALYSIS_BATCH = batch
    flush_delay, read_delay = _delay("FAULT_FLUSH_DELAY"), _delay("FAULT_READ_DELAY")
    if flush_delay:
        upsert = runner.analyses_upsert

        def slow_upsert(items):
            written = upsert(items)
            mark("flush")
            if _counts["flush"] == 2:
                time.sleep(flush_delay)
            return written

        runner.analyses_upsert = slow_upsert
    if read_delay:
        pipeline.READ_THREADS = 1
        read = pipeline._read

        def slow_read(obj, cancelled):
            if not pipeline._is_audio(obj):
                time.sleep(read_delay)
                mark("read")
            return read(obj, cancelled)

        pipeline._read = slow_read


def _fetch() -> None:
    delay = _delay("FAULT_CHUNK_DELAY")
    if not delay:
        return
    from recordings import storage

    read_chunks = storage.read_chunks

    def slow_chunks(body, *, what, chunk_size=1024 * 1024):
        for chunk in read_chunks(body, what=what, chunk_size=chunk_size):
            mark("chunk")
            time.sleep(delay)
            yield chunk

    storage.read_chunks = slow_chunks


def _deletion() -> None:
    delay = _delay("FAULT_DELETE_DELAY")
    if not delay:
        return
    from recordings import deletion

    delete = deletion.storage.delete_every_version

    def slow_delete(bucket, key):
        mark("delete")
        time.sleep(delay)
        return delete(bucket, key)

    class _Storage:
        def __getattr__(self, name):
            return slow_delete if name == "delete_every_version" else getattr(_storage, name)

    from recordings import storage as _storage

    deletion.storage = _Storage()
