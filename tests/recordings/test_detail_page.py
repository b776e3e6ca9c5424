"""The contact detail page and the transcript API: what each persona sees, and the states."""

from __future__ import annotations

import re
import uuid
from zoneinfo import ZoneInfo

import pytest

from portal import crypto
from portal.audit.models import AuditEvent
from search.models import ContactAnalysis, Queue, RoutingProfile, TranscriptTurn
from tests.factories import make_contact
from tests.recordings.conftest import ORIGINAL_TEXT, REDACTED_TEXT, make_media

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich(s3_bucket, recording_cache, org):
    """A contact with everything a page can show, and neighbours in and out of scope."""
    cid = str(uuid.uuid4())
    west_contact = make_contact(agent=org.wendy)
    east_contact = make_contact(agent=org.alice)
    media = make_media(
        s3_bucket,
        agent=org.alice,
        contact_id=cid,
        previous_contact_id=east_contact.contact_id,
        next_contact_id=west_contact.contact_id,
        queue=Queue.objects.create(queue_id="q-1", name="Billing queue"),
        routing_profile=RoutingProfile.objects.create(routing_profile_id="rp-1", name="Billing agents"),
        disconnect_reason="CUSTOMER_DISCONNECT",
        customer_phone_enc=crypto.encrypt_text("+81312345678", context=cid),
        system_phone_enc=crypto.encrypt_text("+81120000000", context=cid),
        attributes_enc=crypto.encrypt_json({"account": "A-991", "segment": "gold"}, context=cid),
    )
    ContactAnalysis.objects.filter(contact_id=cid).update(talk_time_ms=95000, non_talk_ms=12000,
                                                          non_talk_percent=11.2, interruptions=3)  # fmt: skip
    return media, east_contact, west_contact


