"""portal.api: authentication, CSRF and Connect-shaped errors for every JSON endpoint."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.http import Http404, JsonResponse
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import path

from portal.accounts import permissions as p
from portal.accounts.tokens import token_create
from portal.api import ApiError, api_view, json_body, parse_time, require_permission
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@api_view(methods=["POST"])
def echo(request):
    return JsonResponse({"Got": json_body(request), "User": request.user.username})


@api_view(methods=["GET"])
def guarded(request):
    require_permission(request.user, p.DELETE_RECORDINGS)
    return JsonResponse({})


@api_view(methods=["GET"])
def missing(request):
    raise Http404


@api_view(methods=["GET"])
def throttled(request):
    raise ApiError("ThrottlingException", "Slow down", 429)


@api_view(methods=["GET"], authenticated=False)
def public(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path("api/v1/echo", echo),
    path("api/v1/guarded", guarded),
    path("api/v1/missing", missing),
    path("api/v1/throttled", throttled),
    path("api/v1/public", public),
]


def error(response) -> tuple[int, str, str]:
    body = response.json()
    assert response["x-amzn-ErrorType"] == body["Type"]
    return response.status_code, body["Type"], body["Message"]


@pytest.fixture
def bearer():
    user = make_user("robot", permissions=[p.CONTACT_SEARCH])
    return {"Authorization": f"Bearer {token_create(user=user)}"}


def test_no_credentials_is_401_access_denied(client):
    status, type_, _ = error(client.get("/api/v1/guarded"))
    assert (status, type_) == (401, "AccessDeniedException")
    assert client.get("/api/v1/guarded")["WWW-Authenticate"].startswith("Bearer")


def test_missing_permission_is_403_naming_it(client, bearer):
    status, type_, message = error(client.get("/api/v1/guarded", headers=bearer))
    assert (status, type_) == (403, "AccessDeniedException")
    assert "DeleteCallRecordings" in message


def test_not_found_and_throttling_shapes(client, bearer):
    assert error(client.get("/api/v1/missing", headers=bearer))[:2] == (404, "ResourceNotFoundException")
    assert error(client.get("/api/v1/throttled", headers=bearer))[:2] == (429, "ThrottlingException")


def test_wrong_method_is_405(client, bearer):
    response = client.get("/api/v1/echo", headers=bearer)
    assert error(response)[:2] == (405, "InvalidRequestException")
    assert response["Allow"] == "POST"


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"'])
def test_bad_json_is_400(client, bearer, body):
    response = client.post("/api/v1/echo", body, content_type="application/json", headers=bearer)
    assert error(response)[:2] == (400, "InvalidRequestException")


def test_bearer_post_needs_no_csrf(bearer):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/echo", {"A": 1}, content_type="application/json", headers=bearer)
    assert response.json() == {"Got": {"A": 1}, "User": "robot"}
    assert client.post("/api/v1/echo", "", content_type="application/json", headers=bearer).json()["Got"] == {}


def test_session_post_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("browser", permissions=[p.CONTACT_SEARCH]))
    refused = client.post("/api/v1/echo", {"A": 1}, content_type="application/json")
    assert error(refused)[:2] == (403, "AccessDeniedException")
    assert "CSRF" in refused.json()["Message"]

    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    accepted = client.post("/api/v1/echo", {"A": 1}, content_type="application/json", headers={"X-CSRFToken": token})
    assert accepted.status_code == 200


def test_inactive_users_token_is_refused(client):
    user = make_user("leaver", permissions=[p.CONTACT_SEARCH])
    token = token_create(user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert error(client.get("/api/v1/guarded", headers={"Authorization": f"Bearer {token}"}))[0] == 401


def test_unauthenticated_endpoints_stay_open(client):
    assert client.get("/api/v1/public").json() == {"ok": True}


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-11-01T09:00:00Z", datetime(2026, 11, 1, 9, tzinfo=UTC)),
        ("2026-11-01T18:00:00+09:00", datetime(2026, 11, 1, 9, tzinfo=UTC)),
        ("2026-11-01T09:00:00", datetime(2026, 11, 1, 9, tzinfo=UTC)),
        (1793523600, datetime(2026, 11, 1, 9, tzinfo=UTC)),
        ("1793523600.0", datetime(2026, 11, 1, 9, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_parse_time(value, expected):
    assert parse_time(value, "StartTime") == expected


def test_parse_time_refuses_nonsense():
    with pytest.raises(ApiError) as caught:
        parse_time("next tuesday", "StartTime")
    assert caught.value.status == 400 and "StartTime" in caught.value.message
