"""Bulk writes of contacts and analyses: COPY into a temporary table, then one merge.

Each call is one transaction, so a contact is written whole (record, attribute index,
recording row) or not at all. The merge keeps the newest `LastUpdateTimestamp`: an
equal or older re-delivery changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection, transaction
from psycopg.types.json import Jsonb

from hierarchy.models import Agent, HierarchyGroup
from portal import crypto
from portal.phone import phone_blind_index
from recordings.models import Recording
from search.fts import DOCUMENT_SQL, fts_text
from search.ingest.ctr import ContactRecord, Named
from search.ingest.lens import Analysis
from search.models import Contact, Queue, RoutingProfile

CONTACT_COLUMNS = (
    "contact_id", "initial_contact_id", "previous_contact_id", "next_contact_id", "channel",
    "initiation_method", "disconnect_reason", "initiation_ts", "connected_to_system_ts",
    "connected_to_agent_ts", "disconnect_ts", "scheduled_ts", "enqueue_ts", "dequeue_ts",
    "transfer_completed_ts", "last_update_ts", "duration_seconds", "agent_id", "hierarchy_l1",
    "hierarchy_l2", "hierarchy_l3", "hierarchy_l4", "hierarchy_l5", "hierarchy_names", "queue_id",
    "routing_profile_id", "agent_interaction_seconds", "customer_hold_seconds", "number_of_holds",
    "longest_hold_seconds", "after_contact_work_seconds", "queue_seconds", "customer_phone_enc",
    "customer_phone_hash", "system_phone_enc", "system_phone_hash", "transferred_to_enc",
    "attributes_enc", "raw_enc", "language_locale", "redaction_policy",
)  # fmt: skip


def _model_defaults(model, explicit: set[str]) -> dict[str, object]:
    """Every other column of `model` with its model default, so a column added to the
    model later never breaks these hand-written INSERTs."""
    from django.utils import timezone

    defaults = {}
    for field in model._meta.concrete_fields:
        if field.column in explicit or field.primary_key:
            continue
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        defaults[field.column] = timezone.now() if auto else field.get_default()
    return defaults


def _merge_sql(portal_columns: list[str]) -> str:
    # Portal-owned columns (legal hold, created_at, ...) are set on insert only, never by a record.
    inserted = [*CONTACT_COLUMNS, *portal_columns]
    return """
    INSERT INTO search_contact ({cols})
    SELECT {select} FROM incoming_contact
    ON CONFLICT (contact_id) DO UPDATE SET {updates}, updated_at = now()
    WHERE search_contact.last_update_ts < EXCLUDED.last_update_ts
    RETURNING id, contact_id
    """.format(
        cols=", ".join(inserted),
        select=", ".join([*CONTACT_COLUMNS, *(["%s"] * len(portal_columns))]),
        updates=", ".join(f"{c} = EXCLUDED.{c}" for c in CONTACT_COLUMNS if c != "contact_id"),
    )


class DirectoryCache:
    """Connect ids → portal primary keys for agents, groups, queues and routing
    profiles, so a long ingest upserts each one once rather than once per record."""

    def __init__(self) -> None:
        self.groups: dict[str, int] = {}
        self.agents: dict[str, int] = {}
        self.queues: dict[str, int] = {}
        self.routing_profiles: dict[str, int] = {}
        self.grouped_agents: set[str] = set()  # agents given a group (or seen with one) in this run

    def resolve(self, records: list[ContactRecord]) -> None:
        self._groups([g for r in records for g in r.groups])
        self._simple(Agent, "agent_id", self.agents, [r.agent for r in records if r.agent], "username")
        self._simple(Queue, "queue_id", self.queues, [r.queue for r in records if r.queue], "name")
        self._simple(
            RoutingProfile,
            "routing_profile_id",
            self.routing_profiles,
            [r.routing_profile for r in records if r.routing_profile],
            "name",
        )
        self._agent_groups(records)

    def _simple(self, model, id_field: str, known: dict[str, int], seen: list[Named], name_field: str) -> None:
        fresh = {n.id: n for n in seen if n.id not in known}
        if not fresh:
            return
        model.objects.bulk_create(
            [model(**{id_field: n.id, "arn": n.arn, name_field: n.name}) for n in fresh.values()],
            update_conflicts=True,
            unique_fields=[id_field],
            update_fields=["arn", name_field],
        )
        known.update(model.objects.filter(**{f"{id_field}__in": list(fresh)}).values_list(id_field, "pk"))

    def _groups(self, seen: list[Named]) -> None:
        fresh = {g.id: g for g in seen if g.id not in self.groups}
        if not fresh:
            return
        self._simple(HierarchyGroup, "group_id", self.groups, list(fresh.values()), "name")
        rows = list(HierarchyGroup.objects.filter(group_id__in=list(fresh)))
        for row in rows:
            named = fresh[row.group_id]
            row.level = named.level
            row.parent_id = self.groups.get(named.parent_id) if named.parent_id else None
        HierarchyGroup.objects.bulk_update(rows, ["level", "parent"])

    def _agent_groups(self, records: list[ContactRecord]) -> None:
        """A new agent's current group is the deepest one of their first record;
        synchronising from Connect corrects it later."""
        newest: dict[str, str] = {}
        for record in records:
            if record.agent and record.groups and record.agent.id not in self.grouped_agents:
                newest[record.agent.id] = record.groups[-1].id
        if not newest:
            return
        # One statement for the batch, and each agent only once per run: per-agent
        # UPDATEs for every batch were a few percent of the whole ingest.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Agent._meta.db_table} SET hierarchy_group_id = v.group_pk "
                "FROM unnest(%s::text[], %s::bigint[]) AS v(agent_id, group_pk) "
                f"WHERE {Agent._meta.db_table}.agent_id = v.agent_id AND hierarchy_group_id IS NULL",
                [list(newest), [self.groups[g] for g in newest.values()]],
            )
        self.grouped_agents.update(newest)


def _newest_per_contact(records: Iterable[ContactRecord]) -> list[ContactRecord]:
    newest: dict[str, ContactRecord] = {}
    for record in records:
        current = newest.get(record.contact_id)
        if current is None or record.last_update_ts > current.last_update_ts:
            newest[record.contact_id] = record
    return list(newest.values())


def seal(record: ContactRecord) -> None:
    """Encrypt and hash a record's PII. Needs no database, so it can run in a worker
    process; afterwards the plaintext raw record is dropped (the ciphertext has it)."""
    cid = record.contact_id
    raw = record.raw_text.encode() if record.raw_text else _json(record.raw).encode()
    record.sealed = {
        "customer_phone_enc": crypto.encrypt_text(record.customer_phone, context=cid),
        "customer_phone_hash": phone_blind_index(record.customer_phone),
        "system_phone_enc": crypto.encrypt_text(record.system_phone, context=cid),
        "system_phone_hash": phone_blind_index(record.system_phone),
        "transferred_to_enc": crypto.encrypt_text(record.transferred_to, context=cid),
        "attributes_enc": crypto.encrypt_json(record.attributes, context=cid) if record.attributes else None,
        "raw_enc": crypto.encrypt(raw, context=cid, compress=True),
    }
    record.attribute_hashes = [
        (key[:256], crypto.attribute_blind_index(key, value))
        for key, value in record.attributes.items()
    ]
    record.raw, record.raw_text = {}, ""


def _contact_row(record: ContactRecord, directory: DirectoryCache) -> tuple:
    if record.sealed is None:
        seal(record)
    groups = {g.level: g.id for g in record.groups}
    values = {
        **record.values,
        **record.sealed,
        "contact_id": record.contact_id,
        "agent_id": directory.agents.get(record.agent.id) if record.agent else None,
        "queue_id": directory.queues.get(record.queue.id) if record.queue else None,
        "routing_profile_id": directory.routing_profiles.get(record.routing_profile.id)
        if record.routing_profile
        else None,
        "hierarchy_names": [g.name for g in record.groups],  # jsonb, dumped by the binary COPY
    }
    for level in range(1, 6):
        values[f"hierarchy_l{level}"] = groups.get(level)
    return tuple(values[c] for c in CONTACT_COLUMNS)


@contextmanager
def _binary_copy(cur, model_table: str, target: str, columns: tuple[str, ...]):
    """COPY in binary format: the encrypted columns travel as raw bytes rather than
    hex text, and rows are cheaper to format."""
    types = _column_types(cur, model_table)  # before the COPY starts: no queries during it
    with cur.copy(f"COPY {target} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([types[c] for c in columns])
        yield copy


_TYPES: dict[str, dict[str, int]] = {}


def _column_types(cur, table: str) -> dict[str, int]:
    """Column name → type oid, read from the catalogue (once per process) so a type
    changed by a migration is followed rather than hard-coded here."""
    if table not in _TYPES:
        cur.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0", [table])
        _TYPES[table] = dict(cur.fetchall())
    return _TYPES[table]


def _adapt(value):
    return Jsonb(value) if isinstance(value, dict | list) else value


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def contacts_upsert(records: list[ContactRecord], directory: DirectoryCache) -> int:
    """Write a batch; returns how many contacts were inserted or changed."""
    batch = _newest_per_contact(records)
    if not batch:
        return 0
    with transaction.atomic():
        directory.resolve(batch)
        rows = [_contact_row(r, directory) for r in batch]
        with connection.cursor() as cursor:
            cur = cursor.cursor
            cur.execute(
                "CREATE TEMP TABLE IF NOT EXISTS incoming_contact ON COMMIT DELETE ROWS AS "
                f"SELECT {', '.join(CONTACT_COLUMNS)} FROM search_contact WITH NO DATA"
            )
            with _binary_copy(cur, "search_contact", "incoming_contact", CONTACT_COLUMNS) as copy:
                for row in rows:
                    copy.write_row(row)
            portal = _model_defaults(Contact, set(CONTACT_COLUMNS))
            cur.execute(_merge_sql(list(portal)), [_adapt(v) for v in portal.values()])
            changed = dict((contact_id, pk) for pk, contact_id in cur.fetchall())
            cur.execute("TRUNCATE incoming_contact")
            by_id = {r.contact_id: r for r in batch}
            _replace_attribute_index(cur, changed, by_id)
            _upsert_recordings(cur, changed, by_id)
    return len(changed)


def _replace_attribute_index(cur, changed: dict[str, int], by_id: dict[str, ContactRecord]) -> None:
    if not changed:
        return
    cur.execute("DELETE FROM search_contactattributeindex WHERE contact_id = ANY(%s)", [list(changed.values())])
    columns = ("contact_id", "key", "value_hash")
    with _binary_copy(cur, "search_contactattributeindex", "search_contactattributeindex", columns) as copy:
        for contact_id, pk in changed.items():
            for key, value_hash in by_id[contact_id].attribute_hashes:
                copy.write_row((pk, key, value_hash))


def _connect_status(status: str | None) -> str:
    return status if status in ("AVAILABLE", "DELETED") else "AVAILABLE"


def _upsert_recordings(cur, changed: dict[str, int], by_id: dict[str, ContactRecord]) -> None:
    rows = [
        (pk, r.recording_location, _connect_status(r.recording_status), r.recording_deletion_reason)
        for contact_id, pk in changed.items()
        if (r := by_id[contact_id]).recording_location
    ]
    if not rows:
        return
    # A deletion done in the portal is never undone by a later record.
    extra = _model_defaults(Recording, {"contact_id", "location", "status", "deletion_reason", "updated_at"})
    columns = ["contact_id", "location", "status", "deletion_reason", *extra]
    cur.execute(
        "CREATE TEMP TABLE IF NOT EXISTS incoming_recording ON COMMIT DELETE ROWS AS "
        f"SELECT {', '.join(columns)} FROM recordings_recording WITH NO DATA"
    )
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


ANALYSIS_METRICS = (
    "total_duration_ms", "agent_sentiment", "customer_sentiment", "agent_sentiment_quarters",
    "customer_sentiment_quarters", "agent_sentiment_begin", "agent_sentiment_end",
    "customer_sentiment_begin", "customer_sentiment_end", "non_talk_ms", "non_talk_percent",
    "interruptions", "talk_time_ms", "talk_time_by_participant", "categories", "category_points",
)  # fmt: skip
_JSON_METRICS = {"talk_time_by_participant", "category_points"}


def analyses_upsert(items: list[tuple[Analysis, str, str]]) -> int:
    """Write a batch of (analysis, bucket, key). Returns how many files were applied.

    The original text of a contact with a redacted analysis is never stored: only the
    redacted turns are kept, and an original-only contact gets an ORIGINAL search
    document that only unredacted readers may match.
    """
    if not items:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cur = cursor.cursor
        cur.executemany(_ANALYSIS_UPSERT_SQL, [_analysis_params(*item) for item in items])
        ids = list({a.contact_id for a, _, _ in items})
        erased = _contact_ids(cur, _ERASED_SQL, ids)
        has_redacted = _contact_ids(cur, _HAS_REDACTED_SQL, ids)
        # The last file of a kind in the batch wins for a contact.
        redacted = {a.contact_id: a for a, _, _ in items if a.redacted and a.contact_id not in erased}
        original = {a.contact_id: a for a, _, _ in items if not a.redacted and a.contact_id not in erased}
        original = {cid: a for cid, a in original.items() if cid not in has_redacted}
        _replace_turns(cur, list(redacted.values()))
        _write_search_docs(cur, list(redacted.values()), "REDACTED")
        _write_search_docs(cur, list(original.values()), "ORIGINAL")
    return len(items)


_ERASED_SQL = (
    "SELECT c.contact_id FROM search_contact c JOIN recordings_recording r ON r.contact_id = c.id "
    "WHERE c.contact_id = ANY(%s) AND r.status IN ('DELETED', 'DELETING')"
)
_HAS_REDACTED_SQL = "SELECT contact_id FROM search_contactanalysis WHERE contact_id = ANY(%s) AND redacted_key <> ''"


def _contact_ids(cur, sql: str, ids: list[str]) -> set[str]:
    cur.execute(sql, [ids])
    return {row[0] for row in cur.fetchall()}


_ANALYSIS_UPSERT_SQL = """
    INSERT INTO search_contactanalysis (contact_id, channel, language_code, version, bucket, original_key,
        redacted_key, redacted_audio_key, {columns}, updated_at)
    VALUES (%s, %s, %s, %s, %s, %s, %s, '', {placeholders}, now())
    ON CONFLICT (contact_id) DO UPDATE SET
        channel = EXCLUDED.channel,
        language_code = COALESCE(NULLIF(EXCLUDED.language_code, ''), search_contactanalysis.language_code),
        version = EXCLUDED.version, bucket = EXCLUDED.bucket,
        original_key = COALESCE(NULLIF(EXCLUDED.original_key, ''), search_contactanalysis.original_key),
        redacted_key = COALESCE(NULLIF(EXCLUDED.redacted_key, ''), search_contactanalysis.redacted_key),
        {updates}, updated_at = now()
