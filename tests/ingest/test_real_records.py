"""Real records that look wrong: numbers libphonenumber refuses, and records of another
Connect instance. Both through `manage.py ingest` on files, then the API and the page."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from portal.accounts.tokens import token_create
from portal.phone import phone_blind_index, phone_search_form
from search.models import Contact
from tests.ctr_builder import INSTANCE, ctr
from tests.factories import make_contact
from tests.recordings.conftest import persona

pytestmark = pytest.mark.django_db

UNPARSED = "+190011112222"  # +1 900 with too many digits: libphonenumber refuses it
OTHER_INSTANCE = "arn:aws:connect:us-east-1:210987654321:instance/99999999-8888-4777-8666-555555555555"
RANGE = {"Type": "INITIATION_TIMESTAMP", "StartTime": "2026-10-01T00:00:00Z", "EndTime": "2026-12-01T00:00:00Z"}


def ingest(tmp_path: Path, *records: dict) -> str:
    path = tmp_path / "records.json"
    path.write_text("\n".join(json.dumps(r) for r in records))
    out = StringIO()
    call_command("ingest", str(path), stdout=out)
    return out.getvalue()


@pytest.fixture
def admin():
    return persona("admin", "Admin")


def api_search(user, **criteria) -> list[dict]:
    token = token_create(user=user)
    response = Client().post(
        "/api/v1/search-contacts",
        json.dumps({"TimeRange": RANGE, "SearchCriteria": criteria}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200, response.content
    return response.json()["Contacts"]


def page_ids(client, user, **query) -> str:
    client.force_login(user)
    response = client.get("/", {"start": "2026-10-01T00:00", **query})
    assert response.status_code == 200
    return response.content.decode()


def test_numbers_that_do_not_parse_are_indexed_by_their_digits():
    assert phone_search_form(UNPARSED) == "190011112222"
    assert phone_search_form("+1 900-1111-2222") == "190011112222"
    assert phone_search_form("03-1234-5678") == "+81312345678"  # E.164 for numbers that parse
    assert phone_search_form("+１９００１１１１２２２２") == "190011112222"  # full-width digits
    assert phone_search_form("no digits") is None
    assert phone_blind_index(UNPARSED) != phone_blind_index("+81312345678")


def test_a_recorded_number_libphonenumber_refuses_stays_findable(tmp_path, admin, client):
    odd = ctr(CustomerEndpoint={"Address": UNPARSED, "Type": "TELEPHONE_NUMBER"})
    normal = ctr()
    summary = ingest(tmp_path, odd, normal)
    assert "ingested 2 contacts" in summary and "skipped 0 records" in summary
    stored = Contact.objects.get(contact_id=odd["ContactId"])
    assert stored.customer_phone_hash == phone_blind_index(UNPARSED) is not None

    for typed in (UNPARSED, "+1 900-1111-2222"):
        assert [c["Id"] for c in api_search(admin, CustomerPhoneNumber=typed)] == [odd["ContactId"]]
    assert [c["Id"] for c in api_search(admin, CustomerPhoneNumber="03-1234-5678")] == [normal["ContactId"]]
    page = page_ids(client, admin, customer_phone=UNPARSED)
    assert odd["ContactId"] in page and normal["ContactId"] not in page


def test_a_record_of_another_instance_is_refused_with_its_reason(tmp_path, admin):
    ours = ctr()
    misrouted = ctr(InstanceARN=OTHER_INSTANCE)
    without = ctr(InstanceARN=None)  # null anywhere is normal: taken as this instance's
    summary = ingest(tmp_path, ours, misrouted, without)
    assert "ingested 2 contacts" in summary and "skipped 1 records" in summary
    assert f"record 2: record of another Connect instance ({OTHER_INSTANCE}), not {INSTANCE}" in summary
    assert not Contact.objects.filter(contact_id=misrouted["ContactId"]).exists()
    assert Contact.objects.get(contact_id=ours["ContactId"]).instance_arn == INSTANCE
    arns = {c["Id"]: c["Arn"] for c in api_search(admin)}
    assert arns == {cid: f"{INSTANCE}/contact/{cid}" for cid in (ours["ContactId"], without["ContactId"])}


def test_a_contacts_arn_comes_from_its_own_record(admin):
    """A contact stored before records of other instances were refused keeps its own
    instance in every answer, never this portal's."""
    contact = make_contact(instance_arn=OTHER_INSTANCE)
    token = token_create(user=admin)
    expected = f"{OTHER_INSTANCE}/contact/{contact.contact_id}"
    assert [c["Arn"] for c in api_search(admin)] == [expected]
    detail = Client().get(f"/api/v1/contacts/{contact.contact_id}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert detail.status_code == 200 and detail.json()["Contact"]["Arn"] == expected
    ours = INSTANCE.rsplit("/", 1)[-1]
    described = Client().get(f"/api/v1/contacts/{ours}/{contact.contact_id}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert described.status_code == 200 and described.json()["Contact"]["Arn"] == expected
