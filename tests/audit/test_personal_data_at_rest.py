"""Personal data typed into the portal (names and numbers searched, reasons given) is
nowhere in the database in plain text, and readers of the audit log still see it."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlencode

import pytest
from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection, transaction
from django.test import Client

from portal import crypto
from portal.accounts import permissions as p
from portal.accounts.tokens import token_create
from portal.audit.models import AuditEvent
from portal.phone import phone_blind_index
from recordings.models import Recording
from search.models import Contact, SavedSearch
from tests.recordings.conftest import make_media, persona

pytestmark = pytest.mark.django_db

NAME = "Hanako Kobayashi"
NUMBER = "+81 90-5555-6666"
NUMBER_DIGITS = ("9055556666", "55556666")
ACCESS_REASON = "Complaint review asked for by the branch manager"
DELETION_REASON = "The caller asked us to erase her recorded call"
HOLD_REASON = "Litigation with the Kobayashi household pending"
RANGE = {"Type": "INITIATION_TIMESTAMP", "StartTime": "2026-09-01T00:00:00Z", "EndTime": "2026-12-01T00:00:00Z"}

# Types that can hold text; arrays and tsvector are compared through their text form.
_TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "ARRAY", "tsvector", "bytea")


def _text_columns() -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c"
            " JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
            " WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.data_type = ANY(%s)",
            [list(_TEXT_TYPES)],
        )
        return cursor.fetchall()


def _stored_texts() -> list[tuple[str, str]]:
    """(table.column, text) of every non-null text-like value in every table."""
    found = []
    with connection.cursor() as cursor:
        for table, column, kind in _text_columns():
            expression = f'"{column}"' if kind == "bytea" else f'"{column}"::text'
            cursor.execute(f'SELECT {expression} FROM "{table}" WHERE "{column}" IS NOT NULL')
            for (value,) in cursor.fetchall():
                text = bytes(value).decode("utf-8", "ignore") if kind == "bytea" else str(value)
                found.append((f"{table}.{column}", text))
    # Session rows are signed base64: decode them too.
    found += [("django_session.session_data", json.dumps(s.get_decoded())) for s in Session.objects.all()]
    return found


def _leaks(needles: tuple[str, ...]) -> list[tuple[str, str]]:
    return [
        (where, needle)
        for where, text in _stored_texts()
        for needle in needles
        if needle.lower() in text.lower() or needle in text.replace(" ", "").replace("-", "")
    ]


@pytest.fixture
def acts(client, s3_bucket, recording_cache):
    """An admin searches the page and the API for a customer's name and number, saves
    the search, reads an original transcript with a reason, puts the contact on hold,
    lifts the hold and deletes its recording with a reason."""
    admin = persona("admin", "Admin")
    media = make_media(s3_bucket, redacted=True)
    cid = media.contact_id
    Contact.objects.filter(pk=media.contact.pk).update(
        customer_phone_enc=crypto.encrypt_text(NUMBER, context=cid), customer_phone_hash=phone_blind_index(NUMBER)
    )
    client.force_login(admin)
    page = client.get("/", {"keywords": f'"{NAME}"', "customer_phone": NUMBER, "start": "2026-09-01T00:00"})
    assert page.status_code == 200
    query = urlencode({"keywords": f'"{NAME}"', "customer_phone": NUMBER})
    assert client.post("/search/saved", {"name": "Follow-up", "query": query}).status_code == 302
    assert SavedSearch.objects.get(user=admin).query == query
    body = {
        "TimeRange": RANGE,
        "SearchCriteria": {
            "CustomerPhoneNumber": NUMBER,
            "ContactAnalysis": {"Transcript": {"Criteria": [{"ParticipantRole": "CUSTOMER", "SearchText": [NAME]}]}},
        },
    }
    token = token_create(user=admin)
    api = Client().post(
        "/api/v1/search-contacts", json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert api.status_code == 200, api.content
    by_number = Client().post(
        "/api/v1/search-contacts", json.dumps({"TimeRange": RANGE, "SearchCriteria": {"CustomerPhoneNumber": NUMBER}}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert [c["Id"] for c in by_number.json()["Contacts"]] == [cid]
    read = client.post(f"/contacts/{cid}/", {"transcript": "original", "reason": ACCESS_REASON})
    assert read.status_code == 200
    assert client.post(f"/contacts/{cid}/legal-hold", {"reason": HOLD_REASON}).status_code in (200, 302)
    assert Contact.objects.get(pk=media.contact.pk).legal_hold_reason == HOLD_REASON
    assert client.post(f"/contacts/{cid}/legal-hold", {"action": "clear"}).status_code in (200, 302)
    deleted = client.post(f"/contacts/{cid}/recording/delete", {"reason": DELETION_REASON})
    assert deleted.status_code in (200, 302)
    assert Recording.objects.get(contact=media.contact).deletion_reason == DELETION_REASON
    # A second contact keeps its hold, so a reason is also at rest outside the log.
    held = make_media(s3_bucket, redacted=False)
    assert client.post(f"/contacts/{held.contact_id}/legal-hold", {"reason": HOLD_REASON}).status_code in (200, 302)
    return admin, token


def test_nothing_typed_is_stored_in_plain_text(acts):
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"search", "transcript_view", "recording_delete", "legal_hold_set"} <= actions
    assert _text_columns(), "the probe found no columns to scan"
    leaks = _leaks((NAME, "Kobayashi", *NUMBER_DIGITS, ACCESS_REASON, DELETION_REASON, HOLD_REASON))
    assert leaks == []


def test_readers_of_the_audit_log_see_it_decrypted(acts, client):
    admin, token = acts
    assert admin.has_connect_permission(p.HISTORICAL_CHANGES)
    page = client.get("/audit/").content.decode()
    for text in (NAME, "+819055556666", ACCESS_REASON, DELETION_REASON, HOLD_REASON):
        assert text in page, text
    response = client.get("/audit/", {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    exported = json.dumps(rows, ensure_ascii=False)
    for text in (NAME, "+819055556666", ACCESS_REASON, DELETION_REASON, HOLD_REASON):
        assert text in exported, text
    answer = Client().get("/api/v1/audit-events", {"max_results": 1000}, HTTP_AUTHORIZATION=f"Bearer {token}")
    events = json.dumps(answer.json()["AuditEvents"], ensure_ascii=False)
    for text in (NAME, "+819055556666", ACCESS_REASON, DELETION_REASON, HOLD_REASON):
        assert text in events, text


def test_the_log_stays_append_only_with_sealed_details(acts):
    event = AuditEvent.objects.filter(action="transcript_view").latest("id")
    assert event.details["reason"] == "•••" and event.personal
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET personal = NULL WHERE id = %s", [event.pk])


def test_events_written_before_sealing_are_sealed_by_the_migration():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("portal.audit.migrations.0005_seal_existing_personal_details")
    legacy = {"criteria": {"transcript": [{"text": NAME, "phrase": True}], "channels": ["VOICE"]}, "total": 1}
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (at, actor_username, action, contact_id, details)"
            " VALUES (now(), 'manager', 'search', '', %s::jsonb) RETURNING id",
            [json.dumps(legacy)],
        )
        pk = cursor.fetchone()[0]
    with connection.schema_editor() as editor:
        migration.seal_existing(apps, editor)
    event = AuditEvent.objects.get(pk=pk)
    assert NAME not in json.dumps(event.details) and event.details["criteria"]["channels"] == ["VOICE"]
    assert event.readable_details() == legacy
    # The trigger is back: the log refuses changes again.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET details = '{}' WHERE id = %s", [pk])
