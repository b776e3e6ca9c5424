"""Phone numbers normalised to E.164, so any common spelling finds the same contact."""

from __future__ import annotations

import functools

import phonenumbers

from portal.crypto import blind_index

# Numbers typed without a country code are read as this region's (most users are in Japan).
DEFAULT_REGION = "JP"


def to_e164(raw: str | None, *, region: str = DEFAULT_REGION) -> str | None:
    if not raw:
        return None
    return _to_e164(raw, region)


# Parsing is slow and contact centres see the same system numbers over and over.
@functools.lru_cache(maxsize=65536)
def _to_e164(raw: str, region: str) -> str | None:
    text = raw.strip()
    if text.lower().startswith("tel:"):
        text = text[4:]
    try:
        parsed = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_blind_index(raw: str | None) -> bytes | None:
    e164 = to_e164(raw)
    return None if e164 is None else blind_index(e164, purpose="phone")
