"""Where ingestion reads from: local files and folders, or `s3://bucket/prefix`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from recordings import storage


class SourceUnreadable(Exception):
    """A whole source cannot be listed or opened."""


@dataclass(frozen=True)
class SourceObject:
    uri: str
    bucket: str  # empty for local files
    key: str  # the S3 key, or the local path
    fingerprint: str  # S3 ETag, or a content hash for local files
    size: int
    read: Callable[[], bytes]


def iter_source(source: str) -> Iterator[SourceObject]:
    if source.startswith("s3://"):
        yield from _iter_s3(source)
    else:
        yield from _iter_local(Path(source))


def _iter_s3(source: str) -> Iterator[SourceObject]:
    bucket, _, prefix = source.removeprefix("s3://").partition("/")
    if not bucket:
        raise SourceUnreadable(f"{source}: no bucket name")
    try:
        for info in storage.list_objects(bucket, prefix):
            if info.key.endswith("/"):
                continue
            yield SourceObject(
                uri=f"s3://{bucket}/{info.key}",
                bucket=bucket,
                key=info.key,
                fingerprint=info.etag,
                size=info.size,
                read=lambda b=bucket, k=info.key: storage.get_bytes_presigned(b, k),
            )
    except storage.StorageError as error:
        raise SourceUnreadable(f"{source}: {error}") from error


def _iter_local(path: Path) -> Iterator[SourceObject]:
    if not path.exists():
        raise SourceUnreadable(f"{path}: no such file or folder")
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if file.name.startswith("."):
            continue
        data = file.read_bytes()
        yield SourceObject(
            uri=str(file.resolve()),
            bucket="",
            key=str(file),
            fingerprint=hashlib.sha256(data).hexdigest()[:32],
            size=len(data),
            read=lambda d=data: d,
        )
