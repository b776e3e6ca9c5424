"""Erasing one customer: nothing of them is left in PostgreSQL, the audit log, Redis or
any version of any S3 object, and nothing comes back when Connect's files are read again."""

from __future__ import annotations

import gzip
import json

import pytest
from django.core.management import call_command
from django.test import Client

from erasure import services
from erasure.models import Erasure
from portal import crypto
from portal.accounts.tokens import token_create
from recordings import storage
from recordings.models import Recording
from search.ingest.analysis_writer import redacted_audio_seen
from search.ingest.runner import ingest_sources
from search.models import Contact, ContactAnalysis, ContactAttributeIndex, TranscriptSearchDoc, TranscriptTurn
from tests.erasure.conftest import (
    NUMBER,
    OTHER_NUMBER,
    build_world,
    database_texts,
    leaks,
    local_copy,
    redis_texts,
    s3_texts,
)
from tests.recordings.conftest import wait_for

RANGE = {"Type": "INITIATION_TIMESTAMP", "StartTime": "2026-09-01T00:00:00Z", "EndTime": "2026-12-01T00:00:00Z"}


def _api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _assert_erased(world) -> None:
    for cid in world.mine:
        contact = Contact.objects.get(contact_id=cid)
        assert contact.erased_at is not None and contact.customer_phone_hash is None and contact.raw_enc is None
        assert contact.channel == "VOICE" and contact.queue is not None and contact.agent is not None
        assert Recording.objects.get(contact=contact).status == Recording.DELETED
        assert not ContactAnalysis.objects.filter(contact_id=cid).exists()
        assert not TranscriptTurn.objects.filter(contact_id=cid).exists()
        assert not TranscriptSearchDoc.objects.filter(contact_id=cid).exists()
        assert not ContactAttributeIndex.objects.filter(contact=contact).exists()


def _assert_other_customer_untouched(world) -> None:
    other = Contact.objects.get(contact_id=world.other)
    assert other.erased_at is None
    assert crypto.decrypt_text(bytes(other.customer_phone_enc), context=world.other) == OTHER_NUMBER
    assert TranscriptTurn.objects.filter(contact_id=world.other).exists()
    for key in world.keys_of(world.other):
        assert storage.head(world.bucket, key) is not None, key


@pytest.mark.worker
def test_the_api_erases_a_customer_everywhere_for_good(world, worker, tmp_path, people):
    token = token_create(user=people.admin)
    # Searched for by number first: the audit log holds it (sealed) until the erasure.
    searched = _api(token).post(
        "/api/v1/search-contacts", {"TimeRange": RANGE, "SearchCriteria": {"CustomerPhoneNumber": "090-4417-2963"}},
        content_type="application/json",
    )  # fmt: skip
    assert sorted(c["Id"] for c in searched.json()["Contacts"]) == world.mine
    assert leaks(database_texts(), ("+819044172963",))  # the probe does see the number before

    started = _api(token).post(
        "/api/v1/erasures", {"CustomerPhoneNumber": "０９０（４４１７）２９６３", "Reason": "GDPR request 17"},
        content_type="application/json",
    )  # fmt: skip
    assert started.status_code == 202, started.content
    erasure_id = started.json()["ErasureId"]
    body = wait_for(lambda: (b := _api(token).get(f"/api/v1/erasures/{erasure_id}").json())["Status"] != "RUNNING"
                    and b, timeout=30, what="the erasure to finish")  # fmt: skip
    assert body["Status"] == "DONE", (body, worker.output()[-3000:])
    assert sorted(c["ContactId"] for c in body["Contacts"]) == world.mine and body["Skipped"] == []
    certificate = body["Certificate"]
    assert certificate["Reason"] == "GDPR request 17" and certificate["RequestedBy"] == "admin"
    removed = {(o["Key"], o["VersionId"]) for o in certificate["Objects"]}
    for cid in world.mine:
        assert {key for key, _ in removed if cid in key} == set(world.keys_of(cid))
    ctr_versions = [o for o in certificate["Objects"] if o["Kind"] == "CONTACT_RECORD_FILE"]
    assert len(ctr_versions) == 4  # two files, each with two versions before the rewrite
    assert body["ObjectsDeleted"] == len(certificate["Objects"])

    # The poller reads the rewritten files again; a back-fill reads Connect's originals.
    ingest_sources([f"s3://{world.bucket}/ctr/", f"s3://{world.bucket}/Analysis/"])
    ingest_sources([str(local_copy(world, tmp_path / "backfill"))])
    # A redacted WAV of an erased contact listed again (an object restored from a backup).
    redacted_audio_seen(world.bucket, world.keys_of(world.mine[0])[-1], world.mine[0])
    _assert_erased(world)
    _assert_other_customer_untouched(world)
    assert leaks(database_texts()) == []
    assert leaks(redis_texts()) == []
    assert leaks(s3_texts(world.bucket)) == []
    _assert_rewritten_files(world)


