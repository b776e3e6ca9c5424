"""Ingestion against real PostgreSQL and S3: the public samples, duplicates, bad input,
file formats, analysis-before-record, and PII kept out of plaintext."""

from __future__ import annotations

import gzip
import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from portal.phone import phone_blind_index
from recordings import storage
from recordings.models import Recording
from search.ingest import prepare
from search.ingest.runner import ingest_sources
from search.models import (
    Contact,
    ContactAnalysis,
    IngestRejection,
    TranscriptSearchDoc,
    TranscriptTurn,
)
from tests.ctr_builder import ctr

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples"
VOICE_SAMPLE_CONTACT = "7c77422d-f9ba-4111-ad48-b2f5dadf854a"
CHAT_SAMPLE_CONTACT = "b49644f6-672f-445c-b209-f76b36482830"

pytestmark = pytest.mark.django_db


def write(path: Path, *records: dict, sep: str = "") -> Path:
    path.write_text(sep.join(json.dumps(r) for r in records))
    return path


@pytest.fixture
def samples(tmp_path) -> Path:
    if not SAMPLES.exists():
        pytest.skip(f"samples not found at {SAMPLES}")
    folder = tmp_path / "samples"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("README.md"))
    return folder


def test_public_samples_ingest_and_broken_ones_are_reported(samples):
    report = ingest_sources([str(samples)])

    assert report.analyses == 3
    broken = sorted(Path(r.source).name for r in report.rejections)
    assert broken == ["awsdocs_contact_lens_voice_example_1.json.txt", "awsdocs_contact_lens_voice_example_2.json.txt"]
    assert all("broken JSON" in r.reason for r in report.rejections)
    assert IngestRejection.objects.count() == 2

    voice = ContactAnalysis.objects.get(contact_id=VOICE_SAMPLE_CONTACT)
    assert voice.language_code == "en-US"
    assert voice.total_duration_ms == 86727
    assert voice.customer_sentiment == pytest.approx(0.8)
    assert voice.agent_sentiment_quarters == [0, 0, 5, -2.5]
    assert voice.agent_sentiment_begin == 0 and voice.agent_sentiment_end == -2.5
    assert voice.non_talk_ms == 67489
    assert voice.non_talk_percent == pytest.approx(77.82, abs=0.01)
    assert voice.redaction_state == "NOT_REDACTED"
    # Original-only: searchable only through the ORIGINAL document; its text is not stored as turns.
    assert TranscriptSearchDoc.objects.get(contact_id=VOICE_SAMPLE_CONTACT).version == "ORIGINAL"
    assert not TranscriptTurn.objects.filter(contact_id=VOICE_SAMPLE_CONTACT).exists()

    chat = ContactAnalysis.objects.get(contact_id=CHAT_SAMPLE_CONTACT)
    assert chat.channel == "CHAT"
    assert chat.original_key.endswith("chat_example_1.json") and chat.redacted_key.endswith("chat_example_2.json")
    assert chat.customer_sentiment_begin == -3.75 and chat.customer_sentiment_end == 3.75
    assert chat.categories == ["agent-intro"]
    assert TranscriptSearchDoc.objects.get(contact_id=CHAT_SAMPLE_CONTACT).version == "REDACTED"
    turns = list(TranscriptTurn.objects.filter(contact_id=CHAT_SAMPLE_CONTACT).values_list("participant_role", flat=True))
    assert len(turns) > 10 and {"AGENT", "CUSTOMER", "SYSTEM"} <= set(turns)


def test_original_text_of_a_redacted_contact_is_never_stored(samples):
    ingest_sources([str(samples)])
    original = json.loads((samples / "awsdocs_contact_lens_chat_example_1.json").read_text())
    redacted = json.loads((samples / "awsdocs_contact_lens_chat_example_2.json").read_text())
    original_only = {
        t["Content"] for t in original["Transcript"] if t.get("Content")
    } - {t["Content"] for t in redacted["Transcript"] if t.get("Content")}
    assert original_only, "the sample pair should differ where PII was redacted"
    stored = " ".join(TranscriptTurn.objects.filter(contact_id=CHAT_SAMPLE_CONTACT).values_list("content", flat=True))
    for sentence in original_only:
        assert sentence not in stored
    assert "[PII]" in stored


