"""Purging contacts older than the retention period, in small batches so no lock is
held for long and ingestion keeps running alongside."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

BATCH = 2000
_TABLES_REFERENCING_CONTACT = ("search_contactattributeindex", "recordings_recording")


def contacts_purge_expired(*, now=None, batch: int = BATCH) -> int:
    cutoff = (now or timezone.now()) - timedelta(days=settings.CONTACT_RETENTION_DAYS)
    total = 0
    while True:
        removed = _purge_batch(cutoff, batch)
        total += removed
        if removed < batch:
            return total


def _purge_batch(cutoff, batch: int) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT id, contact_id FROM search_contact
            WHERE initiation_ts < %s AND NOT legal_hold
            ORDER BY initiation_ts LIMIT %s FOR UPDATE SKIP LOCKED
            """,
            [cutoff, batch],
        )
        rows = cursor.fetchall()
        if not rows:
            return 0
        pks, contact_ids = [r[0] for r in rows], [r[1] for r in rows]
        # Rows keyed by Connect's ContactId (no foreign key), then rows keyed by our id.
        for table in ("search_transcriptturn", "search_transcriptsearchdoc", "search_contactanalysis"):
            cursor.execute(f"DELETE FROM {table} WHERE contact_id = ANY(%s)", [contact_ids])
        for table in _TABLES_REFERENCING_CONTACT:
            cursor.execute(f"DELETE FROM {table} WHERE contact_id = ANY(%s)", [pks])
        cursor.execute("DELETE FROM search_contact WHERE id = ANY(%s)", [pks])
        return len(rows)
