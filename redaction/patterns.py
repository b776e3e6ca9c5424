"""Checked patterns: the personal data a statistical model misses or mislabels.

Each family lives in its own module (numbers, dates, addresses); this one runs them in
order over one normalised copy of the text and keeps e-mail, which needs nothing else.
Spans are in the text's own offsets: normalising keeps the length.
"""

from __future__ import annotations

import re

from redaction import addresses, dates, numbers
from redaction.text import Span, normalize

# ---------------------------------------------------------------------------------------
# E-mail. Presidio's pattern uses Unicode \w, which would swallow the Japanese after an
# address (taro@example.jp宛て), and its check calls tldextract, which downloads the
# suffix list: an ASCII pattern is both stricter and offline.
# ---------------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)


def emails(norm: str) -> list[Span]:
    return [("EMAIL", m.start(), m.end()) for m in _EMAIL.finditer(norm)]


def find_all(text: str, language: str) -> list[Span]:
    """Every pattern family over one text; overlaps are resolved by the caller."""
    norm = normalize(text)
    found = emails(norm) + dates.dates_of_birth(norm) + dates.card_expiries(norm) + addresses.addresses(norm)
    masked = _mask(norm, found)
    return found + numbers.numbers(masked, language)


def _mask(norm: str, spans: list[Span]) -> str:
    """Blank out what is already found so its digits are not read again as a number."""
    chars = list(norm)
    for _, start, end in spans:
        chars[start:end] = "\x00" * (end - start)
    return "".join(chars)
