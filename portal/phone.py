"""Phone numbers normalised to E.164, so any common spelling finds the same contact.

Connect records numbers libphonenumber does not accept (test ranges, short codes,
prefixes no plan knows). Those are kept by their digits as written, so a recorded
number stays findable: the search form of a number is its E.164 when it parses, else
its digits. The two never collide, E.164 always starts with "+".
"""

from __future__ import annotations

import functools
import unicodedata

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


def phone_search_form(raw: str | None) -> str | None:
    """E.164 for a number that parses, otherwise its digits (any script) as written."""
    e164 = to_e164(raw)
    if e164 is not None or not raw:
        return e164
    digits = "".join(str(unicodedata.decimal(char)) for char in raw if char.isdecimal())
    return digits or None


def phone_form_index(form: str | None) -> bytes | None:
    """The blind index of a number already in its search form (see `phone_search_form`)."""
    return None if not form else blind_index(form, purpose="phone")


def phone_blind_index(raw: str | None) -> bytes | None:
    return phone_form_index(phone_search_form(raw))
