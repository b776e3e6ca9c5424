"""The erasure pages as an administrator uses them: the plan first, then a typed
confirmation, then progress and the certificate."""

from __future__ import annotations

import csv
import io
import json

import pytest

from erasure import services
from erasure.models import Erasure
from recordings import storage
from search.models import Contact
from tests.erasure.conftest import NEEDLES, NUMBER, customer_media, leaks
from tests.recordings.conftest import persona

pytestmark = pytest.mark.django_db


def test_plan_then_typed_confirmation_then_certificate(client, s3_versioned, settings, org,
                                                      django_capture_on_commit_callbacks):  # fmt: skip
    settings.CTR_SOURCE = f"s3://{s3_versioned}/ctr/"
    media = customer_media(s3_versioned, agent=org.alice, count=2)
    admin = persona("admin", "Admin")
    client.force_login(admin)
    listed = client.get("/erasures/")
    assert listed.status_code == 200 and b'action="/erasures/plan"' in listed.content
    assert b'href="/erasures/"' in client.get("/").content  # where administrators find their tools

    form = {"phone": "090-4417-2963", "reason": "GDPR request 9"}
    plan = client.post("/erasures/plan", form).content.decode()
    for item in media:
        assert item.contact_id in plan
        assert all(f"s3://{item.bucket}/{key}" in plan for key in item.keys)
    assert not Erasure.objects.exists()
    assert all(storage.head(item.bucket, key) for item in media for key in item.keys)

    assert client.post("/erasures/start", {**form, "confirmation": "erase"}).status_code == 302
    assert not Erasure.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        started = client.post("/erasures/start", {**form, "confirmation": "ERASE"})
    erasure = Erasure.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/erasures/{erasure.pk}/"
    running = client.get(started["Location"]).content.decode()
    assert 'http-equiv="refresh"' in running and "0 of 2 contacts done" in running

    services.erasure_run(erasure_id=erasure.pk)
    done = client.get(started["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in done and "certificate.csv" in done
    assert all(Contact.objects.get(pk=item.contact.pk).erased_at for item in media)

    certificate = json.loads(client.get(f"/erasures/{erasure.pk}/certificate.json").content)
    assert sorted(c["ContactId"] for c in certificate["Contacts"]) == sorted(m.contact_id for m in media)
    assert certificate["Reason"] == "GDPR request 9" and certificate["RequestedBy"] == "admin"
    rows = list(csv.DictReader(io.StringIO(client.get(f"/erasures/{erasure.pk}/certificate.csv").content.decode())))
    assert {row["key"] for row in rows if row["kind"] == "RECORDING"} == {k for m in media for k in m.keys}
    assert not leaks([("json", json.dumps(certificate)), ("csv", json.dumps(rows))], NEEDLES + (NUMBER,))
