"""Batch boundaries: a failure part-way through a run keeps what was committed and
half-writes nothing, and files folded into one batch end up as separate runs would
leave them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recordings.models import Recording
from search.ingest import runner, writer
from search.ingest.runner import ingest_sources
from search.models import (
    Contact,
    ContactAnalysis,
    ContactAttributeIndex,
    IngestedObject,
    TranscriptSearchDoc,
    TranscriptTurn,
)
from tests.ctr_builder import ctr

pytestmark = pytest.mark.django_db
CONTACT = "3f0c1a52-0000-4000-8000-0000000000aa"


def _records_in_files(folder: Path, files: int, per_file: int) -> list[str]:
    ids = []
    for number in range(files):
        records = [ctr(agent=f"agent-{number}") for _ in range(per_file)]
        (folder / f"part-{number}.json").write_text("\n".join(json.dumps(r) for r in records))
        ids += [r["ContactId"] for r in records]
    return ids


def _fail_on_call(monkeypatch, target, name: str, call: int) -> None:
    original, calls = getattr(target, name), []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            raise RuntimeError("connection lost")
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, flaky)


def test_a_failing_later_batch_keeps_earlier_batches_and_half_writes_nothing(tmp_path, monkeypatch):
    ids = _records_in_files(tmp_path, files=3, per_file=2)
    monkeypatch.setattr(runner, "CONTACT_BATCH", 2)  # one file per batch
    _fail_on_call(monkeypatch, writer, "_upsert_recordings", call=2)

    with pytest.raises(RuntimeError):
        ingest_sources([str(tmp_path)])

    # The first file is in whole (record, attribute index, recording) and marked read;
    # the failing one left no trace and is not marked, so it is read again.
    assert set(Contact.objects.values_list("contact_id", flat=True)) == set(ids[:2])
    assert ContactAttributeIndex.objects.count() == 2 * 2 and Recording.objects.count() == 2
    assert [Path(s).name for s in IngestedObject.objects.values_list("source", flat=True)] == ["part-0.json"]

    report = ingest_sources([str(tmp_path)])  # only the second call fails
    assert (report.contacts, report.objects_already_read) == (4, 1)
    assert set(Contact.objects.values_list("contact_id", flat=True)) == set(ids)
    assert ContactAttributeIndex.objects.count() == 6 * 2 and Recording.objects.count() == 6


def test_records_naming_new_agents_queues_and_groups_resolve_in_one_batch(tmp_path):
    records = [ctr(agent=f"agent-{n}", groups=(f"l1-{n}", f"l2-{n}")) for n in range(3)]
    records.append(ctr(agent=None, Queue=None))
    (tmp_path / "a.json").write_text("\n".join(json.dumps(r) for r in records))
    ingest_sources([str(tmp_path)])
    for number, record in enumerate(records[:3]):
        contact = Contact.objects.select_related("agent__hierarchy_group", "queue").get(contact_id=record["ContactId"])
        assert contact.agent.username == f"agent-{number}" and contact.queue.name == "Billing"
        assert contact.agent.hierarchy_group.group_id == f"l2-{number}" == contact.hierarchy_l2
    bare = Contact.objects.get(contact_id=records[3]["ContactId"])
    assert bare.agent_id is None and bare.queue_id is None and bare.hierarchy_l1 is None


def _analysis(*, redacted: bool, words: str, **metrics) -> dict:
    characteristics = {"TotalConversationDurationMillis": 60000, **metrics}
    return {
        "Version": "1.1.0", "Channel": "VOICE", "LanguageCode": "en-US" if not redacted else "",
        "ContentMetadata": {"Output": "Redacted" if redacted else "Raw"},
        "Participants": [{"ParticipantId": "A", "ParticipantRole": "AGENT"}],
        "ConversationCharacteristics": characteristics,
        "CustomerMetadata": {"ContactId": CONTACT},
        "Transcript": [{"ParticipantId": "A", "Content": words, "BeginOffsetMillis": 0, "EndOffsetMillis": 900}],
    }  # fmt: skip


def _write_pair(folder: Path) -> tuple[Path, Path]:
    original = folder / f"{CONTACT}_analysis_2026-11-01T09:00:00Z.json"
    redacted = folder / f"{CONTACT}_analysis_redacted_2026-11-01T09:00:00Z.json"
    original.write_text(json.dumps(_analysis(redacted=False, words="my card is 4111", Interruptions={"TotalCount": 3})))
    redacted.write_text(json.dumps(_analysis(redacted=True, words="my card is [PII]")))
    return original, redacted


def _stored() -> dict:
    analysis = ContactAnalysis.objects.values(
        "original_key", "redacted_key", "language_code", "interruptions", "total_duration_ms"
    ).get(contact_id=CONTACT)
    analysis["original_key"] = Path(analysis["original_key"]).name
    analysis["redacted_key"] = Path(analysis["redacted_key"]).name
    turns = list(TranscriptTurn.objects.filter(contact_id=CONTACT).values_list("content", flat=True))
    return {**analysis, "turns": turns, "document": TranscriptSearchDoc.objects.get(contact_id=CONTACT).version}


@pytest.mark.parametrize("order", ["original first", "redacted first"])
def test_original_and_redacted_files_in_one_batch_end_as_separate_runs_would(tmp_path, order):
    original, redacted = _write_pair(tmp_path)
    first, second = (original, redacted) if order == "original first" else (redacted, original)
    ingest_sources([str(first)])
    ingest_sources([str(second)])
    separately = _stored()

    ContactAnalysis.objects.all().delete()
    TranscriptTurn.objects.all().delete()
    TranscriptSearchDoc.objects.all().delete()
    assert ingest_sources([str(tmp_path)], force=True).analyses == 2  # both files in one batch
    together = _stored()

    assert together == separately
    # Each file fills its own key; a metric only the original has, and the language
    # only it names, survive the redacted file; only redacted text is stored.
    assert together["original_key"] == original.name and together["redacted_key"] == redacted.name
    assert together["interruptions"] == 3 and together["language_code"] == "en-US"
    assert together["turns"] == ["my card is [PII]"] and together["document"] == "REDACTED"


def test_a_later_original_never_replaces_the_redacted_document(tmp_path):
    original, redacted = _write_pair(tmp_path)
    ingest_sources([str(redacted)])
    document = TranscriptSearchDoc.objects.get(contact_id=CONTACT).document
    ingest_sources([str(original)])
    stored = TranscriptSearchDoc.objects.get(contact_id=CONTACT)
    assert (stored.version, stored.document) == ("REDACTED", document)
    assert "4111" not in str(stored.document)
