"""Deleting a recording completely and provably: every object and version, every copy,
the transcript text; idempotent, retryable, refused on legal hold."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.audit.models import AuditEvent
from recordings import audio_cache, deletion, storage
from recordings.models import Recording, RecordingFetchJob
from search.models import Contact, ContactAnalysis, TranscriptSearchDoc, TranscriptTurn
from tests.recordings.conftest import closed_port, make_media, wait_for, wav_bytes


def _left(media) -> dict[str, int]:
    return {key: storage.remaining_versions(media.bucket, key) for key in media.keys}


def _versioned_media(bucket: str, org):
    """A contact whose original WAV has two versions and whose redacted analysis has a delete marker."""
    media = make_media(bucket, agent=org.alice)
    storage.put_bytes(bucket, media.original_key, wav_bytes(1.0))
    storage.client().delete_object(Bucket=bucket, Key=media.analysis_redacted_key)  # a delete marker
    storage.put_bytes(bucket, media.analysis_redacted_key, b"{}")
    assert len(storage.list_versions(bucket, media.original_key)) == 2
    assert len(storage.list_versions(bucket, media.analysis_redacted_key)) == 3
    return media


def _delete(client, contact_id: str, reason: str = "customer asked (ticket 881)"):
    return client.delete(f"/api/v1/contacts/{contact_id}/recording", {"Reason": reason},
                         content_type="application/json")  # fmt: skip


@pytest.mark.worker
def test_delete_through_the_api_leaves_zero_objects_and_versions(client, worker, s3_versioned, org, people):
    media = _versioned_media(s3_versioned, org)
    client.force_login(people.admin)
    audio_cache.cache_path(media.contact_id, "REDACTED").parent.mkdir(parents=True, exist_ok=True)
    audio_cache.cache_path(media.contact_id, "REDACTED").write_bytes(media.redacted_audio)

    first = _delete(client, media.contact_id)
    assert first.status_code == 202 and first.json()["Status"] == "DELETING"
    done = wait_for(lambda: (r := _delete(client, media.contact_id)).status_code == 200 and r, what="deletion")
    assert done.json()["Status"] == "DELETED"

    assert _left(media) == {key: 0 for key in media.keys}
    assert len(media.keys) == 4
    assert not audio_cache.cache_path(media.contact_id, "REDACTED").exists()
    assert not TranscriptTurn.objects.filter(contact_id=media.contact_id).exists()
    assert not TranscriptSearchDoc.objects.filter(contact_id=media.contact_id).exists()
    recording = Recording.objects.get(contact=media.contact)
    assert (recording.status, recording.deletion_reason, recording.deleted_by) == (
        "DELETED",
        "customer asked (ticket 881)",
        people.admin,
    )
    assert recording.deleted_at is not None
    assert Contact.objects.filter(pk=media.contact.pk).exists()  # the contact record stays
    stages = AuditEvent.objects.filter(action="recording_delete", contact_id=media.contact_id)
    assert sorted(stages.values_list("details__stage", flat=True)) == ["completed", "requested"]
    assert set(stages.values_list("actor", flat=True)) == {people.admin.pk}


@pytest.mark.worker
def test_the_page_shows_deleting_then_deleted(client, worker, s3_versioned, org, people):
    media = make_media(s3_versioned, agent=org.alice)
    client.force_login(people.admin)
    confirm = client.get(f"/contacts/{media.contact_id}/recording/delete")
    assert confirm.status_code == 200 and media.contact_id in confirm.content.decode()
    response = client.post(f"/contacts/{media.contact_id}/recording/delete", {"reason": "right to erasure"})
    assert response.status_code == 302
    wait_for(lambda: Recording.objects.get(contact=media.contact).status == "DELETED", what="deletion")
    page = client.get(f"/contacts/{media.contact_id}/").content.decode()
    assert 'data-recording-status="DELETED"' in page and "right to erasure" in page
    assert 'id="player"' not in page
    assert 'data-transcript-state="DELETED"' in page


def test_deleting_twice_is_harmless(db, s3_versioned, recording_cache, org, people):
    media = _versioned_media(s3_versioned, org)
    deletion.recording_delete_request(contact=media.contact, user=people.admin, reason="erasure")
    assert deletion.recording_delete_run(contact_id=media.contact_id) == "DELETED"
    assert deletion.recording_delete_run(contact_id=media.contact_id) == "DELETED"
    again = deletion.recording_delete_request(contact=media.contact, user=people.admin, reason="")
    assert again.status == "DELETED"
    assert _left(media) == {key: 0 for key in media.keys}
    assert AuditEvent.objects.filter(action="recording_delete", details__stage="completed").count() == 1


def test_deletion_is_retried_while_storage_is_down(db, settings, s3_versioned, recording_cache, org, people):
    media = make_media(s3_versioned, agent=org.alice)
    deletion.recording_delete_request(contact=media.contact, user=people.admin, reason="erasure")
    working = settings.S3_ENDPOINT_URL
    settings.S3_ENDPOINT_URL = f"http://127.0.0.1:{closed_port()}"
    storage.client.cache_clear()
    try:
        with pytest.raises(storage.StorageError):
            deletion.recording_delete_run(contact_id=media.contact_id)
    finally:
        settings.S3_ENDPOINT_URL = working
        storage.client.cache_clear()
    recording = Recording.objects.get(contact=media.contact)
    assert recording.status == "DELETING" and "unreachable" in recording.deletion_message
    assert deletion.recording_delete_run(contact_id=media.contact_id) == "DELETED"
    assert _left(media) == {key: 0 for key in media.keys}


def test_deleted_is_reported_only_when_storage_confirms(db, s3_versioned, recording_cache, org, people, monkeypatch):
    media = make_media(s3_versioned, agent=org.alice)
    deletion.recording_delete_request(contact=media.contact, user=people.admin, reason="erasure")
    # Storage that says "deleted" but keeps a version (eventual consistency, a replica...).
    monkeypatch.setattr(deletion.storage, "delete_every_version", lambda bucket, key: 0)
    with pytest.raises(deletion.ObjectsRemain):
        deletion.recording_delete_run(contact_id=media.contact_id)
    assert Recording.objects.get(contact=media.contact).status == "DELETING"


def test_a_recording_on_legal_hold_cannot_be_deleted(client, db, s3_versioned, recording_cache, org, people):
    media = make_media(s3_versioned, agent=org.alice)
    deletion.legal_hold_set(contact=media.contact, user=people.admin, reason="litigation 2026-17")
    client.force_login(people.admin)
    response = _delete(client, media.contact_id)
    assert response.status_code == 409 and response.json()["Type"] == "ResourceConflictException"
    assert "legal hold" in response.json()["Message"]
    page = client.post(f"/contacts/{media.contact_id}/recording/delete", {"reason": "erasure"}, follow=True)
    assert "legal hold" in page.content.decode()
    assert Recording.objects.get(contact=media.contact).status == "AVAILABLE"
    assert _left(media) == {key: 1 for key in media.keys}
    deletion.legal_hold_clear(contact=media.contact, user=people.admin, reason="case closed")
    assert _delete(client, media.contact_id).status_code == 202


def test_a_reason_is_required(client, db, s3_versioned, recording_cache, org, people):
    media = make_media(s3_versioned, agent=org.alice)
    client.force_login(people.admin)
    response = _delete(client, media.contact_id, reason="  ")
    assert response.status_code == 400 and "reason" in response.json()["Message"]


def test_a_contact_without_a_recording(client, db, org, people):
    from tests.factories import make_contact

    contact = make_contact(agent=org.alice, channel="CHAT")
    client.force_login(people.admin)
    assert _delete(client, contact.contact_id).status_code == 400


def test_deletion_stops_playback_and_fetches(db, s3_versioned, recording_cache, org, people):
    media = make_media(s3_versioned, agent=org.alice)
    job = RecordingFetchJob.objects.create(contact=media.contact, version="REDACTED", status="READY",
                                           cache_path=str(audio_cache.cache_path(media.contact_id, "REDACTED")))  # fmt: skip
    deletion.recording_delete_request(contact=media.contact, user=people.admin, reason="erasure")
    deletion.recording_delete_run(contact_id=media.contact_id)
    job.refresh_from_db()
    assert job.status == "FAILED" and "deleted" in job.message
    analysis = ContactAnalysis.objects.get(contact_id=media.contact_id)
    assert analysis.categories == ["Card payment"]  # figures stay; only words and voice go


def test_legal_hold_command(db, org, people, capsys):
    from tests.factories import make_contact

    contact = make_contact(agent=org.alice)
    call_command("legal_hold", "set", contact.contact_id, "--reason", "regulator request")
    contact.refresh_from_db()
    assert contact.legal_hold and contact.legal_hold_reason == "regulator request"
    call_command("legal_hold", "clear", contact.contact_id)
    contact.refresh_from_db()
    assert not contact.legal_hold
    events = AuditEvent.objects.filter(contact_id=contact.contact_id).order_by("at", "id")
    actions = [(e.action, e.readable_details()["reason"]) for e in events]
    assert actions == [("legal_hold_set", "regulator request"), ("legal_hold_clear", "")]
    with pytest.raises(CommandError):
        call_command("legal_hold", "set", contact.contact_id)
    with pytest.raises(CommandError):
        call_command("legal_hold", "set", "no-such-contact", "--reason", "x")


def test_the_legal_hold_toggle_on_the_page_is_for_deleters_only(client, db, org, people):
    from tests.factories import make_contact

    contact = make_contact(agent=org.alice)
    client.force_login(people.supervisor)
    assert client.post(f"/contacts/{contact.contact_id}/legal-hold", {"reason": "x"}).status_code == 403
    client.force_login(people.admin)
    assert 'action="/contacts/' in client.get(f"/contacts/{contact.contact_id}/").content.decode()
    client.post(f"/contacts/{contact.contact_id}/legal-hold", {"action": "set", "reason": "court order"})
    contact.refresh_from_db()
    assert contact.legal_hold and contact.legal_hold_reason == "court order"
    assert AuditEvent.objects.filter(action="legal_hold_set", actor=people.admin).exists()
    client.post(f"/contacts/{contact.contact_id}/legal-hold", {"action": "clear", "reason": "lifted"})
    contact.refresh_from_db()
    assert not contact.legal_hold


def test_a_deletion_waiting_for_a_worker_says_so_on_the_page(client, db, celery_queue, s3_bucket, org, people):
    from django.core.cache import cache

    media = make_media(s3_bucket, agent=org.alice)
    Recording.objects.filter(contact=media.contact).update(status=Recording.DELETING, deletion_reason="request")
    client.force_login(people.admin)
    assert "data-workers-absent" in client.get(f"/contacts/{media.contact_id}/").content.decode()
    cache.set(f"workers:present:{celery_queue}", 1, timeout=5)
    assert "data-workers-absent" not in client.get(f"/contacts/{media.contact_id}/").content.decode()
