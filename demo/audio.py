"""Call recordings as Connect stores them: 8 kHz, 16-bit PCM, stereo WAV with the
customer on the left channel and the agent on the right.

A turn is heard as speech-like sound (vowel-ish harmonic syllables with a syllable
envelope, separated by short pauses) on its speaker's channel between its Begin and
End offsets; everything else is digital silence. Synthesis never loops over samples
in Python: each party has one pre-rendered "speech stream" a minute long, and a
turn is a slice of it copied into the interleaved buffer with one extended-slice
assignment, so a five-minute call costs a few milliseconds.
"""

from __future__ import annotations

import io
import math
import random
import sys
import wave
from array import array
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache

RATE = 8000
CHANNELS = 2
SAMPLE_BYTES = 2
WAV_HEADER_BYTES = 44
LEFT, RIGHT = 0, 1  # customer, agent
_STREAM_SECONDS = 60
_GAINS = (0.55, 0.75, 1.0)


def wav_size(duration_ms: int) -> int:
    """Bytes of the WAV for a call of this length (header included)."""
    return WAV_HEADER_BYTES + frames(duration_ms) * CHANNELS * SAMPLE_BYTES


def frames(duration_ms: int) -> int:
    return duration_ms * RATE // 1000


def _syllable(rng: random.Random, f0: float) -> list[float]:
    """One voiced syllable: a few harmonics weighted by two random formants, a short
    noisy onset for the consonant, and a rise-and-fall envelope."""
    length = int(RATE * rng.uniform(0.11, 0.26))
    f1, f2 = rng.uniform(350, 850), rng.uniform(900, 2300)
    glide = rng.uniform(-0.15, 0.15)
    weights = []
    for k in range(1, 9):
        f = f0 * k
        weights.append(math.exp(-(((f - f1) / 250) ** 2)) + 0.6 * math.exp(-(((f - f2) / 350) ** 2)) + 0.15 / k)
    scale = 1 / sum(weights)
    onset = int(RATE * rng.uniform(0.0, 0.03))
    out = []
    phase = 0.0
    for i in range(length):
        x = i / length
        freq = f0 * (1 + glide * x)
        phase += 2 * math.pi * freq / RATE
        value = sum(w * math.sin(k * phase) for k, w in enumerate(weights, start=1)) * scale
        if i < onset:
            value = value * 0.3 + rng.uniform(-0.5, 0.5)
        out.append(value * math.sin(math.pi * x) ** 0.6)
    return out


@lru_cache(maxsize=2)
def _stream(channel: int) -> tuple[tuple[array, ...], tuple[int, ...]]:
    """A minute of one party's 'speech' at each gain, and where its syllables start."""
    rng = random.Random(8000 + channel)
    f0 = 120.0 if channel == LEFT else 190.0  # a lower voice for the customer, a higher one for the agent
    bank = [_syllable(rng, f0 * rng.uniform(0.9, 1.12)) for _ in range(16)]
    samples: list[float] = []
    starts: list[int] = []
    target = RATE * _STREAM_SECONDS
    while len(samples) < target:
        starts.append(len(samples))
        samples.extend(bank[rng.randrange(len(bank))])
        pause = rng.random()
        if pause < 0.3:
            samples.extend([0.0] * int(RATE * rng.uniform(0.12, 0.28)))  # between words
        elif pause < 0.8:
            samples.extend([0.0] * int(RATE * rng.uniform(0.015, 0.06)))
    streams = tuple(array("h", (int(v * 11000 * gain) for v in samples)) for gain in _GAINS)
    return streams, tuple(starts)


def render_call(duration_ms: int, turns: Iterable[tuple[int, int, int]], seed: int) -> array:
    """Interleaved stereo samples for a call; turns are (channel, begin_ms, end_ms)."""
    total = frames(duration_ms)
    buf = array("h", bytes(total * CHANNELS * SAMPLE_BYTES))
    rng = random.Random(seed)
    for channel, begin_ms, end_ms in turns:
        start = frames(begin_ms)
        stop = min(frames(end_ms), total)
        if stop <= start:
            continue
        streams, starts = _stream(channel)
        speech = streams[rng.randrange(len(streams))]
        length = stop - start
        if length >= len(speech):
            length = len(speech) - 1
        # Start on a syllable and stop at the last syllable start that fits, so no
        # turn begins or ends with a click; the rest of the turn stays silent.
        first = starts[rng.randrange(bisect_right(starts, len(speech) - length - 1) or 1)]
        last = starts[bisect_right(starts, first + length) - 1]
        piece = speech[first:last] if last > first else speech[first : first + length]
        n = len(piece)
        buf[CHANNELS * start + channel : CHANNELS * (start + n) + channel : CHANNELS] = piece
    return buf


def silence(buf: array, spans: Iterable[tuple[int, int]]) -> array:
    """A copy of the call with both channels muted over the given millisecond spans."""
    out = array("h", buf)
    total = len(buf) // CHANNELS
    for begin_ms, end_ms in spans:
        start, stop = frames(begin_ms), min(-(-end_ms * RATE // 1000), total)
        if stop > start:
            out[CHANNELS * start : CHANNELS * stop] = array("h", bytes((stop - start) * CHANNELS * SAMPLE_BYTES))
    return out


def to_wav(buf: array) -> bytes:
    if sys.byteorder == "big":  # WAV is little-endian
        buf = array("h", buf)
        buf.byteswap()
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(CHANNELS)
        w.setsampwidth(SAMPLE_BYTES)
        w.setframerate(RATE)
        w.writeframes(buf.tobytes())
    return out.getvalue()
