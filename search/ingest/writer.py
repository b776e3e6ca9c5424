"""Bulk writes of contacts: COPY into a temporary table, then one merge.

Each call is one transaction, so a contact is written whole (record, attribute index,
recording row) or not at all. The merge keeps the newest `LastUpdateTimestamp`: an
equal or older re-delivery changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from django.db import connection, transaction

from portal import crypto
from portal.phone import phone_blind_index
from recordings.models import Recording
from search.ingest.copying import adapt, binary_copy, model_defaults, temp_table_like, to_json
from search.ingest.ctr import ContactRecord
from search.ingest.directory import DirectoryCache, DirectorySeen
from search.models import Contact

CONTACT_COLUMNS = (
    "contact_id", "initial_contact_id", "previous_contact_id", "next_contact_id", "channel",
    "initiation_method", "disconnect_reason", "initiation_ts", "connected_to_system_ts",
    "connected_to_agent_ts", "disconnect_ts", "scheduled_ts", "enqueue_ts", "dequeue_ts",
    "transfer_completed_ts", "last_update_ts", "duration_seconds", "agent_id", "hierarchy_l1",
    "hierarchy_l2", "hierarchy_l3", "hierarchy_l4", "hierarchy_l5", "hierarchy_names", "queue_id",
    "routing_profile_id", "agent_interaction_seconds", "customer_hold_seconds", "number_of_holds",
    "longest_hold_seconds", "after_contact_work_seconds", "queue_seconds", "customer_phone_enc",
    "customer_phone_hash", "system_phone_enc", "system_phone_hash", "transferred_to_enc",
    "attributes_enc", "raw_enc", "language_locale", "redaction_policy", "instance_arn",
)  # fmt: skip


def _merge_sql(portal_columns: list[str]) -> str:
    # Portal-owned columns (legal hold, created_at, ...) are set on insert only, never by a record.
    inserted = [*CONTACT_COLUMNS, *portal_columns]
    return """
    INSERT INTO search_contact ({cols})
    SELECT {select} FROM incoming_contact
    ON CONFLICT (contact_id) DO UPDATE SET {updates}, updated_at = now()
    WHERE search_contact.last_update_ts < EXCLUDED.last_update_ts
      AND search_contact.erased_at IS NULL  -- an erased customer's data never comes back (erasure/)
    RETURNING id, contact_id
    """.format(
        cols=", ".join(inserted),
        select=", ".join([*CONTACT_COLUMNS, *(["%s"] * len(portal_columns))]),
        updates=", ".join(f"{c} = EXCLUDED.{c}" for c in CONTACT_COLUMNS if c != "contact_id"),
    )


class SealedContact(NamedTuple):
    """A record ready to write, with its PII encrypted and hashed: what a worker process
    sends back (plain tuples pickle several times faster than the parsed record)."""

    contact_id: str
    last_update_ts: datetime
    row: tuple  # CONTACT_COLUMNS; agent, queue and routing profile still as Connect ids
    attribute_hashes: tuple[tuple[str, bytes], ...]
    recording: tuple[str, str, str] | None  # location, status, deletion reason


# Written by SQL, so sealed here as the model field would seal it.
_DELETION_REASON = Recording._meta.get_field("deletion_reason")
_REFERENCES = tuple(CONTACT_COLUMNS.index(c) for c in ("agent_id", "queue_id", "routing_profile_id"))


def seal(record: ContactRecord) -> SealedContact:
    """Encrypt and hash a record's PII and lay it out as a row. Needs no database, so it
    runs in a worker process; the plaintext stays behind (the ciphertext has it)."""
    values = {**record.values, "contact_id": record.contact_id, **_pii_columns(record), **_directory_columns(record)}
    hashes = tuple((key[:256], crypto.attribute_blind_index(key, value)) for key, value in record.attributes.items())
    recording = None
    if record.recording_location:
        status = _connect_status(record.recording_status)
        reason = _DELETION_REASON.seal(record.recording_deletion_reason)
        recording = (record.recording_location, status, reason)
    row = tuple(values[c] for c in CONTACT_COLUMNS)
    return SealedContact(record.contact_id, record.last_update_ts, row, hashes, recording)


def _pii_columns(record: ContactRecord) -> dict:
    cid = record.contact_id
    raw = record.raw_text.encode() if record.raw_text else to_json(record.raw).encode()
    return {
        "customer_phone_enc": crypto.encrypt_text(record.customer_phone, context=cid),
        "customer_phone_hash": phone_blind_index(record.customer_phone),
        "system_phone_enc": crypto.encrypt_text(record.system_phone, context=cid),
        "system_phone_hash": phone_blind_index(record.system_phone),
        "transferred_to_enc": crypto.encrypt_text(record.transferred_to, context=cid),
        "attributes_enc": crypto.encrypt_json(record.attributes, context=cid) if record.attributes else None,
        "raw_enc": crypto.encrypt(raw, context=cid, compress=True),
    }


def _directory_columns(record: ContactRecord) -> dict:
    """Connect ids; the writer swaps agent, queue and routing profile for primary keys."""
    groups = {g.level: g.id for g in record.groups}
    return {
        "agent_id": record.agent.id if record.agent else None,
        "queue_id": record.queue.id if record.queue else None,
        "routing_profile_id": record.routing_profile.id if record.routing_profile else None,
        "hierarchy_names": [g.name for g in record.groups],  # jsonb, dumped by the binary COPY
        **{f"hierarchy_l{level}": groups.get(level) for level in range(1, 6)},
    }


def _newest_per_contact(contacts: Iterable[SealedContact]) -> list[SealedContact]:
    newest: dict[str, SealedContact] = {}
    for contact in contacts:
        current = newest.get(contact.contact_id)
        if current is None or contact.last_update_ts > current.last_update_ts:
            newest[contact.contact_id] = contact
    return list(newest.values())


def _with_primary_keys(row: tuple, directory: DirectoryCache) -> list:
    resolved = list(row)
    for index, known in zip(_REFERENCES, (directory.agents, directory.queues, directory.routing_profiles), strict=True):
        if resolved[index] is not None:
            resolved[index] = known.get(resolved[index])
    return resolved


def contacts_upsert(contacts: list[SealedContact], seen: DirectorySeen, directory: DirectoryCache) -> int:
    """Write a batch; `seen` holds the directory entries its records name. Returns how
    many contacts were inserted or changed."""
    batch = _newest_per_contact(contacts)
    if not batch:
        return 0
    with transaction.atomic():
        directory.resolve(seen)
        with connection.cursor() as cursor:
            cur = cursor.cursor
            temp_table_like(cur, "incoming_contact", "search_contact", CONTACT_COLUMNS)
            with binary_copy(cur, "search_contact", "incoming_contact", CONTACT_COLUMNS) as copy:
                for contact in batch:
                    copy.write_row(_with_primary_keys(contact.row, directory))
            portal = model_defaults(Contact, CONTACT_COLUMNS)
            cur.execute(_merge_sql(list(portal)), [adapt(v) for v in portal.values()])
            changed = dict((contact_id, pk) for pk, contact_id in cur.fetchall())
            cur.execute("TRUNCATE incoming_contact")
            by_id = {c.contact_id: c for c in batch}
            _replace_attribute_index(cur, changed, by_id)
            _upsert_recordings(cur, changed, by_id)
    return len(changed)


def _replace_attribute_index(cur, changed: dict[str, int], by_id: dict[str, SealedContact]) -> None:
    if not changed:
        return
    cur.execute("DELETE FROM search_contactattributeindex WHERE contact_id = ANY(%s)", [list(changed.values())])
    columns = ("contact_id", "key", "value_hash")
    with binary_copy(cur, "search_contactattributeindex", "search_contactattributeindex", columns) as copy:
        for contact_id, pk in changed.items():
            for key, value_hash in by_id[contact_id].attribute_hashes:
                copy.write_row((pk, key, value_hash))


def _connect_status(status: str | None) -> str:
    return status if status in ("AVAILABLE", "DELETED") else "AVAILABLE"


def _upsert_recordings(cur, changed: dict[str, int], by_id: dict[str, SealedContact]) -> None:
    rows = [(pk, *recording) for contact_id, pk in changed.items() if (recording := by_id[contact_id].recording)]
    if not rows:
        return
    # A deletion done in the portal is never undone by a later record.
    extra = model_defaults(Recording, {"contact_id", "location", "status", "deletion_reason", "updated_at"})
    columns = ["contact_id", "location", "status", "deletion_reason", *extra]
    temp_table_like(cur, "incoming_recording", "recordings_recording", columns)
    with cur.copy(f"COPY incoming_recording ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row, *extra.values()))
    cur.execute(
        f"""
        INSERT INTO recordings_recording ({", ".join(columns)}, updated_at)
        SELECT {", ".join(columns)}, now() FROM incoming_recording
        ON CONFLICT (contact_id) DO UPDATE SET
          location = EXCLUDED.location,
          status = CASE WHEN recordings_recording.status IN ('DELETED', 'DELETING')
                        THEN recordings_recording.status ELSE EXCLUDED.status END,
          deletion_reason = CASE WHEN recordings_recording.status IN ('DELETED', 'DELETING')
                        THEN recordings_recording.deletion_reason ELSE EXCLUDED.deletion_reason END,
          updated_at = now()
        """
    )
    cur.execute("TRUNCATE incoming_recording")
