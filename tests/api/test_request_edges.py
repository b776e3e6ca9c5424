"""Requests at the edges of the OpenAPI document, each once a server error or a
refusal of a request the document allowed: far time-zone offsets, NUL characters,
long contact ids, unknown paths with a newline, and the original without a reason."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from portal.accounts.tokens import token_create
from tests.recordings.conftest import persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=persona('edge-admin', 'Admin'))}")


def _search(client: Client, body: dict):
    return client.post("/api/v1/search-contacts", json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    "start, end",
    [
        ("1567-07-22T06:01:42+18:19", 3926574639.38),  # PostgreSQL refuses offsets past 15:59
        ("0001-01-01T00:00:00+05:00", "0001-01-02T00:00:00+05:00"),  # before year 1 in UTC
        ("9999-12-31T23:00:00-00:30", "9999-12-31T23:30:00-05:00"),  # after year 9999 in UTC
    ],
)
def test_any_offset_and_year_the_document_allows_is_searched(admin_client, start, end):
    response = _search(admin_client, {"TimeRange": {"Type": "INITIATION_TIMESTAMP", "StartTime": start,
                                                    "EndTime": end}})  # fmt: skip
    assert response.status_code == 200, response.json()


def test_audit_events_take_far_offsets(admin_client):
    response = admin_client.get("/api/v1/audit-events", {"since": "2020-01-01T00:00:00+23:59", "until": "9999"})
    assert response.status_code == 200, response.json()


def test_a_nul_character_is_refused_clearly(admin_client):
    body = {"TimeRange": {"Type": "INITIATION_TIMESTAMP", "StartTime": 0, "EndTime": 10},
            "SearchCriteria": {"AgentIds": ["a\x00b"]}}  # fmt: skip
    response = _search(admin_client, body)
    assert response.status_code == 400 and "NUL" in response.json()["Message"]
    assert admin_client.get("/api/v1/contacts/a%00b").status_code == 400
    assert admin_client.get("/api/v1/audit-events", {"user": "x\x00"}).status_code == 400


def test_a_contact_id_longer_than_any_is_refused_not_a_server_error(admin_client):
    response = _search(admin_client, {"SearchCriteria": {"ContactId": "c" * 65}})
    assert response.status_code == 400 and response.json()["Type"] == "InvalidParameterException"


def test_an_unknown_path_with_a_newline_answers_json(admin_client):
    response = admin_client.get("/api/v1/contacts/x/%0A/y")
    assert response.status_code == 404 and response.json()["Type"] == "ResourceNotFoundException"


def test_audit_paging_refuses_non_ascii_digits(admin_client):
    response = admin_client.get("/api/v1/audit-events", {"max_results": "²"})
    assert response.status_code == 400
