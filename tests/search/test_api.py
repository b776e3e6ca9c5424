"""`POST /api/v1/search-contacts`: Connect's request and error shapes, paging, tokens,
permissions and the audit trail."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from portal.accounts.tokens import token_create
from portal.audit.models import AuditEvent
from search.criteria import SORT_FIELDS

pytestmark = pytest.mark.django_db

URL = "/api/v1/search-contacts"
RANGE = {"Type": "INITIATION_TIMESTAMP", "StartTime": "2026-09-01T00:00:00Z", "EndTime": "2026-12-01T00:00:00Z"}


def api(user, body: dict) -> tuple[int, dict, object]:
    token = token_create(user=user)
    response = Client().post(
        URL, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    return response.status_code, response.json(), response


def search(user, **criteria) -> dict:
    status, body, _ = api(user, {"TimeRange": RANGE, "SearchCriteria": criteria, "MaxResults": 100})
    assert status == 200, body
    return body


def ids(body: dict) -> set[str]:
    return {c["Id"] for c in body["Contacts"]}


def named(world, *names: str) -> set[str]:
    return {world.calls[n].contact_id for n in names}


def test_answer_has_connects_summary_fields_plus_names(search_world, settings):
    w = search_world
    body = search(w.users.admin, Channels=["VOICE"], AgentIds=["sa"], HasRecording=True)
    assert body["TotalCount"] == 2 and "NextToken" not in body
    summary = next(c for c in body["Contacts"] if c["Id"] == w.calls["refund"].contact_id)
    assert summary == {
        "Arn": f"{settings.CONNECT_INSTANCE_ARN}/contact/{w.calls['refund'].contact_id}",
        "Id": w.calls["refund"].contact_id,
        "InitiationMethod": "INBOUND",
        "Channel": "VOICE",
        "QueueInfo": {"Id": "q-billing", "Name": "Billing", "EnqueueTimestamp": "2026-10-01T09:00:05Z"},
        "AgentInfo": {"Id": "sa", "Username": "sa", "ConnectedToAgentTimestamp": "2026-10-01T09:00:20Z"},
        "InitiationTimestamp": "2026-10-01T09:00:00Z",
        "DisconnectTimestamp": "2026-10-01T09:05:00Z",
    }


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 10, 1, 9, 0, 20, tzinfo=UTC),
        datetime(2026, 10, 1, 9, 0, 20, 120000, tzinfo=UTC),
        datetime(2026, 10, 1, 9, 0, 20, 7, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/London")),
        datetime(2026, 10, 1, 18, 0, tzinfo=ZoneInfo("Asia/Tokyo")),
        datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ],
)
def test_timestamps_are_written_as_python_writes_them_in_utc(db, moment):
    from search.api import ConnectTime
    from search.models import Contact
    from tests.factories import make_contact

    contact = make_contact(initiation_ts=moment)
    text = Contact.objects.filter(pk=contact.pk).annotate(t=ConnectTime("initiation_ts")).get().t
    assert text == moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    empty = Contact.objects.filter(pk=contact.pk).annotate(t=ConnectTime("scheduled_ts")).get().t
    assert empty is None


@pytest.mark.parametrize("sort_field", SORT_FIELDS)
def test_reading_more_rows_costs_no_more_queries(search_world, sort_field):
    """The answer reads only what it shows, in one query for the page: no field or
    relation is loaded row by row, under any sort (the last row's key makes the token)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    token = token_create(user=search_world.users.admin)
    counts = {}
    for size in (1, 100):
        body = {"TimeRange": RANGE, "MaxResults": size, "Sort": {"FieldName": sort_field, "Order": "DESCENDING"}}
        with CaptureQueriesContext(connection) as queries:
            response = Client().post(
                URL, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
            )
        assert response.status_code == 200
        counts[size] = len(queries)
        assert len(response.json()["Contacts"]) == (1 if size == 1 else response.json()["TotalCount"])
    assert counts[100] <= counts[1]


def test_extra_criteria(search_world):
    w = search_world
    admin = w.users.admin
    assert ids(search(admin, CustomerPhoneNumber="090-1111-2222")) == named(w, "billing")
    assert ids(search(admin, SystemPhoneNumber="+81 3-6666-7777")) == named(w, "deleted")
    assert ids(search(admin, DisconnectReasons=["AGENT_DISCONNECT"])) == named(w, "billing")
    assert ids(search(admin, RoutingProfileIds=["rp-ja"])) == named(w, "ja")
    assert ids(search(admin, RecordingStatuses=["DELETED"])) == named(w, "deleted")
    assert ids(search(admin, MinDurationSeconds=1000)) == named(w, "task", "deleted")
    assert ids(search(admin, Sentiment={"ParticipantRole": "CUSTOMER", "Type": "SHIFT", "BeginMax": -1, "EndMin": 1})) == named(w, "refund", "ja")  # fmt: skip
    assert ids(search(admin, NonTalkTime={"MinPercent": 15})) == named(w, "billing")
    assert ids(search(admin, Interruptions={"Min": 2})) == named(w, "refund")
    assert ids(search(admin, Categories={"Names": ["Cancellation"], "MatchType": "MATCH_NONE"})) == named(
        w, "billing", "ja", "ja_other", "no_agent"
    )
    assert ids(search(admin, QueueIds=["arn:aws:connect:ap-northeast-1:1:instance/x/queue/q-support"])) == named(
        w, "billing", "ja"
    )
    assert ids(search(admin, AgentHierarchyGroups={"L3Ids": ["g-sales-b"]})) == named(w, "billing", "task")
    words = {"Transcript": {"Criteria": [{"ParticipantRole": "CUSTOMER", "SearchText": ["refund"], "MatchType": "MATCH_ALL"}]}}  # fmt: skip
    assert ids(search(admin, ContactAnalysis=words)) == named(w, "refund", "osaka")
    attributes = {"Criteria": [{"Key": "customerTier", "Values": ["gold", "silver"]}], "MatchType": "MATCH_ALL"}
    assert ids(search(admin, SearchableContactAttributes=attributes)) == named(w, "refund", "billing", "osaka")


def test_contact_id_needs_no_time_range_and_keeps_the_scope(search_world):
    w = search_world
    osaka = w.calls["osaka"].contact_id
    status, body, _ = api(w.users.admin, {"SearchCriteria": {"ContactId": osaka}})
    assert status == 200 and ids(body) == {osaka}
    status, body, _ = api(w.users.sales_mgr, {"SearchCriteria": {"ContactId": osaka}})
    assert status == 200 and body["Contacts"] == [] and body["TotalCount"] == 0


def test_times_as_epoch_seconds(search_world):
    w = search_world
    epoch = {
        "Type": "INITIATION_TIMESTAMP",
        "StartTime": datetime(2026, 10, 1, 8, tzinfo=UTC).timestamp(),
        "EndTime": int(datetime(2026, 10, 1, 10, 30, tzinfo=UTC).timestamp()),
    }
    status, body, _ = api(w.users.admin, {"TimeRange": epoch})
    assert status == 200 and ids(body) == named(w, "refund", "billing")


def test_pages_with_next_token_and_sort(search_world):
    w = search_world
    user = w.users.sales_mgr
    request = {"TimeRange": RANGE, "MaxResults": 2, "Sort": {"FieldName": "INITIATION_TIMESTAMP", "Order": "ASCENDING"}}
    seen, token, pages = [], None, 0
    while True:
        status, body, _ = api(user, {**request, **({"NextToken": token} if token else {})})
        assert status == 200, body
        assert body["TotalCount"] == 5
        seen += [c["Id"] for c in body["Contacts"]]
        pages += 1
        token = body.get("NextToken")
        if not token:
            break
    assert pages == 3
    order = ["refund", "billing", "ja_other", "task", "deleted"]
    assert seen == [w.calls[n].contact_id for n in order]


@pytest.mark.parametrize("sort_field", SORT_FIELDS)
@pytest.mark.parametrize("order", ["ASCENDING", "DESCENDING"])
def test_pages_of_two_follow_every_sort_order(search_world, sort_field, order):
    """Paging by NextToken reads the same contacts in the same order as one big page,
    however the page's rows are loaded and wherever the missing values begin."""
    user = search_world.users.admin
    request = {"TimeRange": RANGE, "Sort": {"FieldName": sort_field, "Order": order}}
    status, whole, _ = api(user, {**request, "MaxResults": 100})
    assert status == 200 and len(whole["Contacts"]) == whole["TotalCount"] > 5
    seen, token = [], None
    while True:
        status, body, _ = api(user, {**request, "MaxResults": 2, **({"NextToken": token} if token else {})})
        assert status == 200, body
        seen += [c["Id"] for c in body["Contacts"]]
        token = body.get("NextToken")
        if not token:
            break
    assert seen == [c["Id"] for c in whole["Contacts"]]


def _first_token(user) -> tuple[dict, str]:
    request = {"TimeRange": RANGE, "MaxResults": 2}
    status, body, _ = api(user, request)
    assert status == 200 and body["NextToken"]
    return request, body["NextToken"]


def test_tampered_next_token_is_a_400(search_world):
    request, token = _first_token(search_world.users.admin)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for bad in (tampered, "not-a-token", token + "x"):
        status, body, response = api(search_world.users.admin, {**request, "NextToken": bad})
        assert status == 400 and body["Type"] == "InvalidParameterException"
        assert response["x-amzn-ErrorType"] == "InvalidParameterException"


def test_another_users_token_is_a_400(search_world):
    request, token = _first_token(search_world.users.admin)
    status, body, _ = api(search_world.users.qa, {**request, "NextToken": token})
    assert status == 400 and body["Type"] == "InvalidParameterException"


def test_a_token_from_another_search_is_a_400(search_world):
    request, token = _first_token(search_world.users.admin)
    other = {**request, "SearchCriteria": {"Channels": ["VOICE"]}, "NextToken": token}
    status, body, _ = api(search_world.users.admin, other)
    assert status == 400 and body["Type"] == "InvalidParameterException"


def test_total_count_is_exact_up_to_the_cap(search_world, settings):
    settings.SEARCH_RESULT_CAP = 3
    status, body, _ = api(search_world.users.admin, {"TimeRange": RANGE, "MaxResults": 2})
    assert body["TotalCount"] == 3
    status, body, _ = api(
        search_world.users.admin, {"TimeRange": RANGE, "MaxResults": 2, "NextToken": body["NextToken"]}
    )
    assert len(body["Contacts"]) == 1 and "NextToken" not in body


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "InvalidRequestException"),
        ({"TimeRange": {"Type": "INITIATION_TIMESTAMP", "StartTime": "2026-10-01T00:00:00Z"}}, "InvalidRequestException"),
        ({"TimeRange": {**RANGE, "Type": "EXPIRY_TIMESTAMP"}}, "InvalidParameterException"),
        ({"TimeRange": {**RANGE, "StartTime": "yesterday"}}, "InvalidParameterException"),
        ({"TimeRange": {**RANGE, "StartTime": RANGE["EndTime"]}}, "InvalidParameterException"),
        ({"TimeRange": RANGE, "MaxResults": 101}, "InvalidParameterException"),
        ({"TimeRange": RANGE, "MaxResults": 0}, "InvalidParameterException"),
        ({"TimeRange": RANGE, "Surprise": 1}, "InvalidRequestException"),
        ({"TimeRange": RANGE, "SearchCriteria": {"Channels": ["FAX"]}}, "InvalidParameterException"),
        ({"TimeRange": RANGE, "SearchCriteria": {"Channels": "VOICE"}}, "InvalidRequestException"),
        ({"TimeRange": RANGE, "SearchCriteria": {"InitiationMethods": ["TELEPATHY"]}}, "InvalidParameterException"),
        ({"TimeRange": RANGE, "SearchCriteria": {"AgentIds": [f"a{i}" for i in range(101)]}}, "InvalidParameterException"),
        ({"TimeRange": RANGE, "SearchCriteria": {"QueueIds": [f"q{i}" for i in range(101)]}}, "InvalidParameterException"),
        ({"TimeRange": RANGE, "SearchCriteria": {"AgentHierarchyGroups": {"L1Ids": [str(i) for i in range(11)]}}},
         "InvalidParameterException"),
        ({"TimeRange": RANGE, "SearchCriteria": {"ContactAnalysis": {"Transcript": {"Criteria": [
            {"ParticipantRole": "CUSTOMER", "SearchText": ["x" * 129], "MatchType": "MATCH_ALL"}]}}}},
         "InvalidParameterException"),
        ({"TimeRange": RANGE, "SearchCriteria": {"ContactAnalysis": {"Transcript": {"Criteria": [
            {"ParticipantRole": "CUSTOMER", "SearchText": ["a"], "MatchType": "MATCH_ALL"}] * 7}}}},
         "InvalidParameterException"),
        ({"TimeRange": RANGE, "SearchCriteria": {"ContactAnalysis": {"Transcript": {"Criteria": [
            {"ParticipantRole": "ROBOT", "SearchText": ["a"], "MatchType": "MATCH_ALL"}]}}}},
         "InvalidParameterException"),
        ({"TimeRange": RANGE, "SearchCriteria": {"SearchableContactAttributes": {"Criteria": [
            {"Key": "customerTier", "Values": [str(i) for i in range(21)]}]}}}, "InvalidParameterException"),
        ({"TimeRange": RANGE, "SearchCriteria": {"SearchableContactAttributes": {"Criteria": [
            {"Key": "customerTier", "Values": ["gold"]}] * 16}}}, "InvalidParameterException"),
        ({"TimeRange": RANGE, "SearchCriteria": {"Sentiment": {"ParticipantRole": "CUSTOMER", "Min": -6}}},
         "InvalidParameterException"),
        ({"TimeRange": RANGE, "SearchCriteria": {"CustomerPhoneNumber": "not a number"}}, "InvalidParameterException"),
        ({"TimeRange": RANGE, "SearchCriteria": {"Name": {"SearchText": ["x"], "MatchType": "MATCH_ALL"}}},
         "InvalidParameterException"),
        ({"TimeRange": RANGE, "Sort": {"FieldName": "CHANNEL"}}, "InvalidRequestException"),
    ],
)  # fmt: skip
def test_connects_validation_rules(search_world, body, error):
    status, answer, response = api(search_world.users.admin, body)
    assert status == 400, answer
    assert answer["Type"] == error and answer["Message"]
    assert response["x-amzn-ErrorType"] == error


