"""Bulk writes of Contact Lens analyses: rows, redacted transcript turns and the
full-text documents, each through a COPY and at most one merge per batch.

The original text of a contact with a redacted analysis is never stored: only the
redacted turns are kept, and an original-only contact gets an ORIGINAL search
document that only unredacted readers may match.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction

from search.fts import DOCUMENT_SQL, fts_text
from search.ingest.copying import binary_copy, temp_table_like
from search.ingest.lens import Analysis

ANALYSIS_METRICS = (
    "total_duration_ms", "agent_sentiment", "customer_sentiment", "agent_sentiment_quarters",
    "customer_sentiment_quarters", "agent_sentiment_begin", "agent_sentiment_end",
    "customer_sentiment_begin", "customer_sentiment_end", "non_talk_ms", "non_talk_percent",
    "interruptions", "talk_time_ms", "talk_time_by_participant", "categories", "category_points",
)  # fmt: skip
_JSON_METRICS = {"talk_time_by_participant", "category_points"}
_COLUMNS = ("contact_id", "channel", "language_code", "version", "bucket", "original_key", "redacted_key",
            "redacted_audio_key", "redacted_by", *ANALYSIS_METRICS)  # fmt: skip
# How a later file updates what an earlier one wrote: these keep the earlier value when
# the later one is empty (an original and its redacted twin each fill their own key),
# metrics keep it when the later one has none, the rest are replaced.
_KEEP_IF_EMPTY = ("language_code", "original_key", "redacted_key", "redacted_by")
_REPLACED = ("channel", "version", "bucket")


def analyses_upsert(items: list[tuple[Analysis, str, str]]) -> int:
    """Write a batch of (analysis, bucket, key). Returns how many files were applied."""
    if not items:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cur = cursor.cursor
        items = _without_erased_contacts(cur, items)
        _merge_analyses(cur, [_analysis_row(*item) for item in items])
        ids = list({a.contact_id for a, _, _ in items})
        erased = _contact_ids(cur, _ERASED_SQL, ids)
        has_redacted = _contact_ids(cur, _HAS_REDACTED_SQL, ids)
        # The last file of a kind in the batch wins for a contact.
        redacted = {a.contact_id: a for a, _, _ in items if a.redacted and a.contact_id not in erased}
        original = {a.contact_id: a for a, _, _ in items if not a.redacted and a.contact_id not in erased}
        original_all, original = original, {cid: a for cid, a in original.items() if cid not in has_redacted}
        _replace_turns(cur, list(redacted.values()))
        _redact_later(redacted, original_all)
        _write_search_docs(
            cur, [(a, "REDACTED") for a in redacted.values()] + [(a, "ORIGINAL") for a in original.values()]
        )
    return len(items)


def _redact_later(redacted: dict, originals: dict) -> None:
    """Originals in a language Contact Lens does not redact get the portal's redaction,
    in a Celery task after the commit: the redactor's model stays out of ingest."""
    languages = set(settings.PORTAL_REDACT_LANGUAGES)
    wanted = [cid for cid, a in originals.items() if cid not in redacted and a.language_code in languages]
    if wanted:
        from redaction.services import contacts_redact_later

        contacts_redact_later(contact_ids=wanted)


_ERASED_SQL = (
    "SELECT c.contact_id FROM search_contact c JOIN recordings_recording r ON r.contact_id = c.id "
    "WHERE c.contact_id = ANY(%s) AND r.status IN ('DELETED', 'DELETING')"
)
_HAS_REDACTED_SQL = "SELECT contact_id FROM search_contactanalysis WHERE contact_id = ANY(%s) AND redacted_key <> ''"


def _contact_ids(cur, sql: str, ids: list[str]) -> set[str]:
    cur.execute(sql, [ids])
    return {row[0] for row in cur.fetchall()}


# --- Erased customers (erasure/): an analysis of an erased contact is never written again.
_ERASED_CONTACTS_SQL = "SELECT contact_id FROM search_contact WHERE contact_id = ANY(%s) AND erased_at IS NOT NULL"


def _without_erased_contacts(cur, items: list[tuple[Analysis, str, str]]) -> list[tuple[Analysis, str, str]]:
    erased = _contact_ids(cur, _ERASED_CONTACTS_SQL, list({a.contact_id for a, _, _ in items}))
    return [item for item in items if item[0].contact_id not in erased] if erased else items


_MERGE_SQL = """
    INSERT INTO search_contactanalysis ({columns}, updated_at)
    SELECT {columns}, now() FROM incoming_analysis
    ON CONFLICT (contact_id) DO UPDATE SET {replaced}, {kept}, {metrics}, updated_at = now()
""".format(
    columns=", ".join(_COLUMNS),
    replaced=", ".join(f"{c} = EXCLUDED.{c}" for c in _REPLACED),
    kept=", ".join(f"{c} = COALESCE(NULLIF(EXCLUDED.{c}, ''), search_contactanalysis.{c})" for c in _KEEP_IF_EMPTY),
    metrics=", ".join(f"{m} = COALESCE(EXCLUDED.{m}, search_contactanalysis.{m})" for m in ANALYSIS_METRICS),
)


def _merge_analyses(cur, rows: list[dict]) -> None:
    """One merge for the batch. A merge may touch a row only once, so the files of one
    contact (an original and its redacted twin) are first folded together, in order,
    by the same rules the merge applies to the stored row."""
    folded: dict[str, dict] = {}
    for row in rows:
        earlier = folded.get(row["contact_id"])
        folded[row["contact_id"]] = row if earlier is None else _fold(earlier, row)
    temp_table_like(cur, "incoming_analysis", "search_contactanalysis", _COLUMNS)
    with binary_copy(cur, "search_contactanalysis", "incoming_analysis", _COLUMNS) as copy:
        for row in folded.values():
            copy.write_row([row[c] for c in _COLUMNS])
    cur.execute(_MERGE_SQL)
    cur.execute("TRUNCATE incoming_analysis")