def test_newest_update_wins_and_older_or_equal_changes_nothing(tmp_path):
    cid = "0b2e7a3c-0000-4000-8000-000000000001"
    newer = ctr(cid, updated="2026-11-01T10:00:00Z", DisconnectReason="AGENT_DISCONNECT")
    older = ctr(cid, updated="2026-11-01T09:00:00Z", DisconnectReason="TELECOM_PROBLEM")
    report = ingest_sources([str(write(tmp_path / "a.json", newer, older))])
    assert report.contacts == 1
    assert Contact.objects.get(contact_id=cid).disconnect_reason == "AGENT_DISCONNECT"

    stamp = Contact.objects.get(contact_id=cid).updated_at
    equal = ctr(cid, updated="2026-11-01T10:00:00Z", DisconnectReason="CONTACT_FLOW_DISCONNECT")
    report = ingest_sources([str(write(tmp_path / "b.json", older, equal))])
    assert report.contacts == 0
    contact = Contact.objects.get(contact_id=cid)
    assert contact.disconnect_reason == "AGENT_DISCONNECT" and contact.updated_at == stamp

    latest = ctr(cid, updated="2026-11-01T11:00:00Z", DisconnectReason="CUSTOMER_DISCONNECT")
    assert ingest_sources([str(write(tmp_path / "c.json", latest))]).contacts == 1
    assert Contact.objects.get(contact_id=cid).disconnect_reason == "CUSTOMER_DISCONNECT"
    assert Contact.objects.count() == 1


def test_rerunning_the_same_files_changes_nothing(tmp_path):
    write(tmp_path / "a.json", ctr(), ctr(), sep="\n")
    first = ingest_sources([str(tmp_path)])
    assert first.contacts == 2
    second = ingest_sources([str(tmp_path)])
    assert (second.contacts, second.objects_read, second.objects_already_read) == (0, 0, 1)
    forced = ingest_sources([str(tmp_path)], force=True)
    assert forced.contacts == 0 and forced.objects_read == 1
    assert Contact.objects.count() == 2


def test_concatenated_ndjson_and_gzip_files(tmp_path):
    records = [ctr() for _ in range(6)]
    write(tmp_path / "concatenated.json", *records[:2])
    write(tmp_path / "lines.json", *records[2:4], sep="\n")
    (tmp_path / "firehose.gz").write_bytes(gzip.compress("".join(json.dumps(r) for r in records[4:]).encode()))
    report = ingest_sources([str(tmp_path)])
    assert report.contacts == 6 and not report.rejections
    assert set(Contact.objects.values_list("contact_id", flat=True)) == {r["ContactId"] for r in records}


def test_bad_records_are_reported_and_the_rest_goes_in(tmp_path):
    good_before, good_after = ctr(), ctr()
    no_id = ctr()
    del no_id["ContactId"]
    bad_time = ctr(InitiationTimestamp="yesterday at noon")
    text = (
        json.dumps(good_before) + "\n" + '{"ContactId": "broken", "Channel": ' + "\n"
        + json.dumps(no_id) + "\n" + json.dumps(bad_time) + "\n" + json.dumps(good_after)
    )  # fmt: skip
    (tmp_path / "mixed.json").write_text(text)
    (tmp_path / "notes.json").write_text('{"hello": "world"}')
    (tmp_path / "broken.json.gz").write_bytes(b"\x1f\x8b not really gzip")

    out = StringIO()
    call_command("ingest", str(tmp_path), stdout=out)
    lines = out.getvalue().strip().splitlines()

    assert lines[-1] == "ingested 2 contacts, 0 analyses; skipped 5 records"
    reasons = "\n".join(lines[:-1])
    assert "broken JSON" in reasons
    assert "record has no ContactId" in reasons
    assert "bad timestamp in InitiationTimestamp" in reasons
    assert "neither a contact record nor a Contact Lens analysis" in reasons
    assert "broken gzip" in reasons
    assert set(Contact.objects.values_list("contact_id", flat=True)) == {good_before["ContactId"], good_after["ContactId"]}


def test_each_rejection_is_recorded_once_across_runs(tmp_path):
    (tmp_path / "broken.json.gz").write_bytes(b"\x1f\x8b not really gzip")
    (tmp_path / "mixed.json").write_text(json.dumps(ctr()) + "\n" + '{"ContactId": "broken", ')

    first = ingest_sources([str(tmp_path)])
    second = ingest_sources([str(tmp_path)])

    assert len(first.rejections) == 2
    # A file whose content is broken is marked read by its fingerprint: not re-read, not re-recorded.
    assert (second.objects_read, second.objects_already_read, second.rejections) == (0, 2, [])
    assert sorted(IngestRejection.objects.values_list("source", flat=True)) == sorted(
        str((tmp_path / name).resolve()) for name in ("broken.json.gz", "mixed.json")
    )


