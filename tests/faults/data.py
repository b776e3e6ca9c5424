"""The batch the ingest cases read, and what an ingest leaves in the database, compared
without the values that differ between two correct runs (surrogate keys, timestamps of
the write, ciphertexts with their random nonces)."""

from __future__ import annotations

import json
import uuid

from tests.ctr_builder import ctr

CTR_FILES = 6
RECORDS_PER_FILE = 2


def _analysis(contact_id: str, *, redacted: bool, text: str) -> dict:
    turns = [("A", "Thank you for calling, how can I help?", "NEUTRAL"), ("C", text, "NEGATIVE"),
             ("A", "I have updated the card on file.", "POSITIVE")]  # fmt: skip
    return {
        "Version": "1.1.0",
        "Channel": "VOICE",
        "LanguageCode": "en-US",
        "ContentMetadata": {"Output": "Redacted" if redacted else "Raw"},
        "CustomerMetadata": {"ContactId": contact_id},
        "Participants": [{"ParticipantId": "A", "ParticipantRole": "AGENT"},
                         {"ParticipantId": "C", "ParticipantRole": "CUSTOMER"}],
        "ConversationCharacteristics": {"TotalConversationDurationMillis": 9000,
                                        "Sentiment": {"OverallSentiment": {"AGENT": 2.5, "CUSTOMER": -1.0}}},
        "Transcript": [{"ParticipantId": who, "Content": content, "BeginOffsetMillis": 3000 * n,
                        "EndOffsetMillis": 3000 * n + 2500, "Sentiment": sentiment}
                       for n, (who, content, sentiment) in enumerate(turns)],
    }  # fmt: skip


def batch_objects(bucket: str) -> dict[str, bytes]:
    """Connect's layout: contact records under ctr/, analyses (redacted twins and
    originals, one original without a twin) under Analysis/Voice/."""
    objects: dict[str, bytes] = {}
    contact_ids: list[str] = []
    for number in range(CTR_FILES):
        records = []
        for _ in range(RECORDS_PER_FILE):
            team = number % 3  # one tree: each team sits under one department
            record = ctr(agent=f"agent-{team}", groups=(f"g1-{team % 2}", f"g2-{team}"))
            record["Recording"]["Location"] = f"{bucket}/connect/CallRecordings/{record['ContactId']}.wav"
            records.append(record)
            contact_ids.append(record["ContactId"])
        objects[f"ctr/2026/11/01/part-{number}.json"] = "\n".join(json.dumps(r) for r in records).encode()
    stamp = "2026-11-01T09:05:00Z"
    for contact_id in contact_ids[:4]:
        objects[f"Analysis/Voice/Redacted/2026/11/01/{contact_id}_analysis_redacted_{stamp}.json"] = json.dumps(
            _analysis(contact_id, redacted=True, text="My card number is [PII]")
        ).encode()
    for contact_id in contact_ids[:6]:
        objects[f"Analysis/Voice/2026/11/01/{contact_id}_analysis_{stamp}.json"] = json.dumps(
            _analysis(contact_id, redacted=False, text="My card number is 4111 1111 1111 1111")
        ).encode()
    return objects


def upload(client, bucket: str) -> int:
    client.create_bucket(Bucket=bucket)
    objects = batch_objects(bucket)
    for key, body in objects.items():
        client.put_object(Bucket=bucket, Key=key, Body=body)
    return len(objects)


