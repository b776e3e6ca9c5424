"""The portal's own redaction of Japanese calls, end to end against real PostgreSQL, S3
and a real Celery worker: who reads, hears and finds what; the silenced recording
read back from S3; re-runs, deletion, and contacts Contact Lens redacted."""

# The recordings suite's fixtures are imported by name, so tests naming them as
# arguments "redefine" them for the linter.
# ruff: noqa: F811
from __future__ import annotations

import io
import json
import wave
from array import array

import pytest
from django.conf import settings

from recordings import deletion, storage
from recordings.models import Recording
from redaction import detector, services
from redaction.selectors import contacts_to_redact_count
from search.criteria import SearchCriteria, TextCriterion, parse_terms
from search.ingest.runner import ingest_sources
from search.models import ContactAnalysis, TranscriptSearchDoc, TranscriptTurn
from search.selectors import contact_search
from tests.recordings.conftest import (  # noqa: F401 - fixtures
    _session_worker,
    make_media,
    org,
    people,
    s3_versioned,
    wait_for,
    wav_bytes,
    worker,
)

NAME, PHONE = "山田太郎", "090-1234-5678"
CUSTOMER_TEXT = f"{NAME}と申します。電話番号は{PHONE}です。解約したいのですが。"
SECONDS = 12


def _japanese_analysis(contact_id: str) -> dict:
    return {
        "Version": "1.1.0", "Channel": "VOICE", "LanguageCode": "ja-JP",
        "ContentMetadata": {"Output": "Raw"}, "CustomerMetadata": {"ContactId": contact_id},
        "Participants": [{"ParticipantId": "A", "ParticipantRole": "AGENT"},
                         {"ParticipantId": "C", "ParticipantRole": "CUSTOMER"}],
        "ConversationCharacteristics": {"TotalConversationDurationMillis": SECONDS * 1000},
        "Transcript": [
            {"ParticipantId": "A", "Content": "お電話ありがとうございます。", "BeginOffsetMillis": 0,
             "EndOffsetMillis": 1500, "Sentiment": "NEUTRAL"},
            {"ParticipantId": "C", "Content": CUSTOMER_TEXT, "BeginOffsetMillis": 2000, "EndOffsetMillis": 9000,
             "Sentiment": "NEGATIVE"},
            {"ParticipantId": "A", "Content": "承知しました。", "BeginOffsetMillis": 9500, "EndOffsetMillis": 10000,
             "Sentiment": "NEUTRAL"},
        ],
    }  # fmt: skip


def _japanese_call(bucket: str, agent, *, ingest: bool = False):
    """A Japanese call with its WAV and only an original analysis, as Connect leaves it."""
    media = make_media(bucket, agent=agent, redacted=False, original_analysis=False, language="ja-JP",
                       audio=wav_bytes(SECONDS))  # fmt: skip
    key = f"Analysis/Voice/2026/11/01/{media.contact_id}_analysis_2026-11-01T09:05:00Z.json"
    storage.put_bytes(bucket, key, json.dumps(_japanese_analysis(media.contact_id), ensure_ascii=False).encode())
    if ingest:
        ingest_sources([f"s3://{bucket}/Analysis/"])
    else:
        ContactAnalysis.objects.filter(contact_id=media.contact_id).update(original_key=key)
        _original_index(media.contact_id)
    media.analysis_original_key = key
    return media


def _original_index(contact_id: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO search_transcriptsearchdoc (contact_id, version, document) "
            "VALUES (%s, 'ORIGINAL', portal_fts_document('', %s, ''))",
            [contact_id, CUSTOMER_TEXT],
        )


def _said(user, text: str) -> set[str]:
    criteria = SearchCriteria(transcript=(TextCriterion((), parse_terms(text), "MATCH_ANY"),))
    return {c.contact_id for c in contact_search(user=user, criteria=criteria, page_size=100).contacts}


def _frames(wav: bytes) -> array:
    with wave.open(io.BytesIO(wav)) as w:
        samples = array("h", w.readframes(w.getnframes()))
    return samples


@pytest.fixture
def redacted_call(db, s3_versioned, org):
    media = _japanese_call(s3_versioned, org.alice)
    outcome = services.contact_redact(contact_id=media.contact_id)
    assert not outcome.skipped and outcome.recording
    return media