def _fold(earlier: dict, later: dict) -> dict:
    merged = dict(later)
    for column in _KEEP_IF_EMPTY:
        merged[column] = later[column] or earlier[column]
    for metric in ANALYSIS_METRICS:
        merged[metric] = earlier[metric] if later[metric] is None else later[metric]
    merged["redacted_audio_key"] = earlier["redacted_audio_key"]
    return merged


def _analysis_row(analysis: Analysis, bucket: str, key: str) -> dict:
    row = {m: analysis.metrics.get(m) for m in ANALYSIS_METRICS}
    for name in _JSON_METRICS:
        row[name] = row[name] or {}  # jsonb, dumped by the binary COPY
    row["categories"] = row["categories"] or []
    row.update(
        contact_id=analysis.contact_id, channel=analysis.channel, language_code=analysis.language_code,
        version=analysis.version, bucket=bucket, original_key="" if analysis.redacted else key,
        redacted_key=key if analysis.redacted else "", redacted_audio_key="",
        redacted_by="CONTACT_LENS" if analysis.redacted else "",
    )  # fmt: skip
    return row


_TURN_COLUMNS = ("contact_id", "position", "participant_role", "begin_ms", "end_ms", "sentiment", "content")


def _replace_turns(cur, analyses: list[Analysis]) -> None:
    if not analyses:
        return
    cur.execute("DELETE FROM search_transcriptturn WHERE contact_id = ANY(%s)", [[a.contact_id for a in analyses]])
    with binary_copy(cur, "search_transcriptturn", "search_transcriptturn", _TURN_COLUMNS) as copy:
        for analysis in analyses:
            for position, turn in enumerate(analysis.turns):
                copy.write_row((analysis.contact_id, position, *turn))


# An ORIGINAL document never replaces a REDACTED one.
_SEARCH_DOC_SQL = f"""
    INSERT INTO search_transcriptsearchdoc (contact_id, version, document)
    SELECT contact_id, version, {DOCUMENT_SQL % ("agent_text", "customer_text", "other_text")} FROM incoming_search_text
    ON CONFLICT (contact_id) DO UPDATE SET version = EXCLUDED.version, document = EXCLUDED.document
    WHERE EXCLUDED.version = 'REDACTED' OR search_transcriptsearchdoc.version = 'ORIGINAL'
"""


def _write_search_docs(cur, documents: list[tuple[Analysis, str]]) -> None:
    """The text goes in by COPY and PostgreSQL builds every document in one statement,
    rather than one parsed and bound INSERT per contact."""
    if not documents:
        return
    # A replaced document is deleted first: on a conflict, BEFORE triggers run for the
    # attempted INSERT and again for the UPDATE, so an upsert pays for them twice.
    redacted = [analysis.contact_id for analysis, version in documents if version == "REDACTED"]
    if redacted:
        cur.execute("DELETE FROM search_transcriptsearchdoc WHERE contact_id = ANY(%s)", [redacted])
    cur.execute(
        "CREATE TEMP TABLE IF NOT EXISTS incoming_search_text "
        "(contact_id text, version text, agent_text text, customer_text text, other_text text) ON COMMIT DELETE ROWS"
    )
    with cur.copy("COPY incoming_search_text FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(["text"] * 5)
        for analysis, version in documents:
            copy.write_row((analysis.contact_id, version, *(analysis.search_text or search_text(analysis))))
    cur.execute(_SEARCH_DOC_SQL)
    cur.execute("TRUNCATE incoming_search_text")


def search_text(analysis: Analysis) -> tuple[str, str, str]:
    agent, customer, other = (fts_text(part) for part in analysis.text_by_weight())
    return agent, customer, other


def redacted_audio_seen(bucket: str, key: str, contact_id: str) -> None:
    """A redacted WAV listed under Analysis/: remember its key (never download it here)."""
    with connection.cursor() as cursor:
        if _contact_ids(cursor, _ERASED_CONTACTS_SQL, [contact_id]):
            return  # an erased contact (erasure/)
        cursor.execute(
            """
            INSERT INTO search_contactanalysis (contact_id, channel, language_code, version, bucket, original_key,
                redacted_key, redacted_audio_key, talk_time_by_participant, categories, category_points, updated_at)
            VALUES (%s, 'VOICE', '', '', %s, '', '', %s, '{}', '{}', '{}', now())
            ON CONFLICT (contact_id) DO UPDATE SET redacted_audio_key = EXCLUDED.redacted_audio_key
            """,
            [contact_id, bucket, key],
        )


# Only a row that already holds Contact Lens's redacted analysis takes the key: any other
# original still has to be read, for its metrics, its ORIGINAL document or the portal's
# redaction (which a new original makes stale).
_ORIGINAL_KEY_SQL = """
    UPDATE search_contactanalysis a SET original_key = t.key, updated_at = now()
    FROM unnest(%s::text[], %s::text[]) AS t(contact_id, key)
    WHERE a.contact_id = t.contact_id AND a.redacted_key <> '' AND a.redacted_by <> 'PORTAL'
    RETURNING a.contact_id
"""


def original_keys_record(keys: dict[str, str]) -> set[str]:
    """Record {contact id: original key} on contacts with a redacted analysis, in one
    UPDATE; returns the contact ids that had one."""
    if not keys:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(_ORIGINAL_KEY_SQL, [list(keys), list(keys.values())])
        return {row[0] for row in cursor.fetchall()}