def unique_bucket(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# Each query yields one JSON object per row, without surrogate keys, write times and
# ciphertexts; references to other rows are replaced by their natural keys.
_ENC = "'customer_phone_enc', 'system_phone_enc', 'transferred_to_enc', 'attributes_enc', 'raw_enc'"
SNAPSHOT_QUERIES = {
    "contacts": f"""
        SELECT to_jsonb(c) - ARRAY['id', 'created_at', 'updated_at', 'agent_id', 'queue_id', 'routing_profile_id',
                                   {_ENC}]
               || jsonb_build_object('agent', a.agent_id, 'queue', q.queue_id, 'routing', r.routing_profile_id,
                                     'has_raw', c.raw_enc IS NOT NULL, 'has_phone', c.customer_phone_enc IS NOT NULL)
          FROM search_contact c LEFT JOIN hierarchy_agent a ON a.id = c.agent_id
          LEFT JOIN search_queue q ON q.id = c.queue_id LEFT JOIN search_routingprofile r ON r.id = c.routing_profile_id
    """,
    "attribute_index": """
        SELECT jsonb_build_object('contact', c.contact_id, 'key', i.key, 'hash', encode(i.value_hash, 'hex'))
          FROM search_contactattributeindex i JOIN search_contact c ON c.id = i.contact_id
    """,
    "recordings": """
        SELECT to_jsonb(r) - ARRAY['id', 'updated_at', 'contact_id'] || jsonb_build_object('contact', c.contact_id)
          FROM recordings_recording r JOIN search_contact c ON c.id = r.contact_id
    """,
    "analyses": "SELECT to_jsonb(a) - ARRAY['id', 'updated_at'] FROM search_contactanalysis a",
    "turns": "SELECT to_jsonb(t) - 'id' FROM search_transcriptturn t",
    "search_docs": """
        SELECT to_jsonb(d) - 'agent_id' || jsonb_build_object('agent', a.agent_id)
          FROM search_transcriptsearchdoc d LEFT JOIN hierarchy_agent a ON a.id = d.agent_id
    """,
    "agents": """
        SELECT to_jsonb(a) - ARRAY['id', 'updated_at', 'hierarchy_group_id'] || jsonb_build_object('group', g.group_id)
          FROM hierarchy_agent a LEFT JOIN hierarchy_hierarchygroup g ON g.id = a.hierarchy_group_id
    """,
    "groups": """
        SELECT to_jsonb(g) - ARRAY['id', 'updated_at', 'parent_id'] || jsonb_build_object('parent', p.group_id)
          FROM hierarchy_hierarchygroup g LEFT JOIN hierarchy_hierarchygroup p ON p.id = g.parent_id
    """,
    "queues": "SELECT to_jsonb(q) - 'id' FROM search_queue q",
    "routing_profiles": "SELECT to_jsonb(r) - 'id' FROM search_routingprofile r",
    "objects_read": "SELECT to_jsonb(o) - ARRAY['id', 'ingested_at'] FROM search_ingestedobject o",
}

INGEST_TABLES = (
    "search_contact", "search_contactanalysis", "search_contactattributeindex", "search_transcriptturn",
    "search_transcriptsearchdoc", "search_ingestedobject", "search_ingestrejection", "recordings_recording",
    "hierarchy_agent", "hierarchy_hierarchygroup", "search_queue", "search_routingprofile",
)  # fmt: skip


def snapshot(postgres, database: str) -> dict[str, list[str]]:
    """Every ingest table as a sorted list of canonical JSON rows."""
    result = {}
    for name, sql in SNAPSHOT_QUERIES.items():
        rows = postgres.execute(database, sql)
        result[name] = sorted(json.dumps(row[0], sort_keys=True) for row in rows)
    return result


def differences(got: dict[str, list[str]], clean: dict[str, list[str]]) -> list[str]:
    lines = []
    for name in clean:
        missing = sorted(set(clean[name]) - set(got[name]))
        extra = sorted(set(got[name]) - set(clean[name]))
        if missing or extra or len(got[name]) != len(clean[name]):
            lines.append(f"{name}: {len(got[name])} rows, clean run has {len(clean[name])}; "
                         f"missing {missing[:2]}; unexpected {extra[:2]}")  # fmt: skip
    return lines


def reset(postgres, database: str) -> None:
    postgres.execute(database, f"TRUNCATE {', '.join(INGEST_TABLES)} CASCADE")
