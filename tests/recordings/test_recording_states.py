"""Every state of a recording names its true reason, on the page and in the contact document."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from recordings import storage
from recordings.models import Recording
from search.models import ContactAnalysis
from tests.factories import make_contact
from tests.recordings.conftest import make_media

PROBABLY_REMOVED = "probably been removed"


def _page(client, user, contact_id: str) -> str:
    client.force_login(user)
    response = client.get(f"/contacts/{contact_id}/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _recording(client, user, contact_id: str) -> dict:
    client.force_login(user)
    response = client.get(f"/api/v1/contacts/{contact_id}")
    assert response.status_code == 200, response.content
    return response.json()["Contact"]["Recording"]


def _ago(days: float) -> dict:
    started = timezone.now() - timedelta(days=days)
    return {"initiation_ts": started, "disconnect_ts": started + timedelta(minutes=5)}


@pytest.fixture
def rule(s3_bucket):
    """The bucket deletes recordings three days after they are made."""
    storage.set_lifecycle_expiry(s3_bucket, "connect/", days=3)
    cache.clear()  # the portal remembers each bucket's rules for a while
    yield 3
    cache.clear()


def test_an_english_call_without_its_redacted_output(client, s3_bucket, recording_cache, org, people):
    media = make_media(s3_bucket, agent=org.alice, redacted=False, redaction_policy="RedactedAndOriginal")
    page = _page(client, people.qa, media.contact_id)
    assert "Contact Lens produced no redacted recording for this contact." in page
    assert "You may only hear redacted recordings." in page and 'id="player"' not in page
    assert 'data-transcript-state="NOT_PRODUCED"' in page and "not available for this language" not in page
    admin_page = _page(client, people.admin, media.contact_id)
    assert 'data-play-version="ORIGINAL"' in admin_page
    assert "Contact Lens produced no redacted recording for this contact." in admin_page  # beside the player
    document = _recording(client, people.qa, media.contact_id)
    assert document["State"] == "AVAILABLE" and document["Playable"] == []
    assert document["Unavailable"]["REDACTED"]["Reason"] == "NOT_PRODUCED"


def test_a_japanese_call_says_its_language_is_not_redacted(client, s3_bucket, recording_cache, org, people):
    media = make_media(s3_bucket, agent=org.alice, redacted=False, language="ja-JP", redaction_policy="None")
    page = _page(client, people.qa, media.contact_id)
    assert "There is no redacted recording: redaction is not available for this language." in page
    assert 'data-unavailable-reason="LANGUAGE_NOT_REDACTED"' in page
    document = _recording(client, people.qa, media.contact_id)
    assert document["Unavailable"] == {
        "REDACTED": {
            "Reason": "LANGUAGE_NOT_REDACTED",
            "Message": "There is no redacted recording: redaction is not available for this language.",
        }
    }


def test_an_english_call_with_redaction_turned_off(client, s3_bucket, recording_cache, org, people):
    media = make_media(s3_bucket, agent=org.alice, redacted=False, redaction_policy="None")
    page = _page(client, people.qa, media.contact_id)
    assert "There is no redacted recording: redaction was turned off for this contact." in page
    assert "Redaction was turned off for this contact, so there is no redacted transcript." in page


def test_a_call_whose_analysis_is_pending(client, s3_bucket, org, people):
    contact = make_contact(agent=org.alice, language_locale="en-US", redaction_policy="RedactedAndOriginal")
    Recording.objects.create(contact=contact, location=f"{s3_bucket}/connect/demo/CallRecordings/x.wav")
    page = _page(client, people.qa, contact.contact_id)
    assert "There is no redacted recording yet: the Contact Lens analysis is pending." in page
    assert _recording(client, people.qa, contact.contact_id)["Unavailable"]["REDACTED"]["Reason"] == "PENDING"


def test_a_contact_connect_did_not_record(client, org, people):
    call = make_contact(agent=org.alice)  # a call with no recording location in its record
    page = _page(client, people.admin, call.contact_id)
    assert "Connect recorded no audio for this contact." in page
    document = _recording(client, people.admin, call.contact_id)
    assert document["State"] == "NOT_RECORDED" and document["Playable"] == []
    assert document["Message"] == "Connect recorded no audio for this contact."


def test_a_deleted_recording_says_by_whom_when_and_why(client, s3_bucket, recording_cache, org, people):
    media = make_media(s3_bucket, agent=org.alice)
    when = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    Recording.objects.filter(contact=media.contact).update(
        status=Recording.DELETED, deleted_by=people.admin, deleted_at=when, deletion_reason="customer request"
    )
    page = _page(client, people.supervisor, media.contact_id)
    assert "Recording deleted" in page and "by admin" in page and "Reason: customer request" in page
    document = _recording(client, people.supervisor, media.contact_id)
    assert document["State"] == "DELETED" and document["Playable"] == []
    assert document["DeletedBy"] == "admin" and document["DeletionReason"] == "customer request"
    assert document["DeletedAt"] == "2026-11-20T08:30:00Z"
    assert "by admin" in document["Message"] and "customer request" in document["Message"]


def test_a_call_older_than_the_lifecycle_rule_is_removed_not_offered(
    client, s3_bucket, recording_cache, org, people, rule
):
    media = make_media(s3_bucket, agent=org.alice, **_ago(10))
    storage.delete_every_version(s3_bucket, media.original_key)  # what the rule did
    storage.delete_every_version(s3_bucket, media.redacted_audio_key)
    ContactAnalysis.objects.filter(contact_id=media.contact_id).update(redacted_audio_key="")
    for user in (people.admin, people.qa):
        page = _page(client, user, media.contact_id)
        assert 'data-recording-status="EXPIRED"' in page and 'id="player"' not in page
        assert "Removed from storage: the bucket's lifecycle rule deletes recordings 3 days after the call" in page
        assert "Kept in storage" not in page and "data-play-version" not in page
        document = _recording(client, user, media.contact_id)
        assert document["State"] == "EXPIRED" and document["Playable"] == [] and document["Downloadable"] == []
        assert document["StorageExpiry"]["LifecycleDays"] == 3
    client.force_login(people.admin)
    refused = client.post(f"/api/v1/contacts/{media.contact_id}/recording/fetch",
                          {"Version": "ORIGINAL", "Reason": "audit"}, content_type="application/json")  # fmt: skip
    assert refused.status_code == 404 and "lifecycle rule has removed" in refused.json()["Message"]


def test_a_call_inside_the_lifecycle_window_is_kept_never_probably_removed(
    client, s3_bucket, recording_cache, org, people, rule
):
    media = make_media(s3_bucket, agent=org.alice, **_ago(2))
    until = (media.contact.disconnect_ts + timedelta(days=3)).astimezone(UTC).date().isoformat()
    for user in (people.admin, people.qa):
        page = _page(client, user, media.contact_id)
        assert 'id="player"' in page and PROBABLY_REMOVED not in page
        assert f"Kept in storage until about {until}" in page
    document = _recording(client, people.qa, media.contact_id)
    assert document["State"] == "AVAILABLE" and document["Playable"] == ["REDACTED"]
    assert document["Message"].startswith("Kept in storage until about")


def test_the_states_speak_japanese(client, s3_bucket, recording_cache, org, people, rule):
    people.qa.language = "ja"
    people.qa.save(update_fields=["language"])
    expired = make_media(s3_bucket, agent=org.alice, redacted=False, **_ago(10))
    japanese = make_media(s3_bucket, agent=org.alice, redacted=False, language="ja-JP", **_ago(2))
    english = make_media(s3_bucket, agent=org.alice, redacted=False, redaction_policy="RedactedAndOriginal", **_ago(2))
    assert "ライフサイクル" in _page(client, people.qa, expired.contact_id)
    assert "この言語では機密データの編集を利用できません" in _page(client, people.qa, japanese.contact_id)
    assert "編集済みの録音を作成しませんでした" in _page(client, people.qa, english.contact_id)


def test_a_chat_says_it_has_no_call_recording_rather_than_that_connect_recorded_none(client, org, people):
    chat = make_contact(agent=org.alice, channel="CHAT")
    page = _page(client, people.admin, chat.contact_id)
    assert "A chat or task has no call recording" in page and "Connect recorded no audio" not in page