@pytest.mark.worker
def test_ingest_queues_the_redaction_and_a_worker_makes_it(worker, s3_versioned, org, people, client):
    media = _japanese_call(s3_versioned, org.alice, ingest=True)
    analysis = wait_for(
        lambda: ContactAnalysis.objects.filter(contact_id=media.contact_id, redacted_by="PORTAL").first(),
        timeout=40, what="the portal's redaction",
    )  # fmt: skip
    assert analysis.redactor_version == detector.REDACTOR_VERSION
    assert analysis.redacted_key.startswith(settings.PORTAL_REDACTION_PREFIX)
    assert TranscriptSearchDoc.objects.get(contact_id=media.contact_id).version == "REDACTED"
    client.force_login(people.qa)
    job = client.post(f"/api/v1/contacts/{media.contact_id}/recording/fetch", {"Version": "REDACTED"},
                      content_type="application/json")  # fmt: skip
    assert job.status_code == 202
    url = f"/api/v1/recording-jobs/{job.json()['JobId']}"
    ready = wait_for(lambda: (r := client.get(url).json())["Status"] == "READY" and r, what="the redacted audio")
    audio = b"".join(client.get(ready["AudioUrl"]).streaming_content)
    assert audio[:4] == b"RIFF" and len(audio) == len(media.audio)


def test_qa_reads_plays_and_finds_the_call_redacted_by_the_portal(client, redacted_call, people):
    cid = redacted_call.contact_id
    client.force_login(people.qa)
    page = client.get(f"/contacts/{cid}/").content.decode()
    assert "[PII]" in page and NAME not in page and PHONE not in page
    assert 'data-redacted-by="PORTAL"' in page and 'data-play-version="REDACTED"' in page
    document = client.get(f"/api/v1/contacts/{cid}").json()["Contact"]
    assert document["Transcript"]["RedactedBy"] == {"By": "PORTAL", "RedactorVersion": detector.REDACTOR_VERSION}
    assert document["Recording"]["RedactedBy"]["By"] == "PORTAL" and document["Recording"]["Playable"] == ["REDACTED"]
    transcript = client.get(f"/api/v1/contacts/{cid}/transcript?version=redacted").json()
    assert transcript["RedactedBy"]["By"] == "PORTAL"
    customer = transcript["Transcript"][1]
    assert NAME not in customer["Content"] and "解約" in customer["Content"]
    assert {"NAME", "PHONE"} <= set(customer["RedactedTypes"])
    assert client.get(f"/api/v1/contacts/{cid}/transcript?version=original&reason=x").status_code == 403
    fetch = client.post(f"/api/v1/contacts/{cid}/recording/fetch", {"Version": "REDACTED"},
                        content_type="application/json")  # fmt: skip
    assert fetch.status_code == 202


def test_unredacted_reader_gets_the_original_with_a_reason(client, redacted_call, people):
    cid = redacted_call.contact_id
    client.force_login(people.admin)
    assert client.get(f"/api/v1/contacts/{cid}/transcript?version=original").status_code == 400
    original = client.get(f"/api/v1/contacts/{cid}/transcript?version=original&reason=complaint 42").json()
    assert original["Transcript"][1]["Content"] == CUSTOMER_TEXT and "RedactedBy" not in original
    page = client.post(f"/contacts/{cid}/", {"transcript": "original", "reason": "complaint 42"}).content.decode()
    assert NAME in page


def test_agents_see_their_own_and_other_branches_get_404(client, redacted_call, people, org, s3_versioned):
    other = _japanese_call(s3_versioned, org.wendy)
    services.contact_redact(contact_id=other.contact_id)
    client.force_login(people.agent)
    assert client.get(f"/contacts/{redacted_call.contact_id}/").status_code == 200
    assert client.get(f"/api/v1/contacts/{other.contact_id}/transcript?version=redacted").status_code == 404
    client.force_login(people.west)
    assert client.get(f"/contacts/{redacted_call.contact_id}/").status_code == 404
    assert client.get(f"/api/v1/contacts/{redacted_call.contact_id}").status_code == 404


def test_redacted_words_match_nothing_while_kaiyaku_finds_the_call(redacted_call, people):
    cid = redacted_call.contact_id
    assert cid in _said(people.qa, "解約")
    entities = detector.redact(CUSTOMER_TEXT, "ja-JP").entities
    assert entities
    for entity in entities:
        assert cid not in _said(people.qa, CUSTOMER_TEXT[entity.start : entity.end])
        # The original index is replaced, not kept: nobody matches the removed words.
        assert cid not in _said(people.admin, CUSTOMER_TEXT[entity.start : entity.end])


