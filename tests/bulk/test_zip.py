"""The zip of a search's recordings and transcripts: exactly the files each persona may
download, byte for byte what S3 holds, each one audited, with a manifest of the rest."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from portal.accounts import permissions as p
from portal.audit.models import AuditEvent
from recordings import storage
from tests.bulk.conftest import TIME_RANGE
from tests.recordings.conftest import ORIGINAL_TEXT, REDACTED_TEXT, persona

API = "/api/v1/bulk-downloads"


def _zip(client, **body) -> zipfile.ZipFile:
    answer = client.post(API, {"TimeRange": TIME_RANGE, **body}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.streaming and answer["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))


def _manifest(archive: zipfile.ZipFile) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))


def _expected(media, *, originals: bool) -> dict[str, bytes | None]:
    """File name → bytes (None for a transcript, checked by its words)."""
    files: dict[str, bytes | None] = {}
    for m in media:
        if m.redacted_audio_key:
            files[f"{m.contact_id}/recording-redacted.wav"] = m.redacted_audio
            files[f"{m.contact_id}/transcript-redacted.json"] = None
        if originals:
            files[f"{m.contact_id}/recording-original.wav"] = m.audio
            files[f"{m.contact_id}/transcript-original.json"] = None
    return files


def _check(archive: zipfile.ZipFile, expected: dict[str, bytes | None], bucket: str) -> None:
    names = set(archive.namelist()) - {"manifest.csv"}
    assert names == set(expected)
    for name, data in expected.items():
        body = archive.read(name)
        if data is not None:
            assert body == data
            cid, kind = name.split("/")
            key = next(
                k for k in _keys(bucket, cid) if k.endswith(".wav") and ("redacted" in k) == ("redacted" in kind)
            )
            assert body == storage.get_bytes(bucket, key)
        else:
            turns = json.loads(body)["Transcript"]
            said = " ".join(t["Content"] for t in turns)
            assert (REDACTED_TEXT if "redacted" in name else ORIGINAL_TEXT) in said
    included = {row["file"] for row in _manifest(archive) if row["outcome"] == "INCLUDED"}
    assert included == set(expected)


def _keys(bucket: str, contact_id: str) -> list[str]:
    return [o.key for o in storage.list_objects(bucket) if contact_id in o.key]


def test_each_persona_gets_exactly_the_files_it_may_download(client, bulk_world):
    w = bulk_world
    redacted_downloader = persona("bulk-qa-dl", "QualityAnalyst", extra=(p.RECORDINGS_REDACTED_DOWNLOAD,))
    cases = [
        (w.people.supervisor, w.east, False),  # no reason: originals left out
        (w.people.west, w.west, True),
        (redacted_downloader, [*w.east, *w.west, w.unhandled], False),
        (w.people.admin, [*w.east, *w.west, w.unhandled], True),
    ]
    for user, media, with_reason in cases:
        client.force_login(user)
        reason = {"Reason": "subject access request"} if with_reason else {}
        archive = _zip(client, **reason)
        _check(archive, _expected(media, originals=with_reason), w.bucket)
        rows = _manifest(archive)
        assert {r["contact_id"] for r in rows} == {m.contact_id for m in media} | (
            {w.chat.contact_id} if user in (w.people.supervisor, w.people.admin, redacted_downloader) else set()
        ), user.username
        downloads = AuditEvent.objects.filter(actor=user, action__in=["recording_download", "transcript_download"])
        assert downloads.count() == len(archive.namelist()) - 1
        assert AuditEvent.objects.filter(actor=user, action="bulk_download").count() == 1


def test_the_manifest_says_why_a_file_was_left_out(client, bulk_world):
    w = bulk_world
    client.force_login(w.people.supervisor)
    rows = _manifest(_zip(client, SearchCriteria={"Channels": ["CHAT"]}, ExpectedCount=1))
    assert [(r["kind"], r["version"], r["outcome"]) for r in rows] == [
        ("recording", "REDACTED", "SKIPPED"), ("recording", "ORIGINAL", "SKIPPED"),
        ("transcript", "REDACTED", "SKIPPED"), ("transcript", "ORIGINAL", "SKIPPED"),
    ]  # fmt: skip
    assert "no audio" in rows[0]["detail"]
    japanese = w.east[1]
    rows = _manifest(_zip(client, SearchCriteria={"ContactId": japanese.contact_id}, ExpectedCount=1))
    assert {r["version"]: r["outcome"] for r in rows if r["kind"] == "recording"} == {
        "REDACTED": "SKIPPED", "ORIGINAL": "SKIPPED"}  # fmt: skip
    assert any("reason" in r["detail"] for r in rows if r["version"] == "ORIGINAL")


def test_the_zip_needs_a_download_permission_and_the_typed_count(client, bulk_world, settings):
    w = bulk_world
    for user in (w.people.qa, w.people.agent):
        client.force_login(user)
        answer = client.post(API, {"TimeRange": TIME_RANGE}, content_type="application/json")
        assert answer.status_code == 403 and answer.json()["Type"] == "AccessDeniedException"
    client.force_login(w.people.admin)
    wrong = client.post(API, {"TimeRange": TIME_RANGE, "ExpectedCount": 2}, content_type="application/json")
    assert wrong.status_code == 409
    settings.BULK_ACTION_MAX_CONTACTS = 3
    over = client.post(API, {"TimeRange": TIME_RANGE}, content_type="application/json")
    assert over.status_code == 400 and "more than 3" in over.json()["Message"]
    page = client.post("/bulk/download?start=2026-10-01T00%3A00&end=2026-12-01T00%3A00", {"confirm": "3"})
    assert page.status_code == 400
    assert not AuditEvent.objects.filter(action__in=["recording_download", "bulk_download"]).exists()

    settings.BULK_ACTION_MAX_CONTACTS = 1000
    client.force_login(w.people.west)
    query = "?start=2026-10-01T00%3A00&end=2026-12-01T00%3A00"
    assert client.post("/bulk/download" + query, {"confirm": "2"}).status_code == 400
    answer = client.post("/bulk/download" + query, {"confirm": "1"})
    assert answer.status_code == 200 and answer.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))
    _check(archive, _expected(w.west, originals=False), w.bucket)


def test_outside_a_transaction_the_next_file_is_prepared_ahead(client, transactional_db, bulk_world):
    """Served as in production (autocommit), each next file is checked, audited and opened
    on a thread of its own while the current one streams: the same files, the same audit."""
    w = bulk_world
    client.force_login(w.people.admin)
    archive = _zip(client, Reason="subject access request")
    media = [*w.east, *w.west, w.unhandled]
    _check(archive, _expected(media, originals=True), w.bucket)
    downloads = AuditEvent.objects.filter(action__in=["recording_download", "transcript_download"])
    assert downloads.count() == len(archive.namelist()) - 1
