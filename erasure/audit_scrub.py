"""Taking an erased customer's number out of what users typed earlier: the sealed
personal details of audit events (a search by that number) and saved searches.

The number itself is not known here, only its blind index: a value names the customer
when it, or a number-like run of characters inside it, has that index. The audit log
stays append-only; its trigger lets an UPDATE through only in a transaction that set
`portal.audit_scrub` and only when nothing but the sealed column changes
(erasure/migrations/0002_audit_scrub.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.db import connection, transaction

from portal.audit.models import AuditEvent
from portal.audit.personal import seal, unseal
from portal.phone import phone_blind_index
from search.models import SavedSearch

ERASED = "[erased]"
CHUNK = 2000
# A run of digits (any script) with the separators people type in numbers.
_NUMBER_LIKE = re.compile(r"\+?\d[\d\s\-‐－ー().（）]{4,}\d")


def names_number(value: str, phone_hash: bytes) -> bool:
    if phone_blind_index(value) == phone_hash:
        return True
    return any(phone_blind_index(match.group()) == phone_hash for match in _NUMBER_LIKE.finditer(value))


def scrubbed(value: Any, phone_hash: bytes) -> tuple[Any, bool]:
    """`value` with every string naming the number replaced, and whether any was."""
    if isinstance(value, str):
        return (ERASED, True) if names_number(value, phone_hash) else (value, False)
    if isinstance(value, dict):
        pairs = {key: scrubbed(item, phone_hash) for key, item in value.items()}
        return {key: item for key, (item, _) in pairs.items()}, any(changed for _, changed in pairs.values())
    if isinstance(value, list):
        pairs = [scrubbed(item, phone_hash) for item in value]
        return [item for item, _ in pairs], any(changed for _, changed in pairs)
    return value, False


def audit_events_scrub(*, phone_hash: bytes, beat: Callable[[], None] = lambda: None) -> int:
    """Reseal every event whose personal details name the number; returns how many."""
    events = AuditEvent.objects.filter(personal__isnull=False).only("id", "action", "contact_id", "personal")
    changed: list[tuple[int, bytes | None]] = []
    total = 0
    for event in events.iterator(chunk_size=CHUNK):
        personal = unseal(bytes(event.personal), action=event.action, contact_id=event.contact_id)
        if not personal:
            continue
        cleaned, hit = scrubbed(personal, phone_hash)
        if hit:
            changed.append((event.pk, seal(cleaned, action=event.action, contact_id=event.contact_id)))
        if len(changed) >= CHUNK:
            total += _reseal(changed)
            changed = []
            beat()
    return total + _reseal(changed)


def _reseal(changed: list[tuple[int, bytes | None]]) -> int:
    if not changed:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('portal.audit_scrub', 'on', true)")
        for pk, personal in changed:
            cursor.execute("UPDATE audit_auditevent SET personal = %s WHERE id = %s", [personal, pk])
        # Called inside a larger transaction, the setting would outlive this block: clear it.
        cursor.execute("SELECT set_config('portal.audit_scrub', '', true)")
    return len(changed)


def saved_searches_scrub(*, phone_hash: bytes) -> int:
    """Drop the number from saved searches (the rest of each search stays)."""
    count = 0
    for saved in SavedSearch.objects.only("id", "query").iterator(chunk_size=CHUNK):
        pairs = parse_qsl(saved.query, keep_blank_values=True)
        kept = [(key, value) for key, value in pairs if not names_number(value, phone_hash)]
        if len(kept) != len(pairs):
            SavedSearch.objects.filter(pk=saved.pk).update(query=urlencode(kept))
            count += 1
    return count
