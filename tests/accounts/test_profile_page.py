"""/account/: preferences and the user's own API tokens."""

from __future__ import annotations

import re

import pytest

from portal.accounts import permissions as p
from portal.accounts.models import ApiToken
from portal.accounts.tokens import token_create
from portal.audit.models import AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def lena(client):
    user = make_user("lena", permissions=[p.CONTACT_SEARCH, p.HISTORICAL_CHANGES])
    client.force_login(user)
    return user


def test_profile_needs_login(client):
    assert client.get("/account/").status_code == 302


def test_preferences_are_saved_and_applied(client, lena):
    response = client.post("/account/", {"time_zone": "Asia/Tokyo", "language": "ja"})
    assert response.status_code == 302
    lena.refresh_from_db()
    assert (lena.time_zone, lena.language) == ("Asia/Tokyo", "ja")
    assert client.get("/account/").headers["Content-Language"] == "ja"


def test_unknown_time_zone_is_refused(client, lena):
    response = client.post("/account/", {"time_zone": "Mars/Olympus", "language": ""})
    assert response.status_code == 200 and "Mars/Olympus" in response.content.decode()
    lena.refresh_from_db()
    assert lena.time_zone == "UTC"


def test_token_is_shown_once_then_only_its_prefix(client, lena):
    response = client.post("/account/tokens/", {"name": "reporting"})
    token = re.search(r'<code id="new-token">([^<]+)</code>', response.content.decode()).group(1)
    assert client.get("/api/v1/audit-events", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    later = client.get("/account/").content.decode()
    assert token not in later and token[:10] in later and "reporting" in later
    row = ApiToken.objects.get(user=lena)
    assert row.token_hash != token and token not in row.token_hash
    assert row.last_used_at is not None
    assert AuditEvent.objects.filter(action="token_create", actor_id=lena.pk).exists()


def test_revoke_own_token(client, lena):
    token = token_create(user=lena, name="old")
    row = ApiToken.objects.get(user=lena)
    client.post(f"/account/tokens/{row.pk}/revoke/")
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert client.get("/api/v1/audit-events", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "revoked" in client.get("/account/").content.decode()
    assert AuditEvent.objects.get(action="token_revoke").details["token_id"] == row.pk


def test_cannot_revoke_someone_elses_token(client, lena):
    other = make_user("other")
    token_create(user=other)
    row = ApiToken.objects.get(user=other)
    client.post(f"/account/tokens/{row.pk}/revoke/")
    row.refresh_from_db()
    assert row.revoked_at is None
    assert not AuditEvent.objects.filter(action="token_revoke").exists()


def test_revoke_needs_post(client, lena):
    token_create(user=lena)
    row = ApiToken.objects.get(user=lena)
    assert client.get(f"/account/tokens/{row.pk}/revoke/").status_code == 405
