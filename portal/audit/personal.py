"""Which audit details are personal data, and sealing them apart from the rest.

An event keeps two parts. `details` is readable JSON of what is not personal (action
codes, counts, versions, ids), so the log can be filtered, paired and reasoned about
without the key. `personal` holds the personal values (search words and phrases, phone
numbers and attribute values searched, typed reasons, attempted logins) encrypted with
the instance key. The readable part keeps a placeholder where a personal value was, so
the shape of an event stays visible without the key.
"""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import InvalidTag

from portal import crypto

PLACEHOLDER = "•••"
# Compared without case or underscores, at any depth (search criteria are nested).
PERSONAL_KEYS = frozenset(
    {
        "reason",
        "transcript",
        "customerphone",
        "systemphone",
        "customerphonenumber",
        "systemphonenumber",
        "phone",
        "attributes",
        "login",
    }
)
_EMPTY = (None, "", [], {})


def _is_personal(key: Any) -> bool:
    return str(key).lower().replace("_", "") in PERSONAL_KEYS


def split(details: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(readable, personal): personal values moved out, a placeholder left in their place."""
    readable: dict[str, Any] = {}
    personal: dict[str, Any] = {}
    for key, value in details.items():
        if _is_personal(key) and value not in _EMPTY:
            readable[key], personal[key] = PLACEHOLDER, value
        elif isinstance(value, dict):
            readable[key], inner = split(value)
            if inner:
                personal[key] = inner
        else:
            readable[key] = value
    return readable, personal


def merge(readable: dict[str, Any], personal: dict[str, Any]) -> dict[str, Any]:
    """The details as recorded: personal values put back in their places."""
    merged = dict(readable)
    for key, value in personal.items():
        inside = merged.get(key)
        merged[key] = merge(inside, value) if isinstance(value, dict) and isinstance(inside, dict) else value
    return merged


def seal_context(*, action: str, contact_id: str) -> str:
    # Bound as associated data: sealed values copied onto another contact's or another
    # kind of event fail to decrypt.
    return f"audit-event:{action}:{contact_id}"


def seal(personal: dict[str, Any], *, action: str, contact_id: str) -> bytes | None:
    if not personal:
        return None
    return crypto.encrypt_json(personal, context=seal_context(action=action, contact_id=contact_id))


def unseal(token: bytes | None, *, action: str, contact_id: str) -> dict[str, Any] | None:
    """The personal values, or None when there are none or they cannot be decrypted
    (a key that is no longer configured): the readable part still shows."""
    if token is None:
        return None
    try:
        return crypto.decrypt_json(token, context=seal_context(action=action, contact_id=contact_id))
    except (InvalidTag, ValueError):
        return None