def _assert_rewritten_files(world) -> None:
    for key in (k for k in world.files if k.startswith("ctr/")):
        versions = storage.list_versions(world.bucket, key)
        assert len(versions) == 1, key
        data = storage.get_bytes(world.bucket, key)
        text = gzip.decompress(data).decode() if key.endswith(".gz") else data.decode()
        records = {r["ContactId"]: r for r in map(json.loads, text.replace("}{", "}\n{").splitlines())}
        for cid, record in records.items():
            if cid == world.other:
                assert record["CustomerEndpoint"]["Address"] == OTHER_NUMBER
            else:
                assert "PortalErasure" in record and "CustomerEndpoint" not in record and "Attributes" not in record
                assert record["Queue"]["Name"] == "Billing" and record["LastUpdateTimestamp"]


def test_the_command_lists_first_then_erases_and_writes_the_certificate(world, settings, tmp_path, capsys):
    settings.ERASURE_CERTIFICATE_DIR = tmp_path / "certificates"
    call_command("erase_customer", "--phone", "+81 90 4417 2963", "--reason", "APPI request", "--dry-run")
    planned = capsys.readouterr().out
    for cid in world.mine:
        assert f"would erase {cid}" in planned
        for key in world.keys_of(cid):
            assert f"s3://{world.bucket}/{key}" in planned, key
    assert not Erasure.objects.exists() and not Contact.objects.filter(erased_at__isnull=False).exists()
    assert all(storage.head(world.bucket, key) for key in world.files)

    call_command("erase_customer", "--phone", NUMBER, "--reason", "APPI request")
    lines = capsys.readouterr().out.strip().splitlines()
    path = tmp_path / "certificates" / lines[-1].rsplit("/", 1)[-1]
    assert lines[-1] == str(path) and path.exists() and path.with_suffix(".csv").exists()
    assert not leaks([("certificate", path.read_text()), ("csv", path.with_suffix(".csv").read_text())])
    assert "APPI request" in path.read_text()
    _assert_erased(world)
    _assert_other_customer_untouched(world)
    # A second run finds nobody left to erase.
    call_command("erase_customer", "--phone", NUMBER, "--reason", "again")
    assert "erased 0 contacts" in capsys.readouterr().out


def test_an_unversioned_bucket_is_erased_as_well(s3_bucket, settings, org, people):
    settings.CTR_SOURCE = f"s3://{s3_bucket}/ctr/"
    world = build_world(s3_bucket, org)
    erasure = services.erasure_create(user=people.admin, phone=NUMBER, reason="APPI", enqueue=False)
    assert services.erasure_run(erasure_id=erasure.pk) == Erasure.DONE
    _assert_erased(world)
    _assert_other_customer_untouched(world)
    assert leaks(s3_texts(world.bucket)) == []
    assert leaks(database_texts()) == []
