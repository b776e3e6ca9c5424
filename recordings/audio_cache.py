"""The local cache of recordings fetched from S3.

A file is written under a temporary name and renamed only once it is complete and a
valid WAV, so whatever has the final name can be served; a worker killed mid-fetch
leaves at most a `.part` file, which is never served and is swept later.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import uuid
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from recordings import storage

CHUNK_BYTES = 1024 * 1024
PART_SUFFIX = ".part"
# A `.part` file nobody has written to for this long belongs to a dead fetch.
STALE_PART_SECONDS = 600
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


class InvalidAudio(ValueError):
    """The object is not a WAV file we can serve."""


def cache_dir() -> Path:
    return Path(settings.RECORDING_CACHE_DIR)


def cache_path(contact_id: str, version: str) -> Path:
    # Connect's ids are UUIDs; anything else is hashed so it cannot escape the directory.
    stem = contact_id if _SAFE_NAME.match(contact_id) else hashlib.sha256(contact_id.encode()).hexdigest()[:40]
    return cache_dir() / f"{stem}.{version.lower()}.wav"


def _temp_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.{uuid.uuid4().hex}{PART_SUFFIX}")


def download(bucket: str, key: str, final: Path, on_progress: Callable[[int, int], None]) -> int:
    """Stream s3://bucket/key into `final` in 1 MiB chunks; returns its size.

    Raises `storage.ObjectMissing`, `storage.StorageError` (transient) or `InvalidAudio`.
    """
    body, total = storage.open_stream(bucket, key)
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_path(final)
    try:
        done = _copy(body, temp, total, on_progress, what=f"s3://{bucket}/{key}")
        validate_wav(temp)
        os.replace(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return done


def _copy(body, temp: Path, total: int, on_progress: Callable[[int, int], None], *, what: str) -> int:
    done = 0
    on_progress(done, total)
    with open(temp, "wb") as out:
        for chunk in storage.read_chunks(body, what=what, chunk_size=CHUNK_BYTES):
            out.write(chunk)
            done += len(chunk)
            on_progress(done, total)
    if done != total:
        raise storage.StorageError(f"{what}: got {done} of {total} bytes")
    return done


@dataclass(frozen=True)
class WavInfo:
    channels: int | None
    sample_rate: int | None
    duration_seconds: float | None


def validate_wav(path: Path) -> WavInfo:
    with open(path, "rb") as handle:
        header = handle.read(12)
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        raise InvalidAudio("not a RIFF/WAVE file")
    try:
        with wave.open(str(path), "rb") as audio:
            return _pcm_info(audio, path.stat().st_size)
    except wave.Error as error:
        # Telephony WAVs may be mu-law or A-law, which the wave module does not decode;
        # the RIFF/WAVE header and a format chunk are enough to serve them.
        if str(error).startswith("unknown format"):
            return WavInfo(None, None, None)
        raise InvalidAudio(f"not a readable WAV: {error}") from error
    except EOFError as error:
        raise InvalidAudio("the WAV file is truncated") from error


def _pcm_info(audio: wave.Wave_read, size: int) -> WavInfo:
    frames, width, channels = audio.getnframes(), audio.getsampwidth(), audio.getnchannels()
    if frames * width * channels > size:
        raise InvalidAudio("the WAV data is shorter than its header says")
    rate = audio.getframerate()
    return WavInfo(channels, rate, frames / rate if rate else None)


def evict(contact_id: str) -> int:
    """Remove every cached version of one contact; returns how many files went."""
    removed = 0
    for version in ("REDACTED", "ORIGINAL"):
        final = cache_path(contact_id, version)
        for path in [final, *final.parent.glob(f".{final.name}.*{PART_SUFFIX}")]:
            try:
                path.unlink()
                removed += 1
            except FileNotFoundError:
                pass
    return removed


@dataclass
class SweepResult:
    removed: list[Path] = field(default_factory=list)
    freed_bytes: int = 0
    kept_bytes: int = 0


def sweep(*, now: float | None = None, ttl_seconds: int | None = None, max_bytes: int | None = None) -> SweepResult:
    """Expire files older than the TTL, then remove the oldest until under the size cap."""
    now = time.time() if now is None else now
    ttl = settings.RECORDING_CACHE_TTL_SECONDS if ttl_seconds is None else ttl_seconds
    cap = settings.RECORDING_CACHE_MAX_BYTES if max_bytes is None else max_bytes
    result = SweepResult()
    kept: list[tuple[float, int, Path]] = []
    for path, stat in _entries():
        age = now - stat.st_mtime
        if path.name.endswith(PART_SUFFIX):
            if age > STALE_PART_SECONDS:
                _remove(path, stat.st_size, result)
        elif age > ttl:
            _remove(path, stat.st_size, result)
        else:
            kept.append((stat.st_mtime, stat.st_size, path))
    total = sum(size for _, size, _ in kept)
    for _, size, path in sorted(kept, key=lambda item: item[0]):
        if total <= cap:
            break
        _remove(path, size, result)
        total -= size
    result.kept_bytes = total
    return result


def _entries():
    directory = cache_dir()
    if not directory.is_dir():
        return
    for entry in os.scandir(directory):
        if entry.is_file(follow_symlinks=False):
            try:
                yield Path(entry.path), entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue


def _remove(path: Path, size: int, result: SweepResult) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        return
    result.removed.append(path)
    result.freed_bytes += size