def test_body_that_is_not_json(search_world):
    token = token_create(user=search_world.users.admin)
    response = Client().post(URL, "{", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400 and response.json()["Type"] == "InvalidRequestException"


def test_another_instance_is_not_found(search_world, settings):
    status, body, _ = api(search_world.users.admin, {"InstanceId": "someone-else", "TimeRange": RANGE})
    assert status == 404 and body["Type"] == "ResourceNotFoundException"
    ours = settings.CONNECT_INSTANCE_ARN.rsplit("/", 1)[-1]
    assert api(search_world.users.admin, {"InstanceId": ours, "TimeRange": RANGE})[0] == 200
    assert api(search_world.users.admin, {"InstanceId": settings.CONNECT_INSTANCE_ARN, "TimeRange": RANGE})[0] == 200


def test_without_credentials(search_world):
    response = Client().post(URL, json.dumps({"TimeRange": RANGE}), content_type="application/json")
    assert response.status_code == 401 and response.json()["Type"] == "AccessDeniedException"


def test_only_post(search_world):
    token = token_create(user=search_world.users.admin)
    response = Client().get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 405


def test_every_search_is_audited_without_pii(search_world):
    w = search_world
    body = {
        "TimeRange": RANGE,
        "SearchCriteria": {
            "CustomerPhoneNumber": "090-1111-2222",
            "SearchableContactAttributes": {"Criteria": [{"Key": "customerTier", "Values": ["gold"]}]},
            "Channels": ["VOICE"],
        },
    }
    before = AuditEvent.objects.filter(action="search").count()
    assert api(w.users.admin, body)[0] == 200
    event = AuditEvent.objects.filter(action="search").latest("id")
    assert AuditEvent.objects.filter(action="search").count() == before + 1
    assert event.actor == w.users.admin and event.details["via"] == "api"
    criteria = event.details["criteria"]
    assert criteria["channels"] == ["VOICE"]
    assert criteria["attributes"] == "•••" and criteria["customer_phone"] == "•••"
    text = json.dumps(event.details, ensure_ascii=False)
    assert "1111" not in text and "2222" not in text and "gold" not in text
    assert criteria["start"] == "2026-09-01T00:00:00+00:00"
    # Sealed, not lost: readers of the audit log see what was searched.
    readable = event.readable_details()["criteria"]
    assert readable["attributes"] == [{"key": "customerTier", "values": ["gold"]}]
    assert readable["customer_phone"] == "+819011112222"


def test_openapi_document_describes_every_endpoint(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path in (
        "/api/v1/search-contacts",
        "/api/v1/contacts/{ContactId}",
        "/api/v1/contacts/{ContactId}/transcript",
        "/api/v1/contacts/{ContactId}/recording/fetch",
        "/api/v1/recording-jobs/{JobId}",
        "/api/v1/contacts/{ContactId}/recording/download",
        "/api/v1/contacts/{ContactId}/recording",
        "/api/v1/audit-events",
    ):
        assert path in paths, path
    criteria = document["components"]["schemas"]["SearchCriteria"]["properties"]
    for key in ("ContactId", "CustomerPhoneNumber", "Sentiment", "NonTalkTime", "Categories", "HasRecording"):
        assert key in criteria
