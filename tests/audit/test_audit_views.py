"""The audit page, the login/logout report and `GET /api/v1/audit-events`."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from portal.accounts import permissions as p
from portal.accounts.tokens import token_create
from portal.audit.services import audit_record
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def insert(at, *, user: str, action: str, contact_id: str = "", session: str = "") -> None:
    details = f'{{"session": "{session}"}}' if session else "{}"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (at, actor_username, action, contact_id, details, ip_address)"
            " VALUES (%s, %s, %s, %s, %s::jsonb, '10.0.0.1')",
            [at, user, action, contact_id, details],
        )


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def auditor(client):
    user = make_user("auditor", permissions=[p.HISTORICAL_CHANGES, p.TIME_CARD])
    client.force_login(user)
    return user


@pytest.fixture
def events():
    audit_record(action="contact_view", contact_id="c-1", details={"version": "redacted"})
    audit_record(action="recording_play", contact_id="c-2")
    audit_record(action="search", details={"CustomerPhoneNumber": "+81312345678"})


def test_audit_page_needs_historical_changes(client):
    client.force_login(make_user("viewer", permissions=[p.CONTACT_SEARCH, p.TIME_CARD]))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/?format=csv").status_code == 403


def test_audit_page_requires_login(client):
    response = client.get("/audit/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_audit_page_lists_and_filters(client, auditor, events):
    def cell(action: str) -> str:
        return f'<code class="muted">{action}</code></td>'

    page = client.get("/audit/").content.decode()
    assert cell("recording_play") in page and cell("contact_view") in page
    assert "+81312345678" in page  # sealed in the database, shown to readers of the log
    filtered = client.get("/audit/", {"contact_id": "c-1"}).content.decode()
    assert cell("contact_view") in filtered and cell("recording_play") not in filtered
    by_action = client.get("/audit/", {"action": "recording_play"}).content.decode()
    assert "c-2</a>" in by_action and "c-1</a>" not in by_action


def test_audit_page_time_range_and_user(client, auditor):
    now = timezone.now()
    insert(now - timedelta(days=3), user="old-user", action="search")
    insert(now - timedelta(hours=1), user="new-user", action="search")
    since = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page = client.get("/audit/", {"since": since}).content.decode()
    assert "new-user" in page and "old-user" not in page
    page = client.get("/audit/", {"user": "OLD-USER"}).content.decode()
    assert "old-user" in page and "new-user" not in page


def test_audit_page_is_paginated(client, auditor):
    now = timezone.now()
    for i in range(60):
        insert(now - timedelta(minutes=i), user=f"u{i:02d}", action="search")
    first = client.get("/audit/", {"action": "search"}).content.decode()
    second = client.get("/audit/", {"action": "search", "page": 2}).content.decode()
    assert "u00" in first and "u59" not in first
    assert "u59" in second and "Page 2 of 2" in second


def test_audit_csv_export_is_itself_audited(client, auditor, events):
    response = client.get("/audit/", {"action": "contact_view", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0] == ["time", "user", "action", "contact_id", "ip_address", "details"]
    assert [r[2] for r in rows[1:]] == ["contact_view"]
    assert '"version": "redacted"' in rows[1][5]
    export = client.get("/audit/", {"action": "export"}).content.decode()
    assert "audit_events" in export


def test_csv_cells_cannot_start_formulas(client, auditor):
    insert(timezone.now(), user="=HYPERLINK(1)", action="search")
    rows = read_csv(client.get("/audit/", {"format": "csv"}))
    assert ["'=HYPERLINK(1)"] == [r[1] for r in rows[1:] if "HYPERLINK" in r[1]]


def test_login_report_pairs_sessions(client, auditor):
    start = timezone.now() - timedelta(hours=5)
    insert(start, user="amy", action="login", session="s1")
    insert(start + timedelta(minutes=10), user="ben", action="login", session="s2")
    insert(start + timedelta(minutes=40), user="amy", action="logout", session="s1")
    insert(start + timedelta(hours=2), user="amy", action="login", session="s3")  # expired, no logout
    insert(start + timedelta(hours=3), user="ben", action="logout")  # no mark: the next logout
    rows = read_csv(client.get("/audit/sessions/", {"format": "csv"}))
    assert rows[0] == ["user", "login", "logout", "duration_seconds", "ip_address"]
    summary = [(r[0], r[3]) for r in rows[1:] if r[0] in {"amy", "ben"}]
    assert summary == [("amy", ""), ("ben", str(170 * 60)), ("amy", "2400")]
    page = client.get("/audit/sessions/", {"user": "amy"}).content.decode()
    assert "ben" not in page and "no logout recorded" in page


def test_login_report_needs_time_card(client):
    client.force_login(make_user("nocard", permissions=[p.HISTORICAL_CHANGES]))
    assert client.get("/audit/sessions/").status_code == 403


def api(client, token: str | None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/api/v1/audit-events", params, headers=headers)


def test_api_refuses_without_credentials_in_connect_shape(client):
    response = api(client, None)
    assert response.status_code == 401
    assert response["x-amzn-ErrorType"] == "AccessDeniedException"
    assert response.json()["Type"] == "AccessDeniedException"
    bad = api(client, "cpt_not-a-real-token")
    assert bad.status_code == 401 and "revoked" in bad.json()["Message"]


def test_api_refuses_without_historical_changes(client):
    token = token_create(user=make_user("plain", permissions=[p.CONTACT_SEARCH]))
    response = api(client, token)
    assert response.status_code == 403
    assert response["x-amzn-ErrorType"] == "AccessDeniedException"
    assert "HistoricalChanges.View" in response.json()["Message"]


def test_api_lists_and_filters(client, events):
    token = token_create(user=make_user("integrator", permissions=[p.HISTORICAL_CHANGES]))
    body = api(client, token).json()
    assert [e["Action"] for e in body["AuditEvents"]] == ["search", "recording_play", "contact_view"]
    assert body["NextToken"] is None
    assert set(body["AuditEvents"][0]) == {"Id", "Time", "User", "Action", "ContactId", "IpAddress", "Details"}
    only = api(client, token, contact_id="c-2").json()["AuditEvents"]
    assert [(e["Action"], e["ContactId"]) for e in only] == [("recording_play", "c-2")]
    assert api(client, token, action="contact_view").json()["AuditEvents"][0]["Details"] == {"version": "redacted"}


def test_api_user_and_time_filters(client):
    now = timezone.now()
    insert(now - timedelta(days=2), user="early", action="login")
    insert(now - timedelta(hours=2), user="late", action="login")
    token = token_create(user=make_user("integrator", permissions=[p.HISTORICAL_CHANGES]))
    since = (now - timedelta(days=1)).isoformat()
    assert [e["User"] for e in api(client, token, since=since, action="login").json()["AuditEvents"]] == ["late"]
    until = int((now - timedelta(days=1)).timestamp())
    assert [e["User"] for e in api(client, token, until=until, action="login").json()["AuditEvents"]] == ["early"]
    assert [e["User"] for e in api(client, token, user="late").json()["AuditEvents"]] == ["late"]


def test_api_pages_with_next_token(client):
    for i in range(5):
        audit_record(action="search", details={"n": i})
    token = token_create(user=make_user("integrator", permissions=[p.HISTORICAL_CHANGES]))
    seen, next_token = [], ""
    while True:
        body = api(client, token, action="search", max_results=2, next_token=next_token).json()
        seen += [e["Details"]["n"] for e in body["AuditEvents"]]
        if not body["NextToken"]:
            break
        next_token = body["NextToken"]
    assert seen == [4, 3, 2, 1, 0]


@pytest.mark.parametrize("params", [{"since": "yesterday"}, {"max_results": "0"}, {"next_token": "abc"}])
def test_api_rejects_bad_parameters(client, params):
    token = token_create(user=make_user("integrator", permissions=[p.HISTORICAL_CHANGES]))
    response = api(client, token, **params)
    assert response.status_code == 400
    assert response["x-amzn-ErrorType"] == "InvalidRequestException"


def test_api_works_with_a_browser_session(client, auditor, events):
    assert client.get("/api/v1/audit-events").status_code == 200
    assert client.post("/api/v1/audit-events").status_code == 405


def test_actions_are_named_in_the_users_language_beside_their_code(client, auditor, events):
    auditor.language = "ja"
    auditor.save(update_fields=["language"])
    body = client.get("/audit/").content.decode()
    assert "録音を再生 <code class=\"muted\">recording_play</code>" in body
    assert '<option value="contact_view">コンタクトを表示</option>' in body
    insert(timezone.now(), user="someone", action="future_action")
    assert "future_action <code" in client.get("/audit/").content.decode()  # a code without a name shows as itself


def test_every_action_the_portal_records_has_a_name():
    """Actions are written as literals (`action="..."`, `audit_action = "..."`) or as the
    MFA signal table's keys; each needs a name on the audit page."""
    import re
    from pathlib import Path

    from django.conf import settings

    from portal.audit.labels import ACTION_LABELS
    from portal.audit.signals import _MFA_SIGNALS

    found = set(_MFA_SIGNALS)
    for folder in ("portal", "search", "recordings", "hierarchy"):
        for path in (Path(settings.BASE_DIR) / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            found |= set(re.findall(r'\baction="([a-z_]+)"', text))
            found |= set(re.findall(r'\baudit_action = "([a-z_]+)"', text))
    found -= {"store_true", "append"}  # argparse's, in management commands
    assert len(found) > 20
    assert found <= set(ACTION_LABELS), sorted(found - set(ACTION_LABELS))


def details_cell(body: str, action: str) -> str:
    row = re.search(rf'<code class="muted">{action}</code></td>.*?<td class="details">(.*?)</td>', body, re.S)
    return row.group(1)


def test_details_are_labelled_fields_not_json(client, auditor):
    auditor.time_zone = "Asia/Tokyo"
    auditor.save(update_fields=["time_zone"])
    audit_record(action="transcript_view", contact_id="c-1", details={"version": "REDACTED", "turns": 12})
    audit_record(
        action="search",
        details={
            "criteria": {"channels": ["VOICE", "CHAT"], "start": "2026-10-01T09:00:00+00:00", "has_recording": True},
            "total": 3,
            "capped": False,
            "score": 0.5555555555555556,
        },
    )
    body = client.get("/audit/").content.decode()
    assert '{"' not in body and "&quot;" not in details_cell(body, "search")
    transcript = details_cell(body, "transcript_view")
    assert "<dt>Transcript turns</dt><dd>12</dd>" in transcript and "<dt>Version</dt><dd>redacted</dd>" in transcript
    search = details_cell(body, "search")
    assert '<dt class="group">Search criteria</dt><dd class="group"><dl class="fields">' in search
    assert "<dt>Channel</dt><dd>Voice, Chat</dd>" in search
    assert "<dt>From</dt><dd>2026-10-01 18:00 JST</dd>" in search  # in the user's zone, with it
    assert "<dt>Recording</dt><dd>Yes</dd>" in search and "<dt>Over the result cap</dt><dd>No</dd>" in search
    assert "<dt>Results</dt><dd>3</dd>" in search and "<dd>0.56</dd>" in search
    assert "JST</span></span></time>" in body  # each event's time shows its zone


def test_details_in_japanese(client, auditor):
    auditor.language = "ja"
    auditor.save(update_fields=["language"])
    audit_record(action="search", details={"criteria": {"channels": ["VOICE"]}, "capped": True})
    search = details_cell(client.get("/audit/").content.decode(), "search")
    assert "<dt>上限超過</dt><dd>はい</dd>" in search and "<dt>チャネル</dt><dd>音声</dd>" in search
    assert '<dt class="group">検索条件</dt>' in search


def test_a_detail_key_without_a_name_shows_as_itself(client, auditor):
    audit_record(action="search", details={"future_key": "x", "nested": {"a": [1, 2]}})
    search = details_cell(client.get("/audit/").content.decode(), "search")
    assert "<dt>future_key</dt><dd>x</dd>" in search and "<dt>a</dt><dd>1, 2</dd>" in search
