"""HTTP `Range` requests (RFC 9110 §14) on a file the caller has already been allowed to read.

Nothing maintained fits a permission-checked file, so this module is small and tested
at its edges. One range is honoured (206); a header we do not understand, or several
ranges, is ignored and the whole file is sent (200), which RFC 9110 allows; a range
that starts past the end is 416 with `Content-Range: bytes */size`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.http import FileResponse, HttpRequest, HttpResponse

BLOCK_BYTES = 64 * 1024
_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


class Unsatisfiable(Exception):
    """No byte of the requested range exists: 416."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The single range to send, or None for the whole file. Raises `Unsatisfiable`."""
    if not header:
        return None
    unit, sep, ranges = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    specs = [part for part in ranges.split(",") if part.strip()]
    if len(specs) != 1:
        return None  # none, or several ranges: answer with the whole file
    match = _SPEC.match(specs[0])
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        return _suffix(int(last), size)
    return _from(int(first), int(last) if last else None, size)


def _suffix(length: int, size: int) -> ByteRange:
    if length == 0 or size == 0:
        raise Unsatisfiable
    return ByteRange(max(0, size - length), size - 1)


def _from(first: int, last: int | None, size: int) -> ByteRange | None:
    if last is not None and last < first:
        return None  # an invalid range-spec: the header is ignored
    if first >= size:
        raise Unsatisfiable
    end = size - 1 if last is None else min(last, size - 1)
    return ByteRange(first, end)


class _Segment:
    """A read-only window on an open file; no `fileno`, so servers cannot sendfile past it."""

    def __init__(self, handle: BinaryIO, byte_range: ByteRange) -> None:
        self._handle = handle
        self._left = byte_range.length
        handle.seek(byte_range.start)

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        wanted = self._left if size is None or size < 0 else min(size, self._left)
        data = self._handle.read(wanted)
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._handle.close()


def file_response(request: HttpRequest, path: Path, *, content_type: str, filename: str | None = None) -> HttpResponse:
    """200, 206 or 416 for `path`, streamed in blocks (never read whole)."""
    handle = open(path, "rb")  # closed by the response
    size = _size(handle)
    try:
        byte_range = parse_range(request.headers.get("Range"), size)
    except Unsatisfiable:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return _common_headers(response)
    if byte_range is None:
        response = FileResponse(handle, content_type=content_type, as_attachment=bool(filename), filename=filename)
    else:
        response = FileResponse(_Segment(handle, byte_range), status=206, content_type=content_type)
        response["Content-Range"] = byte_range.content_range(size)
        response["Content-Length"] = str(byte_range.length)
        if filename:
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.block_size = BLOCK_BYTES
    return _common_headers(response)


def _size(handle: BinaryIO) -> int:
    return os.fstat(handle.fileno()).st_size


def _common_headers(response: HttpResponse) -> HttpResponse:
    response["Accept-Ranges"] = "bytes"
    # The URL is bound to one user and short-lived: no shared or lasting copies.
    response["Cache-Control"] = "private, no-store"
    return response
