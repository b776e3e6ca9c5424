"""Who may erase, and what: only contacts the requester may see are touched, legal holds
are skipped and listed, and an erasure is its requester's alone."""

from __future__ import annotations

import pytest
from django.test import Client

from erasure import services
from erasure.models import Erasure
from portal import crypto
from portal.accounts import permissions as p
from portal.accounts.tokens import token_create
from recordings import storage
from recordings.deletion import legal_hold_set
from recordings.models import Recording
from search.models import Contact, TranscriptTurn
from tests.erasure.conftest import NUMBER, build_world
from tests.factories import make_user
from tests.recordings.conftest import persona

pytestmark = pytest.mark.django_db


def _post(token: str, body: dict):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}").post("/api/v1/erasures", body, content_type="application/json")


def _get(token: str, erasure_id: str):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(f"/api/v1/erasures/{erasure_id}")


@pytest.fixture
def two_branches(s3_versioned, settings, org):
    """The customer called the East branch twice (one call on legal hold) and the West once."""
    settings.CTR_SOURCE = f"s3://{s3_versioned}/ctr/"
    east = build_world(s3_versioned, org, customer_contacts=2)
    west = _west_world(s3_versioned, org)
    held = Contact.objects.get(contact_id=east.mine[1])
    legal_hold_set(contact=held, user=None, reason="Litigation pending")
    return east, west


def _west_world(bucket: str, org):
    from tests.erasure import conftest

    world = conftest.World(bucket, [], "")
    cid = "00000000-0000-4000-8000-0000000000aa"
    record = conftest.ctr(cid, agent=org.wendy.agent_id, groups=(org.west.group_id,))
    record["CustomerEndpoint"] = {"Address": "+819044172963", "Type": "TELEPHONE_NUMBER"}
    record["Recording"]["Location"] = f"{bucket}/connect/demo/CallRecordings/2026/11/01/{cid}_west.wav"
    storage.put_bytes(bucket, record["Recording"]["Location"].split("/", 1)[1], conftest.wav_bytes(seconds=0.1))
    storage.put_bytes(bucket, f"ctr/2026/11/01/west/{cid}", conftest.json.dumps(record).encode())
    from search.ingest.runner import ingest_sources

    ingest_sources([f"s3://{bucket}/ctr/2026/11/01/west/"])
    world.mine = [cid]
    return world


def test_a_supervisor_erases_only_what_they_see_and_skips_legal_holds(
    two_branches, people, django_capture_on_commit_callbacks
):
    east, west = two_branches
    supervisor = persona("eraser", "CallCenterManager", group=people.supervisor.hierarchy_group,
                         extra=(p.DELETE_RECORDINGS,))  # fmt: skip
    token = token_create(user=supervisor)
    with django_capture_on_commit_callbacks(execute=False):
        started = _post(token, {"CustomerPhoneNumber": NUMBER, "Reason": "GDPR request"})
    assert started.status_code == 202, started.content
    erasure_id = started.json()["ErasureId"]
    services.erasure_run(erasure_id=erasure_id)

    body = _get(token, erasure_id).json()
    erased, held = east.mine
    assert body["Status"] == "DONE"
    assert {c["ContactId"]: c["State"] for c in body["Contacts"]} == {erased: "ERASED", held: "SKIPPED"}
    assert body["Skipped"] == [{"ContactId": held, "Why": "LEGAL_HOLD"}]
    assert body["Certificate"]["Skipped"] == body["Skipped"]
    # The held contact and the West contact (out of the supervisor's scope) keep everything.
    for cid in (held, west.mine[0]):
        contact = Contact.objects.get(contact_id=cid)
        assert contact.erased_at is None
        assert crypto.decrypt_text(bytes(contact.customer_phone_enc), context=cid) == "+819044172963"
        assert Recording.objects.get(contact=contact).status == Recording.AVAILABLE
    assert TranscriptTurn.objects.filter(contact_id=held).exists()
    assert all(storage.head(east.bucket, key) for key in east.keys_of(held))
    assert Contact.objects.get(contact_id=erased).erased_at is not None
    # Nor is the West contact's record file the supervisor's to rewrite.
    assert b"+819044172963" in storage.get_bytes(west.bucket, f"ctr/2026/11/01/west/{west.mine[0]}")


def test_refusals_and_404s(two_branches, people, django_capture_on_commit_callbacks):
    admin_token = token_create(user=people.admin)
    with django_capture_on_commit_callbacks(execute=False):
        erasure_id = _post(admin_token, {"CustomerPhoneNumber": NUMBER, "Reason": "GDPR"}).json()["ErasureId"]
    assert _get(admin_token, erasure_id).status_code == 200

    # Another eraser, a supervisor without the permission, a holder without a second factor.
    other_admin = token_create(user=persona("admin-2", "Admin"))
    supervisor = token_create(user=people.supervisor)
    no_mfa = token_create(user=make_user("no-mfa", permissions=[p.CONTACT_SEARCH, p.DELETE_RECORDINGS]))
    assert _get(other_admin, erasure_id).status_code == 404
    assert _get(admin_token, "00000000-0000-4000-8000-000000000000").status_code == 404
    assert _get(admin_token, "not-an-id").status_code == 404
    refused = _post(supervisor, {"CustomerPhoneNumber": NUMBER, "Reason": "GDPR"})
    assert refused.status_code == 403 and "DeleteCallRecordings" in refused.json()["Message"]
    assert _get(supervisor, erasure_id).status_code == 403
    assert _post(no_mfa, {"CustomerPhoneNumber": NUMBER, "Reason": "GDPR"}).status_code == 403
    assert _post(admin_token, {"CustomerPhoneNumber": NUMBER}).status_code == 400
    assert _post(admin_token, {"CustomerPhoneNumber": "no digits", "Reason": "x"}).status_code == 400
    assert Erasure.objects.count() == 1

    page = Client()
    page.force_login(people.supervisor)
    assert page.get("/erasures/").status_code == 403
    page.force_login(Erasure.objects.get().requested_by)
    assert page.get(f"/erasures/{erasure_id}/").status_code == 200
    page.force_login(persona("admin-3", "Admin"))
    assert page.get(f"/erasures/{erasure_id}/").status_code == 404
    assert page.get(f"/erasures/{erasure_id}/certificate.json").status_code == 404
