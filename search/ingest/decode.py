"""Turning an object's bytes into JSON documents, the way Firehose and Contact Lens write them."""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

_decoder = json.JSONDecoder()
_WHITESPACE = " \t\r\n"
# Bytes that are not UTF-8, as `surrogateescape` decoding keeps them.
_NOT_UTF8 = re.compile("[\udc80-\udcff]")


class UnreadableFile(ValueError):
    """The whole file cannot be read (not gzip when it says so)."""


class TruncatedFile(UnreadableFile):
    """A gzip file cut short: `text` holds what came before the cut."""

    def __init__(self, message: str, text: str) -> None:
        super().__init__(message)
        self.text = text


@dataclass(frozen=True)
class BadDocument:
    position: str
    reason: str


def to_text(data: bytes) -> str:
    """The file as text. Bytes that are not UTF-8 are kept as lone surrogates, so that
    only the documents holding them are refused (`iter_documents_with_text`)."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except EOFError as error:
            # Cut short (an interrupted upload): what came before the cut is still good.
            partial = zlib.decompressobj(wbits=31).decompress(data)
            raise TruncatedFile(f"gzip data is truncated ({error})", _decode(partial)) from None
        except (OSError, zlib.error) as error:
            raise UnreadableFile(f"broken gzip: {error}") from None
    return _decode(data)


def _decode(data: bytes) -> str:
    return data.decode("utf-8-sig", "surrogateescape")


def iter_documents_with_text(text: str) -> Iterator[tuple[dict | BadDocument, str]]:
    """Concatenated or newline-delimited JSON: one document after another.

    A broken document is reported and reading resumes at the next line that starts a
    new object, so one bad record does not cost the rest of the file.
    """
    index, length, number = 0, len(text), 0
    while True:
        while index < length and text[index] in _WHITESPACE:
            index += 1
        if index >= length:
            return
        number += 1
        try:
            document, end = _decoder.raw_decode(text, index)
        except json.JSONDecodeError as error:
            yield BadDocument(f"record {number} (byte {index})", f"broken JSON: {error.msg} at byte {error.pos}"), ""
            index = _next_object_start(text, index + 1)
            continue
        except RecursionError:
            yield BadDocument(f"record {number} (byte {index})", "JSON nested too deeply"), ""
            index = _next_object_start(text, index + 1)
            continue
        if (bad := _NOT_UTF8.search(text, index, end)) is not None:
            yield BadDocument(f"record {number} (byte {index})", f"not UTF-8 text (byte {bad.start()})"), ""
            index = end
            continue
        if isinstance(document, dict):
            yield document, text[index:end]
        elif isinstance(document, list):
            for item in document:
                yield (item, "") if isinstance(item, dict) else (BadDocument(f"record {number}", "not a JSON object"), "")
        else:
            yield BadDocument(f"record {number} (byte {index})", "not a JSON object"), ""
        index = end


def _next_object_start(text: str, start: int) -> int:
    """The next `{` that begins a line, or `}{` boundary of concatenated JSON."""
    candidates = [pos for pos in (text.find("\n{", start), text.find("}{", start)) if pos != -1]
    return min(candidates) + 1 if candidates else len(text)
