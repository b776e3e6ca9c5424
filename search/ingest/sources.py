"""Where ingestion reads from: local files and folders, or `s3://bucket/prefix`.

A source is read in segments, and everything listed in one segment is written before
the next is listed. Where Connect's layout is recognised, the first segment holds the
redacted analyses (`Analysis/<Channel>/Redacted/`), so that an original listed later
can be matched with its already written redacted twin instead of being downloaded.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from recordings import storage

_ANALYSIS_FOLDER = re.compile(r"(?:^|/)Analysis/$")
_CHANNEL_FOLDER = re.compile(r"(?:^|/)Analysis/[^/]+/$")
_REDACTED_PATH = re.compile(r"(?:^|/)Analysis/[^/]+/Redacted/")


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


Segment = Iterator[SourceObject]


def iter_segments(source: str) -> Iterator[Segment]:
    """The source's objects as (redacted analyses, everything else); listing streams."""
    if source.startswith("s3://"):
        yield from _s3_segments(source)
    else:
        yield from _local_segments(Path(source))


@dataclass(frozen=True)
class _Listing:
    prefix: str
    direct_only: bool = False  # objects of this folder itself, not of its sub-folders


def _s3_segments(source: str) -> Iterator[Segment]:
    bucket, _, prefix = source.removeprefix("s3://").partition("/")
    if not bucket:
        raise SourceUnreadable(f"{source}: no bucket name")
    try:
        redacted, rest = _plan(bucket, prefix)
    except storage.StorageError as error:
        raise SourceUnreadable(f"{source}: {error}") from error
    for listings in (redacted, rest):
        yield _s3_objects(source, bucket, listings)


def _plan(bucket: str, prefix: str) -> tuple[list[_Listing], list[_Listing]]:
    """Which folders to list first (redacted analyses) and which after. Only the bucket's
    root, `…Analysis/` and `…Analysis/<Channel>/` are looked into (one delimited listing
    each); any other prefix is listed whole, as it stands."""
    if _CHANNEL_FOLDER.search(prefix):
        folders = storage.list_folders(bucket, prefix)
        redacted = f"{prefix}Redacted/"
        if redacted not in folders:
            return [], [_Listing(prefix)]
        return [_Listing(redacted)], [_Listing(prefix, direct_only=True)] + [
            _Listing(folder) for folder in folders if folder != redacted
        ]
    if prefix == "" or _ANALYSIS_FOLDER.search(prefix):
        first, rest = [], [_Listing(prefix, direct_only=True)]
        for folder in storage.list_folders(bucket, prefix):
            if prefix == "" and folder != "Analysis/":
                rest.append(_Listing(folder))
                continue
            folder_first, folder_rest = _plan(bucket, folder)
            first += folder_first
            rest += folder_rest
        return first, rest
    return [], [_Listing(prefix)]


def _s3_objects(source: str, bucket: str, listings: list[_Listing]) -> Segment:
    try:
        for listing in listings:
            for info in storage.list_objects(bucket, listing.prefix, direct_only=listing.direct_only):
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


def _local_segments(path: Path) -> Iterator[Segment]:
    if not path.exists():
        raise SourceUnreadable(f"{path}: no such file or folder")
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    files = [file for file in files if not file.name.startswith(".")]
    redacted = [file for file in files if _REDACTED_PATH.search(file.as_posix())]
    yield _local_objects(redacted)
    yield _local_objects([file for file in files if not _REDACTED_PATH.search(file.as_posix())])


def _local_objects(files: list[Path]) -> Segment:
    for file in files:
        data = file.read_bytes()
        yield SourceObject(
            uri=str(file.resolve()),
            bucket="",
            key=str(file),
            fingerprint=hashlib.sha256(data).hexdigest()[:32],
            size=len(data),
            read=lambda d=data: d,
        )