def test_already_read_objects_are_looked_up_a_listing_chunk_at_a_time(tmp_path, monkeypatch):
    from django.test.utils import CaptureQueriesContext

    from search.ingest import runner

    monkeypatch.setattr(runner, "SEEN_LOOKUP_CHUNK", 2)
    files = [write(tmp_path / f"{n}.json", ctr()) for n in range(5)]
    ingest_sources([str(files[1])])
    ingest_sources([str(files[3])])
    files[3].write_text(json.dumps(ctr()))  # changed content: a new fingerprint, read again

    with CaptureQueriesContext(connection) as queries:
        report = ingest_sources([str(tmp_path)])

    assert (report.contacts, report.objects_read, report.objects_already_read) == (4, 4, 1)
    lookups = [q["sql"] for q in queries if q["sql"].startswith('SELECT "search_ingestedobject"."source"')]
    assert len(lookups) == 3  # five files, two per lookup, never the whole table


def test_unknown_fields_and_nulls_are_accepted(tmp_path):
    record = ctr(SegmentAttributes={"connect:Subtype": {"ValueString": "connect:Telephony"}}, Queue=None,
                 CustomerEndpoint=None, Attributes=None, Recording=None, ContactLens=None)  # fmt: skip
    assert ingest_sources([str(write(tmp_path / "a.json", record))]).contacts == 1
    contact = Contact.objects.get(contact_id=record["ContactId"])
    assert contact.queue is None and contact.customer_phone_hash is None
    assert not Recording.objects.filter(contact=contact).exists()


def test_missing_source_is_an_error_but_skipped_records_are_not(tmp_path):
    with pytest.raises(Exception, match="no source could be read"):
        call_command("ingest", str(tmp_path / "nowhere"), stdout=StringIO(), stderr=StringIO())


def test_analysis_arriving_before_its_record_is_joined_later(tmp_path, samples):
    ingest_sources([str(samples / "contact_lens_voice_analysis_v1.1.0_servicecloudvoice.json")])
    assert not Contact.objects.filter(contact_id=VOICE_SAMPLE_CONTACT).exists()
    ingest_sources([str(write(tmp_path / "ctr.json", ctr(VOICE_SAMPLE_CONTACT)))])
    contact = Contact.objects.select_related("analysis").get(contact_id=VOICE_SAMPLE_CONTACT)
    assert contact.analysis.total_duration_ms == 86727


def test_directory_and_hierarchy_snapshot_come_from_the_record(tmp_path):
    record = ctr(agent="alice", groups=("japan", "tokyo", "team-a"))
    ingest_sources([str(write(tmp_path / "a.json", record))])
    contact = Contact.objects.select_related("agent", "queue", "routing_profile").get(contact_id=record["ContactId"])
    assert (contact.hierarchy_l1, contact.hierarchy_l2, contact.hierarchy_l3, contact.hierarchy_l4) == (
        "japan", "tokyo", "team-a", None)  # fmt: skip
    assert contact.hierarchy_names == ["JAPAN", "TOKYO", "TEAM-A"]
    assert contact.agent.username == "alice" and contact.agent.hierarchy_group.group_id == "team-a"
    assert contact.agent.hierarchy_group.parent.group_id == "tokyo"
    assert contact.queue.name == "Billing" and contact.routing_profile.name == "Basic Routing Profile"
    assert contact.duration_seconds == 300
    assert contact.recording.location.endswith("_20261101T09:00_UTC.wav")


