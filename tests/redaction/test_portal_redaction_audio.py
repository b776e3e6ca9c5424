"""Placing entities inside turns, and silencing a streamed WAV of any layout."""

from __future__ import annotations

import io
import struct

import pytest

from redaction.audio import CannotPlace, NotAWav, TurnEntities, merge_spans, turn_silence, wav_silence


def test_an_entity_is_placed_by_its_characters_and_widened():
    turn = TurnEntities(10_000, 20_000, 100, ((40, 50),))
    assert turn_silence(turn, margin_ms=350) == [(14_000 - 600, 15_000 + 600)]  # 6 % of 10 s beats 350 ms


def test_short_turns_and_turns_mostly_personal_data_are_silenced_whole():
    assert turn_silence(TurnEntities(1000, 2500, 10, ((0, 2),)), margin_ms=350) == [(1000, 2500)]
    assert turn_silence(TurnEntities(0, 10_000, 10, ((0, 7),)), margin_ms=350) == [(0, 10_600)]


def test_personal_data_in_a_turn_without_times_cannot_be_placed():
    with pytest.raises(CannotPlace):
        turn_silence(TurnEntities(None, None, 10, ((0, 2),)), margin_ms=350)
    assert turn_silence(TurnEntities(None, None, 10, ()), margin_ms=350) == []


def test_spans_merge():
    assert merge_spans([(5, 9), (0, 3), (2, 4), (9, 9)]) == [(0, 4), (5, 9)]


def _wav(frames: bytes, *, tag: int = 1, bits: int = 16, channels: int = 2, tail: bytes = b"") -> bytes:
    align = channels * bits // 8
    fmt = struct.pack("<HHIIHH", tag, channels, 8000, 8000 * align, align, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(frames)) + frames + tail
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _silence(wav: bytes, spans, chunk: int) -> bytes:
    out = io.BytesIO()
    wav_silence((wav[i : i + chunk] for i in range(0, len(wav), chunk)), out, spans)
    return out.getvalue()


@pytest.mark.parametrize("chunk", [1, 7, 4096])
def test_spans_are_silent_in_every_channel_and_everything_else_is_byte_identical(chunk):
    frames = bytes(range(1, 256)) * 64  # 16,320 bytes: 4,080 stereo frames, about 0.5 s
    tail = b"LIST" + struct.pack("<I", 4) + b"INFO"
    wav = _wav(frames, tail=tail)
    out = _silence(wav, [(100, 200)], chunk)
    assert len(out) == len(wav) and out.endswith(tail) and out[:44] == wav[:44]
    start, stop = 44 + 800 * 4, 44 + 1600 * 4
    assert out[start:stop] == bytes(stop - start)
    assert out[:start] == wav[:start] and out[stop:] == wav[stop:]


def test_mu_law_and_8_bit_use_their_own_silence():
    assert _silence(_wav(b"\x10" * 800, tag=7, bits=8), [(0, 50)], 64)[44:] == b"\xff" * 800
    assert _silence(_wav(b"\x10" * 800, bits=8), [(0, 50)], 64)[44:] == b"\x80" * 800


def test_not_a_wav_is_refused():
    with pytest.raises(NotAWav):
        _silence(b"ID3" + bytes(100), [(0, 10)], 16)
