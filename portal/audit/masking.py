"""PII masking for audit details: phone numbers and long digit runs never reach the log."""

from __future__ import annotations

import re
from typing import Any

_DIGITS = re.compile(r"\+?\d[\d\s().-]{5,}\d")
# Ids (Connect's UUIDs, ARNs) are not PII and must stay readable in the log.
_UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
# Identifiers and timestamps look like digit runs but are not PII: keep them readable.
_KEEP = re.compile(
    r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
    r"|\b(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b",
    re.IGNORECASE,
)
SENSITIVE_KEYS = {"customerphonenumber", "systemphonenumber", "phone", "values", "password", "token"}


def _mask_digits(text: str) -> str:
    return _DIGITS.sub(lambda m: "•" * max(0, len(m.group()) - 2) + m.group()[-2:], text)


def mask_text(text: str) -> str:
    parts, start = [], 0
    for kept in _KEEP.finditer(text):
        parts += [_mask_digits(text[start : kept.start()]), kept.group()]
        start = kept.end()
    parts.append(_mask_digits(text[start:]))
    return "".join(parts)


def mask(value: Any, key: str = "") -> Any:
    if key.lower().replace("_", "") in SENSITIVE_KEYS and value not in (None, "", [], {}):
        if isinstance(value, list):
            return ["•••"] * len(value)
        # Under a phone-like key nothing is spared, not even what looks like a date.
        return _mask_digits(value) if isinstance(value, str) and key.lower() != "password" else "•••"
    if isinstance(value, dict):
        return {k: mask(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v, key) for v in value]
    if isinstance(value, str):
        return mask_text(value)
    return value