def test_each_redacted_span_is_silent_and_the_rest_unchanged(redacted_call):
    analysis = ContactAnalysis.objects.get(contact_id=redacted_call.contact_id)
    redacted = _frames(storage.get_bytes(analysis.bucket, analysis.redacted_audio_key))
    original = _frames(redacted_call.audio)
    assert len(redacted) == len(original)
    stored = json.loads(storage.get_bytes(analysis.bucket, analysis.redacted_key))
    spans = [(s["BeginOffsetMillis"], s["EndOffsetMillis"]) for item in stored["Transcript"]
             for s in (item.get("Redaction") or {}).get("RedactedTimestamps", [])]  # fmt: skip
    assert spans and stored["ContentMetadata"]["RedactedBy"] == "PORTAL"
    silent = bytearray(len(original) // 2)
    for begin, end in spans:
        for frame in range(begin * 8, min(-(-end * 8 // 1), len(silent))):
            silent[frame] = 1
    for frame, is_silent in enumerate(silent):
        pair = redacted[2 * frame : 2 * frame + 2]
        assert (pair == array("h", [0, 0])) if is_silent else (pair == original[2 * frame : 2 * frame + 2])
    # The name and the phone number: in the customer's turn, which the spans must cover.
    assert any(begin < 9000 and end > 2000 for begin, end in spans)


def test_a_newer_redactor_replaces_every_file_and_deletion_removes_them(redacted_call, people, monkeypatch):
    cid, bucket = redacted_call.contact_id, redacted_call.bucket
    before = set(storage.keys_under(bucket, services.contact_prefix(cid)))
    assert len(before) == 2
    assert services.contact_redact(contact_id=cid).skipped == "up to date"
    monkeypatch.setattr(detector, "REDACTOR_VERSION", detector.REDACTOR_VERSION + "-next")
    assert contacts_to_redact_count(language="ja-JP") == 1
    assert not services.contact_redact(contact_id=cid).skipped
    after = set(storage.keys_under(bucket, services.contact_prefix(cid)))
    assert len(after) == 2 and not after & before
    assert all(storage.remaining_versions(bucket, key) == 0 for key in before)
    assert ContactAnalysis.objects.get(contact_id=cid).redactor_version.endswith("-next")

    recording = Recording.objects.get(contact=redacted_call.contact)
    assert after <= {key for _, key in deletion.storage_keys(redacted_call.contact, recording)}
    deletion.recording_delete_request(contact=redacted_call.contact, user=people.admin, reason="customer asked")
    assert deletion.recording_delete_run(contact_id=cid) == "DELETED"
    assert storage.keys_under(bucket, services.contact_prefix(cid)) == []
    assert not TranscriptTurn.objects.filter(contact_id=cid).exists()


def test_a_contact_lens_redaction_is_never_touched(db, s3_versioned, org):
    media = make_media(s3_versioned, agent=org.alice, language="ja-JP")  # Contact Lens redacted it
    ContactAnalysis.objects.filter(contact_id=media.contact_id).update(redacted_by="CONTACT_LENS")
    before = list(TranscriptTurn.objects.filter(contact_id=media.contact_id).values_list("content", flat=True))
    assert services.contact_redact(contact_id=media.contact_id, force=True).skipped == "redacted by Contact Lens"
    assert contacts_to_redact_count(force=True) == 0
    analysis = ContactAnalysis.objects.get(contact_id=media.contact_id)
    assert (analysis.redacted_key, analysis.redacted_audio_key) == (
        media.analysis_redacted_key, media.redacted_audio_key,
    )  # fmt: skip
    assert list(TranscriptTurn.objects.filter(contact_id=media.contact_id).values_list("content", flat=True)) == before
    assert storage.keys_under(s3_versioned, services.contact_prefix(media.contact_id)) == []


def test_the_command_back_fills_with_progress_and_runs_again_harmlessly(db, s3_versioned, org):
    from io import StringIO

    from django.core.management import call_command

    media = _japanese_call(s3_versioned, org.alice)
    out = StringIO()
    call_command("redact_transcripts", "--language", "ja-JP", "--since", "2026-01-01", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("1 contacts to redact") and "1/1 contacts" in lines[1]
    assert lines[-1].startswith("redacted 3 turns in 1 contacts and 1 recordings")
    assert ContactAnalysis.objects.get(contact_id=media.contact_id).redacted_by == "PORTAL"
    again = StringIO()
    call_command("redact_transcripts", stdout=again)
    assert again.getvalue().splitlines()[-1].startswith("redacted 0 turns in 0 contacts")


def test_a_recording_listed_after_the_redaction_is_silenced_then(db, s3_versioned, org):
    media = _japanese_call(s3_versioned, org.alice)
    location = Recording.objects.get(contact=media.contact).location
    Recording.objects.filter(contact=media.contact).delete()  # the record has not arrived yet
    assert not services.contact_redact(contact_id=media.contact_id).recording
    Recording.objects.create(contact=media.contact, location=location)
    assert contacts_to_redact_count() == 1
    assert services.contact_redact(contact_id=media.contact_id).recording
    assert contacts_to_redact_count() == 0
