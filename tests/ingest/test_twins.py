"""Originals whose redacted twin is already written are settled by their key alone:
never downloaded, yet the database ends as if every file had been read, whatever the
order of the files and however many runs they arrive in."""

from __future__ import annotations

import json

import pytest

from recordings import storage
from search.ingest.runner import ingest_sources
from search.models import ContactAnalysis, IngestedObject, TranscriptSearchDoc, TranscriptTurn

pytestmark = pytest.mark.django_db
ENGLISH = "0b1e2c3d-0000-4000-8000-000000000001"
JAPANESE = "0b1e2c3d-0000-4000-8000-000000000002"
CHAT = "0b1e2c3d-0000-4000-8000-000000000003"
DAY = "2026/11/01"
STAMP = "2026-11-01T09:00:00Z"


def _analysis(contact: str, *, redacted: bool, words: str, channel: str = "VOICE", language: str = "en-US") -> bytes:
    return json.dumps({
        "Version": "1.1.0", "Channel": channel, "LanguageCode": language,
        "ContentMetadata": {"Output": "Redacted" if redacted else "Raw"},
        "Participants": [{"ParticipantId": "A", "ParticipantRole": "AGENT"}],
        "ConversationCharacteristics": {"TotalConversationDurationMillis": 60000, "Interruptions": {"TotalCount": 2}},
        "CustomerMetadata": {"ContactId": contact},
        "Transcript": [{"ParticipantId": "A", "Content": words, "BeginOffsetMillis": 0, "EndOffsetMillis": 900}],
    }).encode()  # fmt: skip


def _key(contact: str, *, redacted: bool, channel: str = "Voice", name: str | None = None) -> str:
    folder = f"Analysis/{channel}/Redacted/{DAY}" if redacted else f"Analysis/{channel}/{DAY}"
    kind = "analysis_redacted" if redacted else "analysis"
    return f"{folder}/{name or contact}_{kind}_{STAMP}.json"


def _files() -> dict[str, dict[str, bytes]]:
    """Originals and redacted files of an English call, a chat and a Japanese call (never redacted)."""
    return {
        "original": {
            _key(ENGLISH, redacted=False): _analysis(ENGLISH, redacted=False, words="my card is 4111"),
            _key(CHAT, redacted=False, channel="Chat"): _analysis(
                CHAT, redacted=False, words="call me at 555 0100", channel="CHAT"
            ),
            _key(JAPANESE, redacted=False): _analysis(JAPANESE, redacted=False, words="カードの番号", language="ja-JP"),
        },
        "redacted": {
            _key(ENGLISH, redacted=True): _analysis(ENGLISH, redacted=True, words="my card is [PII]"),
            _key(CHAT, redacted=True, channel="Chat"): _analysis(
                CHAT, redacted=True, words="call me at [PII]", channel="CHAT"
            ),
        },
    }


@pytest.fixture
def gets(monkeypatch) -> list[str]:
    """Every object GET the ingest makes, passed on to the real S3."""
    made: list[str] = []
    real = storage.get_bytes_presigned

    def counted(bucket: str, key: str) -> bytes:
        made.append(key)
        return real(bucket, key)

    monkeypatch.setattr(storage, "get_bytes_presigned", counted)
    return made


def _put(bucket: str, files: dict[str, bytes]) -> None:
    for key, body in files.items():
        storage.put_bytes(bucket, key, body, content_type="application/json")


def _state() -> dict:
    rows = ContactAnalysis.objects.order_by("contact_id").values()
    analyses = [{k: v for k, v in row.items() if k not in ("id", "updated_at")} for row in rows]
    turns = list(TranscriptTurn.objects.order_by("contact_id", "position").values_list("contact_id", "content"))
    docs = list(TranscriptSearchDoc.objects.order_by("contact_id").values_list("contact_id", "version", "document"))
    return {"analyses": analyses, "turns": turns, "docs": [(c, v, str(d)) for c, v, d in docs]}


def _clear() -> None:
    for model in (ContactAnalysis, TranscriptTurn, TranscriptSearchDoc, IngestedObject):
        model.objects.all().delete()


