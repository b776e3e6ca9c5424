"""The session key changes when a user signs in and again once the second factor is
given, so a session id planted or seen before sign-in is worth nothing after it."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.sessions.models import Session

from portal.accounts import permissions as p
from tests.factories import make_user

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
PASSWORD = "correct horse battery staple"


def _planted_session_key(client) -> str:
    """An anonymous session, as an attacker could plant or read one before sign-in."""
    session = client.session
    session["portal_language"] = "en"
    session.save()
    client.cookies["sessionid"] = session.session_key
    return session.session_key


def test_signing_in_rotates_the_session_key(client):
    user = make_user("dana", permissions=[p.CONTACT_SEARCH])
    before = _planted_session_key(client)
    response = client.post(LOGIN, {"login": "dana", "password": PASSWORD})
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert int(Session.objects.get(session_key=after).get_decoded()["_auth_user_id"]) == user.pk


def test_the_second_factor_rotates_the_session_key_again(client):
    user = make_user("manager", profiles=["CallCenterManager"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    before = _planted_session_key(client)

    first = client.post(LOGIN, {"login": "manager", "password": PASSWORD})
    assert first.status_code == 302 and first["Location"].startswith("/accounts/2fa/authenticate")
    pending = client.cookies["sessionid"].value
    assert "_auth_user_id" not in Session.objects.get(session_key=pending).get_decoded()

    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    second = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert second.status_code == 302
    after = client.cookies["sessionid"].value
    assert after not in (before, pending)
    assert not Session.objects.filter(session_key__in=[before, pending]).exists()
    assert int(Session.objects.get(session_key=after).get_decoded()["_auth_user_id"]) == user.pk
