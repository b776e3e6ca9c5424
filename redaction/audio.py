"""Silencing a recording where its transcript was redacted.

Contact Lens transcripts carry only turn-level times, so an entity is placed inside its
turn by its character position scaled to the turn's duration and widened by a margin
(speech rate is not even across a turn). Where that cannot be trusted (a short turn, an
entity over most of the turn) the whole turn is silenced; where a turn with personal
data has no times at all, no redacted recording is made: a redaction never leaves
personal data audible.

The WAV is streamed: chunks in, the same chunks out with the spans overwritten by the
format's silence in every channel. Every byte outside the spans is copied unchanged,
headers and extra chunks included.
"""

from __future__ import annotations

import struct
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

# Below this, a turn is too short for a position inside it to mean anything.
SHORT_TURN_MS = 2000
# Speech rate varies more over a long turn: the margin grows with the turn.
MARGIN_SHARE = 0.06
# Spans covering more of the turn than this silence the whole turn.
MOST_OF_TURN = 0.6

_PCM, _FLOAT, _ALAW, _MULAW, _EXTENSIBLE = 1, 3, 6, 7, 0xFFFE


class NotAWav(ValueError):
    pass


class CannotPlace(ValueError):
    """A turn with personal data has no times: nothing can be silenced reliably."""


@dataclass(frozen=True)
class TurnEntities:
    begin_ms: int | None
    end_ms: int | None
    text_length: int
    spans: tuple[tuple[int, int], ...]  # character offsets in the original text


def turn_silence(turn: TurnEntities, *, margin_ms: int) -> list[tuple[int, int]]:
    """Millisecond spans to silence for one turn's entities. Raises `CannotPlace`."""
    if not turn.spans:
        return []
    begin, end = turn.begin_ms, turn.end_ms
    if begin is None or end is None or end <= begin:
        raise CannotPlace("a turn with personal data has no times")
    duration = end - begin
    if duration < SHORT_TURN_MS or turn.text_length <= 0:
        return [(begin, end)]
    margin = max(margin_ms, int(duration * MARGIN_SHARE))
    length = turn.text_length
    spans = merge_spans(
        (max(0, begin + duration * start // length - margin), begin + -(-duration * stop // length) + margin)
        for start, stop in turn.spans
    )
    covered = sum(min(e, end) - max(b, begin) for b, e in spans if e > begin and b < end)
    if covered > duration * MOST_OF_TURN:
        return [(max(0, begin - margin), end + margin)]
    return spans


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


@dataclass(frozen=True)
class WavFormat:
    format_tag: int
    channels: int
    sample_rate: int
    bits: int
    block_align: int

    @property
    def silence_byte(self) -> bytes:
        """Every format here is silent when each byte of a sample holds one value."""
        if self.format_tag == _MULAW:
            return b"\xff"
        if self.format_tag == _ALAW:
            return b"\xd5"
        if self.format_tag == _PCM and self.bits == 8:
            return b"\x80"  # 8-bit PCM is unsigned
        return b"\x00"


def _format(body: bytes) -> WavFormat:
    if len(body) < 16:
        raise NotAWav("the fmt chunk is too short")
    tag, channels, rate, _, align, bits = struct.unpack("<HHIIHH", body[:16])
    if tag == _EXTENSIBLE and len(body) >= 26:
        tag = struct.unpack("<H", body[24:26])[0]  # the sub-format GUID starts with the tag
    if tag not in (_PCM, _FLOAT, _ALAW, _MULAW) or not channels or not rate or not align:
        raise NotAWav(f"unsupported WAV encoding (format {tag})")
    return WavFormat(tag, channels, rate, bits, align)


@dataclass
class SilenceResult:
    frames: int = 0
    silenced_frames: int = 0
    sample_rate: int = 0

    @property
    def silenced_share(self) -> float:
        return self.silenced_frames / self.frames if self.frames else 0.0


class _Reader:
    """Exact reads over an iterator of chunks of any size."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def read(self, size: int) -> bytes:
        while len(self._buffer) < size:
            chunk = next(self._chunks, b"")
            if not chunk:
                break
            self._buffer += chunk
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    def pieces(self, size: int | None) -> Iterator[bytes]:
        """The next `size` bytes (or all that is left) as they arrive."""
        left = size
        if self._buffer:
            head, self._buffer = (self._buffer, b"") if left is None else (self._buffer[:left], self._buffer[left:])
            left = None if left is None else left - len(head)
            yield head
        while left is None or left > 0:
            chunk = next(self._chunks, b"")
            if not chunk:
                return
            if left is not None and len(chunk) > left:
                chunk, self._buffer = chunk[:left], chunk[left:]
            if left is not None:
                left -= len(chunk)
            yield chunk


def wav_silence(chunks: Iterable[bytes], out: BinaryIO, spans_ms: list[tuple[int, int]]) -> SilenceResult:
    """Copy a WAV from `chunks` to `out` with every span (ms) silent in every channel."""
    reader = _Reader(iter(chunks))
    riff = reader.read(12)
    if len(riff) < 12 or riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
        raise NotAWav("not a RIFF/WAVE file")
    out.write(riff)
    fmt: WavFormat | None = None
    while True:
        header = reader.read(8)
        if not header:
            raise NotAWav("no data chunk")
        if len(header) < 8:
            raise NotAWav("truncated chunk header")
        out.write(header)
        name, size = header[:4], struct.unpack("<I", header[4:])[0]
        if name == b"data":
            if fmt is None:
                raise NotAWav("the data chunk comes before the fmt chunk")
            # 0 and 0xFFFFFFFF mark a WAV written while recording: data runs to the end.
            length = None if size in (0, 0xFFFFFFFF) else size
            result = _silence_data(reader.pieces(length), out, fmt, spans_ms)
            for rest in reader.pieces(None):  # any chunks after the data, unchanged
                out.write(rest)
            return result
        body = reader.read(size + (size & 1))
        out.write(body)
        if name == b"fmt ":
            fmt = _format(body[:size])


def _byte_ranges(fmt: WavFormat, spans_ms: list[tuple[int, int]]) -> list[tuple[int, int]]:
    rate, align = fmt.sample_rate, fmt.block_align
    return [(begin * rate // 1000 * align, -(-end * rate // 1000) * align) for begin, end in merge_spans(spans_ms)]


def _silence_data(pieces: Iterator[bytes], out: BinaryIO, fmt: WavFormat, spans_ms) -> SilenceResult:
    ranges = _byte_ranges(fmt, spans_ms)
    ends = [end for _, end in ranges]
    silent = fmt.silence_byte
    position = silenced = 0
    for piece in pieces:
        stop = position + len(piece)
        first = bisect_left(ends, position + 1)
        if first < len(ranges) and ranges[first][0] < stop:
            buffer = bytearray(piece)
            for begin, end in ranges[first:]:
                if begin >= stop:
                    break
                a, b = max(begin, position) - position, min(end, stop) - position
                buffer[a:b] = silent * (b - a)
                silenced += b - a
            piece = bytes(buffer)
        out.write(piece)
        position = stop
    return SilenceResult(position // fmt.block_align, silenced // fmt.block_align, fmt.sample_rate)
