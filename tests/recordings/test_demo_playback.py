"""The demo tells the truth: what a contact document calls playable plays, through a real
worker, and what it calls removed or not recorded is never offered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from demo.generate import RECORDING_DAYS
from demo.loader import demo_load
from portal.accounts.models import User
from redaction.selectors import contacts_to_redact_count
from search.models import Contact
from tests.recordings.conftest import wait_for

pytestmark = pytest.mark.worker

NOW = datetime.now(UTC).replace(microsecond=0)
HISTORY_DAYS = RECORDING_DAYS + 3  # so that some calls are older than the lifecycle rule


@pytest.fixture
def small_demo(worker, s3_bucket):
    demo_load(contacts=36, seed=4, now=NOW, days=HISTORY_DAYS)
    # Ingest queued the portal's redaction of the Japanese calls for the worker.
    wait_for(lambda: contacts_to_redact_count() == 0, timeout=60, what="the portal's redaction")
    voice = Contact.objects.filter(channel="VOICE").select_related("recording", "analysis")
    return list(voice.order_by("-initiation_ts"))


def _document(client: Client, contact_id: str) -> dict:
    response = client.get(f"/api/v1/contacts/{contact_id}")
    assert response.status_code == 200, response.content
    return response.json()["Contact"]


def _play_until_ready(client: Client, contact_id: str, version: str) -> dict:
    reason = "quality review" if version == "ORIGINAL" else ""
    response = client.post(
        f"/api/v1/contacts/{contact_id}/recording/fetch",
        {"Version": version, "Reason": reason, "Wait": 5},
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    job_id = response.json()["JobId"]

    def finished():
        body = client.get(f"/api/v1/recording-jobs/{job_id}?wait=5").json()
        return body if body["Status"] in ("READY", "FAILED") else None

    return wait_for(finished, timeout=30, what=f"{version} of {contact_id}")


def _check_every_contact(client: Client, contacts) -> dict[str, int]:
    counts = {"played": 0, "removed": 0, "not_recorded": 0}
    for contact in contacts:
        recording = _document(client, contact.contact_id)["Recording"]
        if recording["State"] in ("EXPIRED", "NOT_RECORDED"):
            assert recording["Playable"] == [] and recording["Downloadable"] == [], contact.contact_id
            assert recording["Message"], contact.contact_id
            counts["removed" if recording["State"] == "EXPIRED" else "not_recorded"] += 1
            continue
        assert recording["State"] == "AVAILABLE"
        for version in recording["Playable"]:
            body = _play_until_ready(client, contact.contact_id, version)
            assert body["Status"] == "READY", (contact.contact_id, version, body["Message"])
            counts["played"] += 1
    return counts


def test_every_playable_demo_recording_plays_for_admin_and_qa(small_demo, worker):
    admin, qa = User.objects.get(username="admin"), User.objects.get(username="qa")
    admin_client, qa_client = Client(), Client()
    admin_client.force_login(admin)
    qa_client.force_login(qa)

    by_admin = _check_every_contact(admin_client, small_demo)
    by_qa = _check_every_contact(qa_client, small_demo)
    assert by_admin["played"] >= 6 and by_qa["played"] >= 2, (by_admin, by_qa, worker.output()[-2000:])
    assert by_admin["removed"] >= 1 and by_admin["removed"] == by_qa["removed"]

    recent = [c for c in small_demo if c.initiation_ts > NOW - timedelta(days=RECORDING_DAYS - 1)]
    for contact in recent:
        recording = _document(qa_client, contact.contact_id)["Recording"]
        if recording["State"] != "AVAILABLE":
            continue
        # Contact Lens redacts the English calls, the portal the Japanese ones.
        assert recording["Playable"] == ["REDACTED"], contact.contact_id
        made_by = "CONTACT_LENS" if contact.language_locale == "en-US" else "PORTAL"
        assert recording["RedactedBy"]["By"] == made_by, contact.contact_id
