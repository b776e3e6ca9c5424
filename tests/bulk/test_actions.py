"""Bulk legal hold, the limit and the typed confirmation, for every persona: a bulk action
touches exactly the contacts that the same search shows that user."""

from __future__ import annotations

from bulk.models import BulkAction, BulkActionItem
from portal.audit.models import AuditEvent
from search.models import Contact
from tests.bulk.conftest import TIME_RANGE, deleters

API = "/api/v1/bulk-actions"


def _search_ids(client, criteria: dict | None = None) -> set[str]:
    body = {"TimeRange": TIME_RANGE, "MaxResults": 100, **({"SearchCriteria": criteria} if criteria else {})}
    answer = client.post("/api/v1/search-contacts", body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    return {c["Id"] for c in answer.json()["Contacts"]}


def _start(client, action: str, expected, **extra):
    body = {"Action": action, "Reason": "litigation 42", "TimeRange": TIME_RANGE, "ExpectedCount": expected, **extra}
    return client.post(API, body, content_type="application/json")


def _held() -> set[str]:
    return set(Contact.objects.filter(legal_hold=True).values_list("contact_id", flat=True))


def test_legal_hold_touches_exactly_what_the_search_shows_each_persona(client, bulk_world):
    w = bulk_world
    users = deleters(w.org)
    east = {m.contact_id for m in w.east} | {w.chat.contact_id}
    west = {m.contact_id for m in w.west}
    everything = east | west | {w.unhandled.contact_id}
    expected = {
        users.supervisor: east,
        users.qa: everything,
        users.agent: east,
        users.admin: everything,
        users.west: west,
    }
    for user, visible in expected.items():
        client.force_login(user)
        shown = _search_ids(client)
        assert shown == visible, user.username
        answer = _start(client, "SET_LEGAL_HOLD", len(shown))
        assert answer.status_code == 202, answer.content
        job = BulkAction.objects.get(pk=answer.json()["BulkActionId"])
        assert answer.json()["Count"] == len(shown) and job.status == BulkAction.DONE
        assert _held() == shown, user.username
        assert set(job.items.values_list("contact_id", flat=True)) == shown
        assert set(job.items.values_list("outcome", flat=True)) == {BulkActionItem.HOLD_SET}
        held_events = AuditEvent.objects.filter(action="legal_hold_set", actor=user)
        assert set(held_events.values_list("contact_id", flat=True)) == shown

        cleared = _start(client, "CLEAR_LEGAL_HOLD", len(shown))
        assert cleared.status_code == 202
        assert _held() == set()


def test_refused_without_the_permission_the_confirmed_count_or_within_the_limit(client, bulk_world, settings):
    w = bulk_world
    client.force_login(w.people.supervisor)  # CallCenterManager: no DeleteCallRecordings
    answer = _start(client, "SET_LEGAL_HOLD", 4)
    assert answer.status_code == 403
    assert answer.json()["Type"] == "AccessDeniedException" and "DeleteCallRecordings" in answer.json()["Message"]

    client.force_login(w.people.admin)
    for expected in (None, "5", True, -1):
        answer = _start(client, "SET_LEGAL_HOLD", expected)
        assert answer.status_code == 400, expected
        assert answer.json()["Type"] == "InvalidRequestException"
    for expected in (3, 8):  # not what the search finds (5)
        answer = _start(client, "SET_LEGAL_HOLD", expected)
        assert answer.status_code == 409, expected
        assert answer.json()["Type"] == "ResourceConflictException" and "finds 5 contacts" in answer.json()["Message"]
    for body in ({"Action": "DROP_TABLES"}, {"NextToken": "x"}, {"Reason": ""}):
        assert _start(client, "SET_LEGAL_HOLD", 5, **body).status_code == 400, body
    assert _held() == set() and not BulkAction.objects.exists()

    settings.BULK_ACTION_MAX_CONTACTS = 3
    answer = _start(client, "SET_LEGAL_HOLD", 4)
    assert answer.status_code == 400
    assert "more than 3 contacts" in answer.json()["Message"]
    page = client.get("/bulk/", {"start": "2026-10-01T00:00", "end": "2026-12-01T00:00"})
    assert page.status_code == 200 and "more than 3 contacts" in page.content.decode()
    assert _held() == set()

    criteria = {"Channels": ["CHAT"]}  # a narrower search narrows the action
    assert _search_ids(client, criteria) == {w.chat.contact_id}
    assert _start(client, "SET_LEGAL_HOLD", 1, SearchCriteria=criteria).status_code == 202
    assert _held() == {w.chat.contact_id}


def test_the_page_asks_for_the_count_typed(client, bulk_world):
    client.force_login(bulk_world.people.admin)
    query = "?start=2026-10-01T00%3A00&end=2026-12-01T00%3A00"
    page = client.get("/bulk/" + query)
    assert page.status_code == 200
    assert 'id="bulk-count"><strong>5 contacts<' in page.content.decode()
    wrong = client.post("/bulk/actions" + query, {"action": "SET_LEGAL_HOLD", "reason": "x", "confirm": "4"})
    assert wrong.status_code == 400 and "confirm with that number" in wrong.content.decode()
    assert _held() == set()
    right = client.post("/bulk/actions" + query, {"action": "SET_LEGAL_HOLD", "reason": "x", "confirm": "5"})
    assert right.status_code == 302
    assert len(_held()) == 5
    detail = client.get(right["Location"])
    assert detail.status_code == 200 and "Legal hold set" in detail.content.decode()
    job_id = right["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert client.get(f"{API}/{job_id}").json()["Outcomes"] == {"LEGAL_HOLD_SET": 5}
    search = client.get("/", {"start": "2026-10-01T00:00", "end": "2026-12-01T00:00"})
    assert search.status_code == 200 and 'href="/bulk/?' in search.content.decode()

    # Jobs are their owners' only: anyone else gets what a missing job gets.
    w = bulk_world
    client.force_login(w.people.supervisor)
    for path in (f"{API}/{job_id}", f"{API}/987654321", f"{API}/not-a-number"):
        answer = client.get(path)
        assert answer.status_code == 404 and answer.json()["Type"] == "ResourceNotFoundException"
    assert client.get(f"/bulk/{job_id}/").status_code == 404
    assert client.get("/bulk/987654321/").status_code == 404
