"""The background reader/preparer: results in feed order, never a wait for input that
will not come (small windows, sized objects, audio), errors handed to the caller."""

from __future__ import annotations

import json
import threading

import pytest

from search.ingest import pipeline, prepare
from search.ingest.pipeline import Pipeline
from search.ingest.prepare import Prepared, Preparer
from search.ingest.sources import SourceObject
from tests.ctr_builder import ctr


def _object(number: int, *, size: int | None = None, key: str | None = None, read=None) -> SourceObject:
    body = json.dumps(ctr(f"00000000-0000-4000-8000-{number:012d}")).encode()
    return SourceObject(
        uri=f"s3://bucket/ctr/{number}.json", bucket="bucket", key=key or f"ctr/{number}.json",
        fingerprint=str(number), size=len(body) if size is None else size, read=read or (lambda: body),
    )  # fmt: skip


def _run(objects: list[SourceObject], *, parallel: bool = False) -> list:
    """Feed and take as the runner does, on a thread, so a hang fails the test instead of stalling it."""
    results: list = []

    def work() -> None:
        with Preparer(parallel=parallel) as preparer:
            flow = Pipeline(preparer)
            for obj in objects:
                flow.feed(obj)
                while flow.full:
                    results.append(flow.take())
            results.extend(flow.drain())

    runner = threading.Thread(target=work, daemon=True)
    runner.start()
    runner.join(timeout=60)
    assert not runner.is_alive(), "the pipeline stopped making progress"
    return results


@pytest.fixture
def small_windows(monkeypatch):
    monkeypatch.setattr(pipeline, "READ_AHEAD_OBJECTS", 4)
    monkeypatch.setattr(pipeline, "READ_AHEAD_BYTES", 10_000)
    monkeypatch.setattr(prepare, "AHEAD_OBJECTS", 3)
    monkeypatch.setattr(prepare, "AHEAD_BYTES", 5_000)


@pytest.mark.parametrize("parallel", [False, True])
def test_results_come_back_in_feed_order(small_windows, parallel):
    objects = [_object(n) for n in range(200)]
    results = _run(objects, parallel=parallel)
    assert [obj.key for obj, _ in results] == [obj.key for obj in objects]
    assert all(isinstance(prepared, Prepared) and prepared.kind == "ctr" for _, prepared in results)
    assert [p.contacts[0].contact_id for _, p in results] == [f"00000000-0000-4000-8000-{n:012d}" for n in range(200)]


def test_large_objects_and_audio_never_stall_the_flow(small_windows):
    audio = [_object(n, key=f"Analysis/Voice/Redacted/{n}.wav", size=5_000_000_000) for n in range(30)]
    large = [_object(100 + n, size=9_000) for n in range(30)]  # claims more than any window holds
    objects = [item for pair in zip(audio, large, strict=True) for item in pair]
    results = _run(objects)
    assert [obj.key for obj, _ in results] == [obj.key for obj in objects]
    assert [prepared for obj, prepared in results if obj.key.endswith(".wav")] == [None] * 30  # never downloaded


def test_an_unreadable_object_is_reported_and_the_rest_go_on(small_windows):
    def broken() -> bytes:
        raise OSError("connection reset")

    objects = [_object(n) for n in range(10)] + [_object(10, read=broken)] + [_object(n) for n in range(11, 20)]
    results = _run(objects)
    assert len(results) == 20
    assert isinstance(results[10][1], OSError)
    assert all(isinstance(p, Prepared) for i, (_, p) in enumerate(results) if i != 10)


def test_a_failure_inside_the_thread_reaches_the_caller(small_windows, monkeypatch):
    def explode(objects):
        yield from ()
        raise RuntimeError("worker pool lost")

    with Preparer(parallel=False) as preparer:
        monkeypatch.setattr(preparer, "map", explode)
        flow = Pipeline(preparer)
        flow.feed(_object(1))
        with pytest.raises(RuntimeError, match="worker pool lost"):
            list(flow.drain())


def test_cancel_stops_the_thread_with_work_still_queued(small_windows):
    release = threading.Event()

    def slow() -> bytes:
        release.wait(5)
        return b"{}"

    with Preparer(parallel=False) as preparer:
        flow = Pipeline(preparer)
        for n in range(50):
            flow.feed(_object(n, read=slow))
        release.set()
        flow.cancel()
        assert not flow._thread.is_alive()