def _columns_of_text_or_bytes() -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name, data_type FROM information_schema.columns
            WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'bytea', 'ARRAY')
            """
        )
        return cursor.fetchall()


def test_no_plaintext_pii_anywhere_in_the_database(tmp_path):
    secrets = ["+81312345678", "81312345678", "+81501234567", "ACC-0042", "+15550100"]
    record = ctr(TransferredToEndpoint={"Address": "+15550100", "Type": "TELEPHONE_NUMBER"})
    ingest_sources([str(write(tmp_path / "a.json", record))])
    hits = []
    with connection.cursor() as cursor:
        for table, column, kind in _columns_of_text_or_bytes():
            for secret in secrets:
                needle = secret.encode().hex() if kind == "bytea" else secret
                expr = f'encode("{column}", \'hex\')' if kind == "bytea" else f'"{column}"::text'
                cursor.execute(f'SELECT count(*) FROM "{table}" WHERE {expr} LIKE %s', [f"%{needle}%"])
                if cursor.fetchone()[0]:
                    hits.append(f"{table}.{column} holds {secret}")
    assert hits == []
    contact = Contact.objects.get(contact_id=record["ContactId"])
    from portal import crypto

    assert crypto.decrypt_text(contact.customer_phone_enc, context=contact.contact_id) == "+81312345678"
    assert crypto.decrypt_json(contact.attributes_enc, context=contact.contact_id)["accountNumber"] == "ACC-0042"


@pytest.mark.parametrize("typed", ["+81312345678", "03-1234-5678", "(03) 1234 5678", "+81 3-1234-5678", "tel:+81312345678"])
def test_phone_search_by_blind_index_in_any_common_format(tmp_path, typed):
    record = ctr()
    ingest_sources([str(write(tmp_path / "a.json", record, ctr(CustomerEndpoint={"Address": "+14155550100"})))])
    found = Contact.objects.filter(customer_phone_hash=phone_blind_index(typed)).values_list("contact_id", flat=True)
    assert list(found) == [record["ContactId"]]


def test_a_failing_batch_writes_nothing(tmp_path, monkeypatch):
    from search.ingest import writer

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer, "_upsert_recordings", explode)
    (tmp_path / "a.json").write_text(json.dumps(ctr()) + "\n" + json.dumps(ctr()) + "\n" + '{"ContactId": ')
    with pytest.raises(RuntimeError):
        ingest_sources([str(tmp_path / "a.json")])
    assert Contact.objects.count() == 0
    assert not connection.cursor().execute("SELECT 1 FROM search_contactattributeindex").fetchall()
    assert not IngestRejection.objects.exists()  # recorded with the batch, so not yet
    # The file was not marked as read, so the next run picks it up again, and records its bad record once.
    monkeypatch.undo()
    assert ingest_sources([str(tmp_path)]).contacts == 2
    assert IngestRejection.objects.count() == 1


def test_poller_reads_only_new_objects_from_s3(s3_bucket):
    from search.tasks import poll_sources

    storage.put_bytes(s3_bucket, "ctr/2026/11/01/09/firehose-1.json", json.dumps(ctr()).encode())
    first = poll_sources()
    assert first["contacts"] == 1

    storage.put_bytes(s3_bucket, "ctr/2026/11/01/10/firehose-2.json", json.dumps(ctr()).encode())
    voice = (SAMPLES / "contact_lens_voice_analysis_v1.1.0_servicecloudvoice.json").read_bytes()
    storage.put_bytes(s3_bucket, f"Analysis/Voice/2022/03/30/{VOICE_SAMPLE_CONTACT}_analysis_2022-03-30T23:55:23Z.json", voice)
    second = poll_sources()
    assert (second["contacts"], second["analyses"]) == (1, 1)
    assert poll_sources() == {"contacts": 0, "analyses": 0, "rejected": 0}
    assert Contact.objects.count() == 2


def test_redacted_audio_listed_under_analysis_is_remembered_not_downloaded(s3_bucket):
    cid = "5d5e1b34-0000-4000-8000-00000000abcd"
    key = f"Analysis/Voice/Redacted/2026/11/01/{cid}_call_recording_redacted_2026-11-01T09:06:00Z.wav"
    storage.put_bytes(s3_bucket, key, b"RIFF....WAVE")
    report = ingest_sources([f"s3://{s3_bucket}/Analysis/"])
    assert report.objects_read == 1 and not report.rejections
    assert ContactAnalysis.objects.get(contact_id=cid).redacted_audio_key == key


def test_daemonic_processes_prepare_in_process(monkeypatch):
    """Celery prefork children are daemonic and cannot start worker processes."""

    class Daemon:
        daemon = True

    monkeypatch.setattr(prepare.multiprocessing, "current_process", lambda: Daemon())
    with prepare.Preparer(parallel=True) as preparer:
        assert preparer.pool is None


def test_presigned_reads_answer_with_storage_errors(s3_bucket):
    storage.put_bytes(s3_bucket, "ctr/one.json", b'{"ContactId": "x"}')
    assert storage.get_bytes_presigned(s3_bucket, "ctr/one.json") == b'{"ContactId": "x"}'
    with pytest.raises(storage.ObjectMissing):
        storage.get_bytes_presigned(s3_bucket, "ctr/missing.json")
