"""Japanese (and English) transcript redaction: find personal data, replace it with `[PII]`.

Contact Lens leaves Japanese transcripts unredacted, so the portal redacts them itself and
must produce the same shape Contact Lens does: every entity replaced by the literal
`[PII]`, offsets reported against the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from redaction import english, patterns
from redaction.text import normalize

# Bump whenever detection changes: stored redactions carry it so they can be redone.
REDACTOR_VERSION = "ginza-5.3.0+rules-1"

PLACEHOLDER = "[PII]"
_PLACEHOLDER = re.compile(re.escape(PLACEHOLDER))

# NAME: a person's family and/or given name.
# ADDRESS: prefecture/city/street/building, or any part of a street address.
# PHONE: telephone numbers, domestic or international, in digits or read out.
# POSTCODE: Japanese 7-digit postal codes (〒123-4567) and postal codes with context.
# CREDIT_DEBIT_NUMBER: payment card numbers (Luhn-checked), and the last four digits
#   when said as such (末尾1234, ending in 1234).
# CREDIT_DEBIT_EXPIRY: a card's expiry (有効期限2028年5月, 05/28) when asked for or named.
# EMAIL: e-mail addresses.
# DATE_OF_BIRTH: a date given as someone's birthday.
# ACCOUNT_NUMBER: bank account, member, customer or contract numbers.
ENTITY_TYPES: tuple[str, ...] = (
    "NAME",
    "ADDRESS",
    "PHONE",
    "POSTCODE",
    "CREDIT_DEBIT_NUMBER",
    "CREDIT_DEBIT_EXPIRY",
    "EMAIL",
    "DATE_OF_BIRTH",
    "ACCOUNT_NUMBER",
)

# Languages redacted to the measured targets (bench.redaction_bench). English text goes
# through the patterns too, but without a name model it misses names: Contact Lens
# redacts English itself, so the portal does not claim it.
_SUPPORTED = ("ja",)


@dataclass(frozen=True)
class Entity:
    type: str  # one of ENTITY_TYPES
    start: int  # character offsets in the original text
    end: int


@dataclass(frozen=True)
class Redacted:
    text: str  # each entity replaced by "[PII]", as Contact Lens does
    entities: tuple[Entity, ...]  # in text order, never overlapping


def supports(language: str) -> bool:
    return language.split("-")[0].lower() in _SUPPORTED


def redact(text: str, language: str) -> Redacted:
    return redact_many([text], language)[0]


def redact_many(texts: list[str], language: str) -> list[Redacted]:
    """One result per text, in order; Japanese texts go through the model in batches."""
    found = [patterns.find_all(t, language) for t in texts]
    if _is_japanese(language):
        from redaction import nlp

        for spans, model_spans in zip(found, nlp.entities(texts), strict=True):
            spans += model_spans
    elif language.lower().startswith("en"):
        for spans, text in zip(found, texts, strict=True):
            spans += english.names(normalize(text))
    return [_apply(text, _merge(spans, text)) for text, spans in zip(texts, found, strict=True)]


def _is_japanese(language: str) -> bool:
    return language.split("-")[0].lower() == "ja"


def _merge(spans: list[patterns.Span], text: str) -> tuple[Entity, ...]:
    """Overlapping finds become one entity, typed by its longest part.

    Nothing that touches an existing `[PII]` is redacted again, so redaction is idempotent."""
    done = [m.span() for m in _PLACEHOLDER.finditer(text)]
    kept = [s for s in spans if s[2] > s[1] and not any(s[1] < end and start < s[2] for start, end in done)]
    merged: list[tuple[str, int, int, int]] = []  # type, start, end, length of the typing part
    for kind, start, end in sorted(kept, key=lambda s: (s[1], -s[2])):
        if merged and start < merged[-1][2]:
            last_kind, last_start, last_end, last_len = merged[-1]
            kind, size = (kind, end - start) if end - start > last_len else (last_kind, last_len)
            merged[-1] = (kind, last_start, max(last_end, end), size)
        else:
            merged.append((kind, start, end, end - start))
    return tuple(Entity(kind, start, end) for kind, start, end, _ in merged)


def _apply(text: str, entities: tuple[Entity, ...]) -> Redacted:
    out, pos = [], 0
    for e in entities:
        out += [text[pos : e.start], PLACEHOLDER]
        pos = e.end
    out.append(text[pos:])
    return Redacted("".join(out), entities)