def test_an_original_with_a_redacted_twin_is_recorded_not_downloaded(s3_bucket, gets):
    files = _files()
    _put(s3_bucket, files["original"] | files["redacted"])

    report = ingest_sources([f"s3://{s3_bucket}/Analysis/"])

    assert report.analyses == 5 and report.originals_not_downloaded == 2 and not report.rejections
    assert sorted(gets) == sorted([*files["redacted"], _key(JAPANESE, redacted=False)])
    english = ContactAnalysis.objects.get(contact_id=ENGLISH)
    assert (english.original_key, english.redacted_key) == (
        _key(ENGLISH, redacted=False), _key(ENGLISH, redacted=True)
    )  # fmt: skip
    assert ContactAnalysis.objects.get(contact_id=CHAT).original_key == _key(CHAT, redacted=False, channel="Chat")
    docs = dict(TranscriptSearchDoc.objects.values_list("contact_id", "version"))
    assert docs == {ENGLISH: "REDACTED", CHAT: "REDACTED", JAPANESE: "ORIGINAL"}
    # Settled originals are marked read: the next run downloads nothing.
    assert IngestedObject.objects.count() == 5
    gets.clear()
    assert ingest_sources([f"s3://{s3_bucket}/"]).analyses == 0 and gets == []


def test_an_original_named_otherwise_than_its_contact_is_read(s3_bucket, gets):
    """Connect allows file names other than the contact id: no row matches, so it is read."""
    stranger = "9f9f9f9f-0000-4000-8000-00000000ffff"
    original_key = _key(ENGLISH, redacted=False, name=stranger)
    _put(s3_bucket, {_key(ENGLISH, redacted=True): _analysis(ENGLISH, redacted=True, words="my card is [PII]")})
    _put(s3_bucket, {original_key: _analysis(ENGLISH, redacted=False, words="my card is 4111")})

    report = ingest_sources([f"s3://{s3_bucket}/Analysis/Voice/"])

    assert report.analyses == 2 and report.originals_not_downloaded == 0
    assert original_key in gets
    assert ContactAnalysis.objects.get(contact_id=ENGLISH).original_key == original_key
    assert not ContactAnalysis.objects.filter(contact_id=stranger).exists()
    assert TranscriptSearchDoc.objects.get(contact_id=ENGLISH).version == "REDACTED"
    assert "4111" not in " ".join(TranscriptTurn.objects.values_list("content", flat=True))


@pytest.mark.parametrize(
    "source", ["", "Analysis/", "Analysis/Voice/", "Analysis/Voice/2026/", "Analysis/Voice/Redacted/"]
)
def test_any_prefix_reads_what_it_covers(s3_bucket, source):
    files = _files()
    _put(s3_bucket, files["original"] | files["redacted"])
    storage.put_bytes(s3_bucket, "ctr/2026/11/01/firehose-1.json", b"")
    covered = [key for key in files["original"] | files["redacted"] if key.startswith(source)]

    report = ingest_sources([f"s3://{s3_bucket}/{source}"])

    assert report.analyses == len(covered)
    assert IngestedObject.objects.filter(source__contains="/Analysis/").count() == len(covered)


def test_the_same_files_in_any_order_or_runs_end_in_the_same_state(s3_bucket, tmp_path):
    files = _files()
    everything = files["original"] | files["redacted"]
    runs = {
        "one run": [everything],
        "originals first": [files["original"], files["redacted"]],
        "redacted first": [files["redacted"], files["original"]],
        "one by one": [{key: body} for key, body in reversed(everything.items())],
    }
    states = {}
    for name, batches in runs.items():
        _clear()
        bucket = f"{s3_bucket}-{len(states)}"
        storage.ensure_bucket(bucket)
        try:
            for batch in batches:
                _put(bucket, batch)
                ingest_sources([f"s3://{bucket}/"])
            states[name] = _state()
        finally:
            from tests.conftest import _drop_bucket

            _drop_bucket(bucket)
    # The same files from a local folder, all in one run.
    _clear()
    for key, body in everything.items():
        (tmp_path / key).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / key).write_bytes(body)
    local = ingest_sources([str(tmp_path)])
    assert local.originals_not_downloaded == 2
    local_state = _state()
    for row in local_state["analyses"]:
        row["bucket"] = s3_bucket  # local files name no bucket, and their keys are paths
        row["original_key"] = row["original_key"].removeprefix(f"{tmp_path}/")
        row["redacted_key"] = row["redacted_key"].removeprefix(f"{tmp_path}/")
    states["local folder"] = local_state

    first = states["one run"]
    for name, state in states.items():
        for row in state["analyses"]:
            row["bucket"] = "b"
        assert state == first, name
    assert [(c, v) for c, v, _ in first["docs"]] == [(ENGLISH, "REDACTED"), (JAPANESE, "ORIGINAL"), (CHAT, "REDACTED")]
    assert "4111" not in str(first) and "555" not in str(first)