""".format(
    columns=", ".join(ANALYSIS_METRICS),
    placeholders=", ".join(["%s"] * len(ANALYSIS_METRICS)),
    updates=", ".join(f"{m} = COALESCE(EXCLUDED.{m}, search_contactanalysis.{m})" for m in ANALYSIS_METRICS),
)


def _analysis_params(analysis: Analysis, bucket: str, key: str) -> list:
    metrics = {m: analysis.metrics.get(m) for m in ANALYSIS_METRICS}
    for name in _JSON_METRICS:
        metrics[name] = _json(metrics[name] or {})
    metrics["categories"] = metrics["categories"] or []
    original_key = "" if analysis.redacted else key
    redacted_key = key if analysis.redacted else ""
    return [analysis.contact_id, analysis.channel, analysis.language_code, analysis.version, bucket,
            original_key, redacted_key, *metrics.values()]  # fmt: skip


def _replace_turns(cur, analyses: list[Analysis]) -> None:
    if not analyses:
        return
    cur.execute("DELETE FROM search_transcriptturn WHERE contact_id = ANY(%s)", [[a.contact_id for a in analyses]])
    with cur.copy(
        "COPY search_transcriptturn (contact_id, position, participant_role, begin_ms, end_ms, sentiment, content) "
        "FROM STDIN"
    ) as copy:
        for analysis in analyses:
            for position, turn in enumerate(analysis.turns):
                copy.write_row(
                    (analysis.contact_id, position, turn.role, turn.begin_ms, turn.end_ms, turn.sentiment, turn.content)
                )


def _write_search_docs(cur, analyses: list[Analysis], version: str) -> None:
    if not analyses:
        return
    # An ORIGINAL document never replaces a REDACTED one.
    guard = "" if version == "REDACTED" else "WHERE search_transcriptsearchdoc.version = 'ORIGINAL'"
    cur.executemany(
        f"""
        INSERT INTO search_transcriptsearchdoc (contact_id, version, document)
        VALUES (%s, %s, {DOCUMENT_SQL})
        ON CONFLICT (contact_id) DO UPDATE SET version = EXCLUDED.version, document = EXCLUDED.document {guard}
        """,
        [(a.contact_id, version, *(a.search_text or search_text(a))) for a in analyses],
    )


def search_text(analysis: Analysis) -> tuple[str, str, str]:
    agent, customer, other = (fts_text(part) for part in analysis.text_by_weight())
    return agent, customer, other


def redacted_audio_seen(bucket: str, key: str, contact_id: str) -> None:
    """A redacted WAV listed under Analysis/: remember its key (never download it here)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO search_contactanalysis (contact_id, channel, language_code, version, bucket, original_key,
                redacted_key, redacted_audio_key, talk_time_by_participant, categories, category_points, updated_at)
            VALUES (%s, 'VOICE', '', '', %s, '', '', %s, '{}', '{}', '{}', now())
            ON CONFLICT (contact_id) DO UPDATE SET redacted_audio_key = EXCLUDED.redacted_audio_key
            """,
            [contact_id, bucket, key],
        )
