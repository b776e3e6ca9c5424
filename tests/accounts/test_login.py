"""Signing in with allauth: username or email, no sign-up, throttling, SSO button, sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from portal.accounts import permissions as p
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"


def sign_in(client, login: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"login": login, "password": password}, **extra)


def test_login_page_uses_the_portal_layout(client):
    page = client.get(LOGIN).content.decode()
    assert 'class="brand"' in page and 'name="login"' in page
    assert "sign up" not in page.lower()


@pytest.mark.parametrize("login", ["dana", "dana@example.com", "DANA@EXAMPLE.COM"])
def test_login_by_username_or_email(client, login):
    user = make_user("dana", permissions=[p.CONTACT_SEARCH])
    response = sign_in(client, login)
    assert response.status_code == 302 and response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == user.pk


def test_wrong_password_is_refused_with_a_message(client):
    make_user("erin")
    response = sign_in(client, "erin", "not the password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "not correct" in response.content.decode()


def test_signup_is_closed(client):
    response = client.post(reverse("account_signup"), {
        "username": "mallory", "email": "m@example.com", "password1": "Zx9!long-password", "password2": "Zx9!long-password",
    })  # fmt: skip
    assert "Sign Up Closed" in response.content.decode() or response.status_code in {403, 404}
    from portal.accounts.models import User

    assert not User.objects.filter(username="mallory").exists()


def test_sixth_failed_login_is_throttled(client):
    make_user("frank")
    for _ in range(5):
        response = sign_in(client, "frank", "wrong", REMOTE_ADDR="10.9.8.7")
        assert "Too many failed" not in response.content.decode()
    sixth = sign_in(client, "frank", "wrong", REMOTE_ADDR="10.9.8.7")
    assert "Too many failed login attempts" in sixth.content.decode()
    # Even the right password is refused while throttled.
    assert "_auth_user_id" not in client.session
    assert "Too many failed" in sign_in(client, "frank", REMOTE_ADDR="10.9.8.7").content.decode()


def test_throttle_also_applies_per_account_from_many_addresses(client):
    make_user("gina")
    for i in range(5):
        sign_in(client, "gina", "wrong", REMOTE_ADDR=f"10.1.1.{i}")
    assert "Too many failed" in sign_in(client, "gina", "wrong", REMOTE_ADDR="10.1.1.99").content.decode()


def test_sso_button_only_when_configured(client, settings):
    assert "openid_connect" not in client.get(LOGIN).content.decode()
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [{
                "provider_id": "corp", "name": "Corporate SSO", "client_id": "portal", "secret": "s",
                "settings": {"server_url": "https://idp.example.com"},
            }],
        },
    }  # fmt: skip
    page = client.get(LOGIN).content.decode()
    assert "Corporate SSO" in page and "/accounts/oidc/corp/login/" in page


def test_session_lasts_only_the_idle_timeout(client, settings):
    make_user("hana")
    sign_in(client, "hana")
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = session.expire_date - timezone.now()
    assert (
        timedelta(minutes=settings.SESSION_COOKIE_AGE // 60 - 1)
        < remaining
        <= timedelta(seconds=settings.SESSION_COOKIE_AGE)
    )
    assert client.get("/account/").status_code == 200


def test_idle_session_expires(client):
    make_user("ivan")
    sign_in(client, "ivan")
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_logout_ends_the_session_on_the_server(client):
    make_user("jon")
    sign_in(client, "jon")
    key = client.session.session_key
    stolen_cookie = client.cookies["sessionid"].value
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = stolen_cookie
    assert client.get("/account/").status_code == 302


def test_logout_needs_post(client):
    make_user("kim")
    sign_in(client, "kim")
    client.get(reverse("account_logout"))
    assert "_auth_user_id" in client.session