def _page(client, user, contact_id: str, **post) -> str:
    client.force_login(user)
    response = client.post(f"/contacts/{contact_id}/", post) if post else client.get(f"/contacts/{contact_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_connect_values_in_japanese(client, rich, people):
    media, _, _ = rich
    people.supervisor.language = "ja"
    people.supervisor.save(update_fields=["language"])
    talk = {"AGENT": {"TotalTimeMillis": 28000}, "CUSTOMER": {"TotalTimeMillis": 11000}}
    ContactAnalysis.objects.filter(contact_id=media.contact_id).update(talk_time_by_participant=talk)
    page = _page(client, people.supervisor, media.contact_id)
    assert '<dt class="sub">エージェント</dt><dd>0:28</dd>' in page and '<dt class="sub">顧客</dt><dd>0:11</dd>' in page
    for text in ("<dd>音声</dd>", "<dd>インバウンド</dd>", "<dd>顧客による切断</dd>"):
        assert text in page, text
    # The transcript's speakers and sentiments too.
    turns = re.findall(r'<span class="role">([^<]*)</span>\s*<span class="sentiment [^"]*">([^<]*)</span>', page)
    assert turns == [("エージェント", "ニュートラル"), ("顧客", "ネガティブ")]


def test_summary_in_the_users_time_zone(client, rich, people):
    media, _, _ = rich
    people.supervisor.time_zone = "Asia/Tokyo"
    people.supervisor.save(update_fields=["time_zone"])
    page = _page(client, people.supervisor, media.contact_id)
    for text in (media.contact_id, "<dd>Voice</dd>", "<dd>Inbound</dd>", "alice", "East › East team", "Billing queue",
                 "Billing agents", "+81312345678", "+81120000000", "<dd>Customer disconnect</dd>", "5:00"):  # fmt: skip
        assert text in page, text
    tokyo = media.contact.initiation_ts.astimezone(ZoneInfo("Asia/Tokyo"))
    assert tokyo.strftime("%Y-%m-%d %H:%M") in page and "JST" in page  # shown in Tokyo time, not UTC


def test_related_contacts_are_linked_only_when_visible(client, rich, people):
    media, east_contact, west_contact = rich
    page = _page(client, people.supervisor, media.contact_id)
    assert f"/contacts/{east_contact.contact_id}/" in page
    assert west_contact.contact_id not in page
    assert west_contact.contact_id in _page(client, people.admin, media.contact_id)


def test_attributes_only_with_contact_attributes_view(client, rich, people):
    media, _, _ = rich
    assert "A-991" in _page(client, people.supervisor, media.contact_id)
    page = _page(client, people.qa, media.contact_id)
    assert "A-991" not in page and "Contact attributes" not in page


def test_analytics_only_with_graph_trends(client, rich, people):
    media, _, _ = rich
    page = _page(client, people.qa, media.contact_id)
    assert "<svg" in page and "Sentiment per quarter" in page and "Card payment" in page
    assert "<polyline" in page and page.count('class="dot agent"') == 4
    assert "1:35" in page and "11.2%" in page and "Interruptions" in page
    assert 'data-seek-ms="1000"' in page  # the category's point seeks the player
    agent_page = _page(client, people.agent, media.contact_id)
    assert "<svg" not in agent_page and "Contact Lens analytics" not in agent_page


def test_the_redacted_transcript_is_shown_by_default_and_audited(client, rich, people):
    media, _, _ = rich
    page = _page(client, people.supervisor, media.contact_id)
    assert REDACTED_TEXT in page and ORIGINAL_TEXT not in page
    assert 'class="turn-time" data-seek-ms="1000"' in page
    assert "Show original transcript" in page
    events = AuditEvent.objects.filter(contact_id=media.contact_id, actor=people.supervisor)
    assert set(events.values_list("action", flat=True)) == {"contact_view", "transcript_view"}
    assert events.get(action="transcript_view").details["version"] == "REDACTED"


def test_the_original_transcript_comes_from_s3_with_a_reason_and_is_never_stored(client, rich, people):
    media, _, _ = rich
    page = _page(client, people.supervisor, media.contact_id, transcript="original", reason="complaint review")
    assert ORIGINAL_TEXT in page and "original (unredacted)" in page
    assert not TranscriptTurn.objects.filter(content__contains="4111").exists()
    event = AuditEvent.objects.get(action="transcript_view", details__version="ORIGINAL")
    assert event.readable_details()["reason"] == "complaint review"
    no_reason = _page(client, people.supervisor, media.contact_id, transcript="original", reason=" ")
    assert ORIGINAL_TEXT not in no_reason and "Give a reason" in no_reason


def test_qa_sees_no_way_to_the_original(client, rich, people):
    media, _, _ = rich
    page = _page(client, people.qa, media.contact_id)
    assert "Show original transcript" not in page and "Play original" not in page
    assert 'data-play-version="ORIGINAL"' not in page and 'data-play-version="REDACTED"' in page
    assert "Download" not in page and "Delete recording" not in page
    forced = _page(client, people.qa, media.contact_id, transcript="original", reason="curious")
    assert ORIGINAL_TEXT not in forced


def test_a_japanese_contact_without_redaction(client, s3_bucket, recording_cache, org, people):
    media = make_media(s3_bucket, agent=org.alice, redacted=False, language="ja-JP")
    qa_page = _page(client, people.qa, media.contact_id)
    assert 'data-transcript-state="REDACTION_NOT_AVAILABLE"' in qa_page
    assert 'id="player"' not in qa_page and 'data-recording-status="UNAVAILABLE"' in qa_page
    manager_page = _page(client, people.supervisor, media.contact_id)
    assert 'data-play-version="ORIGINAL"' in manager_page and 'data-play-version="REDACTED"' not in manager_page
    assert "Show original transcript" in manager_page
    client.force_login(people.qa)
    body = client.get(f"/api/v1/contacts/{media.contact_id}/transcript").json()
    assert body == {"ContactId": media.contact_id, "Version": "REDACTED", "State": "REDACTION_NOT_AVAILABLE",
                    "Transcript": []}  # fmt: skip
    play = client.post(f"/api/v1/contacts/{media.contact_id}/recording/fetch", {"Version": "REDACTED"},
                       content_type="application/json")  # fmt: skip
    assert play.status_code == 404 and "redaction is not available for this language" in play.json()["Message"]


def test_pending_and_missing_analysis(client, org, people):
    pending = make_contact(agent=org.alice, language_locale="en-US", redaction_policy="RedactedAndOriginal")
    missing = make_contact(agent=org.alice)
    assert 'data-transcript-state="PENDING"' in _page(client, people.qa, pending.contact_id)
    assert 'data-transcript-state="MISSING"' in _page(client, people.qa, missing.contact_id)
    client.force_login(people.qa)
    assert client.get(f"/api/v1/contacts/{pending.contact_id}/transcript").json()["State"] == "PENDING"


def test_a_chat_transcript(client, org, people):
    chat = make_contact(agent=org.alice, channel="CHAT")
    ContactAnalysis.objects.create(contact_id=chat.contact_id, channel="CHAT", bucket="b", redacted_key="k")
    TranscriptTurn.objects.create(contact_id=chat.contact_id, position=0, participant_role="CUSTOMER", begin_ms=0,
                                  end_ms=0, content="Hello, my order [PII] is late")  # fmt: skip
    TranscriptTurn.objects.create(contact_id=chat.contact_id, position=1, participant_role="AGENT", begin_ms=65000,
                                  end_ms=65000, content="Sorry to hear that")  # fmt: skip
    page = _page(client, people.qa, chat.contact_id)
    assert "Hello, my order [PII] is late" in page and "1:05" in page
    assert 'id="player"' not in page and "has no call recording" in page
    client.force_login(people.qa)
    turns = client.get(f"/api/v1/contacts/{chat.contact_id}/transcript").json()["Transcript"]
    assert [t["ParticipantRole"] for t in turns] == ["CUSTOMER", "AGENT"]


def test_transcript_api_shapes(client, rich, people):
    media, _, _ = rich
    client.force_login(people.supervisor)
    redacted = client.get(f"/api/v1/contacts/{media.contact_id}/transcript").json()
    assert redacted["State"] == "AVAILABLE" and redacted["Version"] == "REDACTED"
    assert redacted["Transcript"][1] == {
        "ParticipantRole": "CUSTOMER",
        "BeginOffsetMillis": 1000,
        "EndOffsetMillis": 1900,
        "Content": REDACTED_TEXT,
        "Sentiment": "NEGATIVE",
    }
    original = client.get(f"/api/v1/contacts/{media.contact_id}/transcript?version=original&reason=audit").json()
    assert original["Transcript"][1]["Content"] == ORIGINAL_TEXT
    bad = client.get(f"/api/v1/contacts/{media.contact_id}/transcript?version=both")
    assert bad.status_code == 400


def test_the_original_transcript_missing_from_s3(client, rich, people):
    from recordings import storage

    media, _, _ = rich
    storage.delete_every_version(media.bucket, media.analysis_original_key)
    client.force_login(people.supervisor)
    response = client.get(f"/api/v1/contacts/{media.contact_id}/transcript?version=original&reason=audit")
    assert response.status_code == 404 and "lifecycle" in response.json()["Message"]


def test_the_contact_api_document(client, rich, people):
    media, east_contact, _ = rich
    client.force_login(people.supervisor)
    contact = client.get(f"/api/v1/contacts/{media.contact_id}").json()["Contact"]
    assert contact["CustomerEndpoint"] == {"Address": "+81312345678", "Type": "TELEPHONE_NUMBER"}
    assert contact["Attributes"] == {"account": "A-991", "segment": "gold"}
    assert contact["Analytics"]["SentimentByQuarter"]["CUSTOMER"] == [-2.0, -1.0, 1.0, 2.5]
    assert contact["Recording"] == {"Status": "AVAILABLE", "State": "AVAILABLE", "Message": None, "Note": None,
                                    "Versions": ["REDACTED", "ORIGINAL"], "Playable": ["REDACTED", "ORIGINAL"],
                                    "Downloadable": ["REDACTED", "ORIGINAL"], "Unavailable": {},
                                    "StorageExpiry": None, "DeletionReason": None, "DeletedAt": None,
                                    "DeletedBy": None, "RedactedBy": {"By": "CONTACT_LENS", "RedactorVersion": None}}  # fmt: skip
    assert contact["RelatedContacts"] == {"Previous": east_contact.contact_id}
    assert contact["AgentInfo"]["HierarchyGroups"]["Level2"]["Name"] == "East team"
    client.force_login(people.agent)
    agent_view = client.get(f"/api/v1/contacts/{media.contact_id}").json()["Contact"]
    assert "Attributes" not in agent_view and "Analytics" not in agent_view
    assert agent_view["Recording"]["Playable"] == ["REDACTED"] and agent_view["Recording"]["Downloadable"] == []


def test_storage_expiry_from_the_bucket_lifecycle_rule_is_shown(client, rich, people, s3_bucket):
    from django.core.cache import cache

    from recordings import storage

    media, _, _ = rich
    rules_key = f"lifecycle-days:{s3_bucket}:{media.original_key.rsplit('/', 1)[0]}"
    assert "data-storage-expiry" not in _page(client, people.supervisor, media.contact_id)
    storage.set_lifecycle_expiry(s3_bucket, "connect/", days=365)
    cache.delete(rules_key)  # the page caches the bucket's rules for ten minutes
    page = _page(client, people.supervisor, media.contact_id)
    assert 'data-storage-expiry="2027-11-01"' in page and "365" in page


@pytest.mark.parametrize("language", ["en", "ja"])
def test_analytics_numbers_are_rounded_for_people(client, rich, people, language):
    media, _, _ = rich
    people.qa.language = language
    people.qa.save(update_fields=["language"])
    ContactAnalysis.objects.filter(contact_id=media.contact_id).update(
        customer_sentiment=0.5555555555555556, agent_sentiment=-2.0, non_talk_percent=11.249999
    )
    page = _page(client, people.qa, media.contact_id)
    facts = dict(re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", page))
    customer, agent = ("Overall sentiment – customer", "Overall sentiment – agent")
    if language == "ja":
        customer, agent = (next(k for k in facts if "顧客" in k and "感情" in k),
                           next(k for k in facts if "エージェント" in k and "感情" in k))  # fmt: skip
    assert facts[customer] == "0.56" and facts[agent] == "-2"
    assert "(11.2%)" in page and "0.5555" not in page
