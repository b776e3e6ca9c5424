"""Reading and preparing objects on a background thread, ahead of the writer.

The caller lists objects and writes batches; a batch's write is mostly PostgreSQL's
time, during which this thread keeps downloading (on a pool of reader threads) and
parsing (in `Preparer`'s worker processes), so the next batch is ready when the write
returns. Results come back in the order objects were fed. The thread never touches
the database: it only reads S3 and prepares.

The caller feeds while `full` is false and takes a result whenever it is true. `full`
is set where the reading and preparing windows are sure to have passed something on,
so a `take` then never waits for input that will not come.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from search.ingest import prepare
from search.ingest.prepare import Prepared, Preparer
from search.ingest.sources import SourceObject

READ_THREADS = 16
# Downloads in flight or done but not yet prepared. A write of 500 analyses takes about
# as long as 1,000 small GETs, so the readers need a few thousand objects of room; bytes
# bound it for large objects.
READ_AHEAD_OBJECTS = 3000
READ_AHEAD_BYTES = 32 * 1024 * 1024

Result = tuple[SourceObject, Prepared | Exception | None]
_END = object()


class Pipeline:
    """Feed objects in, take (object, prepared) back in the same order."""

    def __init__(self, preparer: Preparer) -> None:
        self._preparer = preparer
        self._feed: queue.SimpleQueue = queue.SimpleQueue()
        self._results: queue.SimpleQueue = queue.SimpleQueue()
        self._cancelled = threading.Event()
        self._backlog_objects = 0
        self._backlog_bytes = 0
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="ingest-pipeline", daemon=True)
        self._thread.start()

    def feed(self, obj: SourceObject) -> None:
        self._feed.put(obj)
        self._backlog_objects += 1
        self._backlog_bytes += _size(obj)

    @property
    def full(self) -> bool:
        """Fed and not taken back: more than both windows can hold, so the oldest is
        on its way back. Each window passes an object on once it reaches its limit."""
        return (
            self._backlog_objects >= READ_AHEAD_OBJECTS + prepare.AHEAD_OBJECTS
            or self._backlog_bytes >= READ_AHEAD_BYTES + prepare.AHEAD_BYTES
        )

    def take(self) -> Result:
        """The next result, waiting for it. Re-raises what stopped the thread."""
        item = self._results.get()
        if isinstance(item, _Failure):
            raise item.error
        obj, _ = item
        self._backlog_objects -= 1
        self._backlog_bytes -= _size(obj)
        return item

    def drain(self) -> Iterator[Result]:
        """No more input: the remaining results, in order."""
        self._close()
        while self._backlog_objects:
            yield self.take()
        self._thread.join()

    def cancel(self) -> None:
        """Stop early (the caller failed): unread objects are dropped."""
        self._cancelled.set()
        self._close()
        self._thread.join()

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            self._feed.put(_END)

    def _fed(self) -> Iterator[SourceObject]:
        while (obj := self._feed.get()) is not _END and not self._cancelled.is_set():
            yield obj

    def _run(self) -> None:
        try:
            for result in self._preparer.map(_prefetched(self._fed(), self._cancelled)):
                if self._cancelled.is_set():
                    return
                self._results.put(result)
        except BaseException as error:  # noqa: BLE001 - handed to the caller, which re-raises it
            self._results.put(_Failure(error))


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _is_audio(obj: SourceObject) -> bool:
    return obj.key.lower().endswith(".wav")


def _size(obj: SourceObject) -> int:
    """Bytes this object will hold in memory: audio is never downloaded here."""
    return 0 if _is_audio(obj) else obj.size


def _read(obj: SourceObject, cancelled: threading.Event) -> bytes | Exception | None:
    """The object's bytes; None for audio (never downloaded here) and after a cancel
    (the result is dropped); the error if reading failed."""
    if _is_audio(obj) or cancelled.is_set():
        return None
    try:
        return obj.read()
    except Exception as error:  # noqa: BLE001 - one unreadable object must not stop the run
        return error


def _prefetched(objects: Iterator[SourceObject], cancelled: threading.Event) -> Iterator[Result]:
    """Reads objects ahead on a few threads (S3 latency, not bandwidth, is the limit),
    yielding them in order with at most READ_AHEAD_OBJECTS (or about READ_AHEAD_BYTES)
    in memory."""
    with ThreadPoolExecutor(READ_THREADS, thread_name_prefix="ingest-read") as pool:
        window: deque[tuple[SourceObject, Future]] = deque()
        in_window = 0
        for obj in objects:
            window.append((obj, pool.submit(_read, obj, cancelled)))
            in_window += _size(obj)
            while len(window) >= READ_AHEAD_OBJECTS or in_window >= READ_AHEAD_BYTES:
                first, future = window.popleft()
                in_window -= _size(first)
                yield first, future.result()
        while window:
            first, future = window.popleft()
            yield first, future.result()
