"""The local cache: streamed from real S3 under a temporary name, validated, swept."""

from __future__ import annotations

import os
import time

import pytest

from recordings import audio_cache, storage
from tests.recordings.conftest import big_wav_bytes, wav_bytes


def _progress():
    calls = []
    return calls, lambda done, total: calls.append((done, total))


def test_a_wav_is_streamed_in_chunks_and_renamed_when_complete(s3_bucket, recording_cache):
    body = big_wav_bytes(3)
    storage.put_bytes(s3_bucket, "rec/a.wav", body)
    final = audio_cache.cache_path("c-1", "REDACTED")
    calls, report = _progress()
    size = audio_cache.download(s3_bucket, "rec/a.wav", final, report)
    assert size == len(body) and final.read_bytes() == body
    assert calls[0] == (0, len(body)) and calls[-1] == (len(body), len(body))
    assert len(calls) >= 4  # one report per 1 MiB chunk
    assert [p.name for p in recording_cache.iterdir()] == [final.name]  # no temporary file left


def test_a_missing_object_leaves_nothing(s3_bucket, recording_cache):
    final = audio_cache.cache_path("c-2", "ORIGINAL")
    with pytest.raises(storage.ObjectMissing):
        audio_cache.download(s3_bucket, "rec/none.wav", final, lambda *_: None)
    assert not final.exists()


@pytest.mark.parametrize(
    "body",
    [b"not audio at all", b"RIFF\x00\x00\x00\x00WAVEjunk", wav_bytes(0.5)[:30], b"RIFX" + wav_bytes(0.1)[4:]],
    ids=["text", "riff-without-chunks", "truncated-header", "big-endian-riff"],
)
def test_anything_but_a_valid_wav_is_refused_and_removed(s3_bucket, recording_cache, body):
    storage.put_bytes(s3_bucket, "rec/bad.wav", body)
    final = audio_cache.cache_path("c-3", "REDACTED")
    with pytest.raises(audio_cache.InvalidAudio):
        audio_cache.download(s3_bucket, "rec/bad.wav", final, lambda *_: None)
    assert list(recording_cache.iterdir()) == []


def test_a_wav_whose_data_is_cut_short_is_refused(tmp_path):
    path = tmp_path / "cut.wav"
    path.write_bytes(wav_bytes(1.0)[:-4000])
    with pytest.raises(audio_cache.InvalidAudio):
        audio_cache.validate_wav(path)


def test_validation_reads_the_format(tmp_path):
    path = tmp_path / "ok.wav"
    path.write_bytes(wav_bytes(2.0))
    info = audio_cache.validate_wav(path)
    assert (info.channels, info.sample_rate, info.duration_seconds) == (2, 8000, 2.0)


def test_a_failure_mid_stream_removes_the_temporary_file(s3_bucket, recording_cache):
    storage.put_bytes(s3_bucket, "rec/b.wav", big_wav_bytes(2))
    final = audio_cache.cache_path("c-4", "REDACTED")

    def explode(done, total):
        if done > 0:
            raise RuntimeError("worker lost")

    with pytest.raises(RuntimeError):
        audio_cache.download(s3_bucket, "rec/b.wav", final, explode)
    assert list(recording_cache.iterdir()) == []


def test_odd_contact_ids_cannot_escape_the_cache_directory(recording_cache):
    path = audio_cache.cache_path("../../etc/passwd", "ORIGINAL")
    assert path.parent == recording_cache
    assert ".." not in path.name


def _file(directory, name: str, size: int, age: float):
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(b"x" * size)
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def test_sweep_expires_old_files_and_keeps_fresh_ones(recording_cache):
    old = _file(recording_cache, "a.redacted.wav", 10, age=4000)
    fresh = _file(recording_cache, "b.redacted.wav", 10, age=10)
    result = audio_cache.sweep(ttl_seconds=3600, max_bytes=10**9)
    assert result.removed == [old] and fresh.exists() and not old.exists()


def test_sweep_removes_the_oldest_until_under_the_cap(recording_cache):
    oldest = _file(recording_cache, "a.original.wav", 100, age=300)
    middle = _file(recording_cache, "b.original.wav", 100, age=200)
    newest = _file(recording_cache, "c.original.wav", 100, age=100)
    result = audio_cache.sweep(ttl_seconds=3600, max_bytes=150)
    assert result.removed == [oldest, middle]
    assert newest.exists() and result.kept_bytes == 100


def test_sweep_removes_abandoned_partial_files_only(recording_cache):
    dead = _file(recording_cache, ".a.redacted.wav.1234.part", 10, age=audio_cache.STALE_PART_SECONDS + 5)
    writing = _file(recording_cache, ".b.redacted.wav.5678.part", 10, age=1)
    audio_cache.sweep(ttl_seconds=3600, max_bytes=10**9)
    assert not dead.exists() and writing.exists()


def test_sweep_of_a_missing_directory_is_harmless(settings, tmp_path):
    settings.RECORDING_CACHE_DIR = tmp_path / "nowhere"
    assert audio_cache.sweep().removed == []


def test_evict_removes_every_version_and_partial_file(recording_cache):
    for name in ("c-9.redacted.wav", "c-9.original.wav", ".c-9.original.wav.ab.part", "c-10.original.wav"):
        _file(recording_cache, name, 1, age=0)
    assert audio_cache.evict("c-9") == 3
    assert [p.name for p in recording_cache.iterdir()] == ["c-10.original.wav"]
