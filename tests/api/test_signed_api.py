"""SigV4-signed calls through the whole stack: the same answers, scope, MFA rule and
audit records as bearer tokens, errors in AWS's shape, and JSON for unknown paths."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.test import Client

from portal.accounts.access_keys import access_key_create, access_key_revoke
from portal.accounts.tokens import token_create
from portal.audit.models import AuditEvent
from search.models import Contact
from tests.api.conftest import send, signed
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/search-contacts"
RANGE = {"Type": "INITIATION_TIMESTAMP", "StartTime": "2026-09-01T00:00:00Z", "EndTime": "2026-12-01T00:00:00Z"}
START, END = datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
PERSONAS = ("admin", "sales_mgr", "osaka_mgr", "qa", "agent_sa", "searcher", "nobody")


def signed_call(key, method: str, path: str, body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else b""
    return send(signed(method, path, key_id=key.access_key_id, secret=key.secret, body=data))


def bearer_call(user, method: str, path: str, body: dict | None = None):
    token = token_create(user=user)
    data = json.dumps(body) if body is not None else ""
    return Client().generic(method, path, data, content_type="application/json",
                            headers={"Authorization": f"Bearer {token}"})  # fmt: skip


def found(response) -> tuple[int, set[str] | str]:
    body = response.json()
    return response.status_code, ({c["Id"] for c in body["Contacts"]} if response.status_code == 200 else body["Type"])


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_finds_the_same_contacts_signed_or_with_a_token(search_world, persona):
    user = getattr(search_world.users, persona)
    body = {"TimeRange": RANGE, "MaxResults": 100}
    by_token = found(bearer_call(user, "POST", SEARCH, body))
    by_key = found(signed_call(access_key_create(user=user), "POST", SEARCH, body))
    assert by_key == by_token
    if by_token[0] == 200:
        in_range = Contact.objects.visible_to(user).filter(initiation_ts__gte=START, initiation_ts__lt=END)
        assert by_key[1] == set(in_range.values_list("contact_id", flat=True))


@pytest.mark.parametrize("persona", PERSONAS)
def test_describe_contact_has_the_same_scope_as_the_portals_own_detail(search_world, settings, persona):
    user = getattr(search_world.users, persona)
    key = access_key_create(user=user)
    for contact in search_world.contacts.values():
        portal = bearer_call(user, "GET", f"/api/v1/contacts/{contact.contact_id}")
        connect = signed_call(key, "GET", f"/api/v1/contacts/{settings.CONNECT_INSTANCE_ARN.rsplit('/', 1)[-1]}/"
                                          f"{contact.contact_id}")  # fmt: skip
        assert connect.status_code == portal.status_code, (persona, contact.contact_id)
        if connect.status_code == 200:
            document, own = connect.json()["Contact"], portal.json()["Contact"]
            assert document["Id"] == own["Id"] and ("Attributes" in document) == ("Attributes" in own)
        else:
            assert connect["x-amzn-ErrorType"] == portal["x-amzn-ErrorType"]


def test_describe_contact_in_connects_shape(search_world, settings):
    w = search_world
    contact = w.contacts["refund"]
    response = signed_call(access_key_create(user=w.users.admin), "GET",
                           f"/api/v1/contacts/{settings.CONNECT_INSTANCE_ARN.rsplit('/', 1)[-1]}/{contact.contact_id}")  # fmt: skip
    assert response.status_code == 200
    document = response.json()["Contact"]
    assert document["InitiationTimestamp"] == contact.initiation_ts.timestamp()
    assert document["DisconnectTimestamp"] == contact.disconnect_ts.timestamp()
    assert document["LastUpdateTimestamp"] == contact.last_update_ts.timestamp()
    assert document["QueueInfo"] == {"Id": "q-billing", "EnqueueTimestamp": contact.enqueue_ts.timestamp()}
    assert document["AgentInfo"]["ConnectedToAgentTimestamp"] == contact.connected_to_agent_ts.timestamp()
    assert set(document["AgentInfo"]["HierarchyGroups"]) == {"Level1", "Level2", "Level3"}
    # Every key is one of Connect's `Contact` members, so the SDKs' parsers take it all.
    import botocore.session

    model = botocore.session.get_session().get_service_model("connect")
    assert set(document) <= set(model.shape_for("Contact").members)
    assert set(document["AgentInfo"]) <= set(model.shape_for("AgentInfo").members)


def test_get_contact_attributes_follows_the_chain(search_world, settings):
    w = search_world
    key = access_key_create(user=w.users.admin)
    instance = settings.CONNECT_INSTANCE_ARN
    refund = w.contacts["refund"]
    response = signed_call(key, "GET", f"/api/v1/contact/attributes/{instance.rsplit('/', 1)[-1]}/{refund.contact_id}")
    assert response.json() == {"Attributes": {"customerTier": "gold", "accountNumber": "ACC-1"}}
    # The initial contact is not in the portal, a later contact of its chain is.
    Contact.objects.filter(pk=refund.pk).update(initial_contact_id="99999999-0000-4000-8000-000000000000")
    response = signed_call(key, "GET", f"/api/v1/contact/attributes/{instance.rsplit('/', 1)[-1]}/"
                                       "99999999-0000-4000-8000-000000000000")  # fmt: skip
    assert response.status_code == 200 and response.json()["Attributes"]["customerTier"] == "gold"


def test_another_instance_is_not_found(search_world):
    key = access_key_create(user=search_world.users.admin)
    contact_id = search_world.contacts["refund"].contact_id
    other = "arn:aws:connect:ap-northeast-1:123456789012:instance/99999999-0000-4000-8000-000000000000"
    for path in (f"/api/v1/contacts/someone-else/{contact_id}", f"/api/v1/contact/attributes/someone-else/{contact_id}",
                 f"/api/v1/contacts/{other}/{contact_id}"):  # fmt: skip
        response = signed_call(key, "GET", path)
        assert response.status_code == 404 and response["x-amzn-ErrorType"] == "ResourceNotFoundException", path


def test_the_portals_own_contact_routes_still_answer(search_world):
    w = search_world
    key = access_key_create(user=w.users.admin)
    contact_id = w.contacts["refund"].contact_id
    own = signed_call(key, "GET", f"/api/v1/contacts/{contact_id}")
    assert own.status_code == 200 and "Recording" in own.json()["Contact"]
    transcript = signed_call(key, "GET", f"/api/v1/contacts/{contact_id}/transcript?version=redacted")
    assert transcript.status_code in (200, 404) and transcript.json().get("ContactId", contact_id) == contact_id


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v1/nothing-here"), ("POST", "/api/v1/contacts/a/b/c/d"), ("GET", "/api/v1/"),
     ("DELETE", "/api/v1/users/someone"), ("GET", "/api/v1/contacts/not-a-uuid/also-not")],
)  # fmt: skip
def test_unknown_paths_answer_json_in_connects_shape(db, method, path):
    response = Client().generic(method, path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert response.json()["Type"] == "ResourceNotFoundException"


def test_signature_errors_are_403_in_aws_shape(search_world):
    user = search_world.users.admin
    key = access_key_create(user=user)
    wrong = send(signed("POST", SEARCH, key_id=key.access_key_id, secret="z" * 40, body=b"{}"))
    assert (wrong.status_code, wrong["x-amzn-ErrorType"]) == (403, "InvalidSignatureException")
    unknown = send(signed("POST", SEARCH, key_id="PKIAAAAAAAAAAAAAAAAA", secret="z" * 40, body=b"{}"))
    assert (unknown.status_code, unknown.json()["Type"]) == (403, "UnrecognizedClientException")
    access_key_revoke(access_key_id=key.access_key_id)
    revoked = signed_call(key, "POST", SEARCH, {"TimeRange": RANGE})
    assert (revoked.status_code, revoked["x-amzn-ErrorType"]) == (403, "AccessDeniedException")


def test_a_missing_permission_is_access_denied(search_world):
    response = signed_call(access_key_create(user=search_world.users.nobody), "POST", SEARCH, {"TimeRange": RANGE})
    assert response.status_code == 403 and response["x-amzn-ErrorType"] == "AccessDeniedException"


def test_the_mfa_rule_holds_for_access_keys(search_world):
    from tests.search.conftest import mfa

    manager = make_user("no-mfa", profiles=["CallCenterManager"])
    key = access_key_create(user=manager)
    refused = signed_call(key, "POST", SEARCH, {"TimeRange": RANGE})
    assert refused.status_code == 403 and refused["x-amzn-ErrorType"] == "AccessDeniedException"
    mfa(manager)
    assert signed_call(key, "POST", SEARCH, {"TimeRange": RANGE}).status_code == 200


def test_audit_records_name_the_access_key_and_never_its_secret(search_world, settings):
    w = search_world
    key = access_key_create(user=w.users.admin)
    assert signed_call(key, "POST", SEARCH, {"TimeRange": RANGE}).status_code == 200
    search = AuditEvent.objects.filter(action="search").latest("id")
    assert search.actor == w.users.admin and search.details["via"] == "api"
    assert search.details["credential"] == "access_key" and search.details["access_key_id"] == key.access_key_id
    contact_id = w.contacts["refund"].contact_id
    instance = settings.CONNECT_INSTANCE_ARN.rsplit("/", 1)[-1]
    assert signed_call(key, "GET", f"/api/v1/contacts/{instance}/{contact_id}").status_code == 200
    view = AuditEvent.objects.filter(action="contact_view").latest("id")
    assert view.contact_id == contact_id and view.details["access_key_id"] == key.access_key_id
    assert view.details["operation"] == "DescribeContact"
    everything = json.dumps(list(AuditEvent.objects.values_list("details", flat=True)))
    assert key.secret not in everything
    # Bearer calls are recorded as before, without a key.
    bearer_call(w.users.admin, "POST", SEARCH, {"TimeRange": RANGE})
    assert "access_key_id" not in AuditEvent.objects.filter(action="search").latest("id").details


def test_bearer_tokens_keep_working(search_world):
    response = bearer_call(search_world.users.admin, "POST", SEARCH, {"TimeRange": RANGE})
    assert response.status_code == 200 and response.json()["TotalCount"] == 8


def test_openapi_lists_connects_paths_and_sigv4(client):
    document = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/contacts/{InstanceId}/{ContactId}" in document["paths"]
    assert "/api/v1/contact/attributes/{InstanceId}/{InitialContactId}" in document["paths"]
    assert "sigv4" in document["components"]["securitySchemes"]
