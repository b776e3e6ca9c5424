"""Demo logins that need a second factor come enrolled; `demo_code` tells their code."""

from __future__ import annotations

import io

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management import call_command
from django.core.management.base import CommandError

from demo.loader import demo_logins_with_second_factor, demo_users_create
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_users(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the generated demo password goes here
    demo_users_create()


def _code(username: str) -> str:
    out = io.StringIO()
    call_command("demo_code", username, stdout=out)
    return out.getvalue()


def test_logins_needing_a_second_factor_are_enrolled_with_an_encrypted_secret(demo_users):
    assert demo_logins_with_second_factor() == {"admin", "manager.japan", "supervisor.tokyo"}
    authenticator = Authenticator.objects.get(user__username="admin", type=Authenticator.Type.TOTP)
    assert authenticator.data["secret"].startswith("enc:")  # sealed by the portal's MFA adapter
    assert not Authenticator.objects.filter(user__username__in=["qa", "agent"]).exists()


def test_loading_again_keeps_the_enrolment(demo_users):
    before = Authenticator.objects.get(user__username="admin").data["secret"]
    demo_users_create()
    assert Authenticator.objects.filter(user__username="admin").count() == 1
    assert Authenticator.objects.get(user__username="admin").data["secret"] == before


def test_demo_code_prints_a_code_allauth_accepts(demo_users):
    output = _code("supervisor.tokyo")
    code = output.strip()
    assert output == code + "\n" and len(code) == 6 and code.isdigit()
    authenticator = Authenticator.objects.get(user__username="supervisor.tokyo", type=Authenticator.Type.TOTP)
    assert TOTP(authenticator).validate_code(code)


def test_demo_code_signs_a_demo_admin_in(client, demo_users, settings):
    from demo.loader import demo_password

    response = client.post("/accounts/login/", {"login": "admin", "password": demo_password()})
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    response = client.post("/accounts/2fa/authenticate/", {"code": _code("admin").strip()})
    assert response.status_code == 302
    assert client.get("/api/v1/contacts/none").status_code == 404  # signed in, and no MFA refusal


def test_demo_code_refuses_a_login_the_demo_did_not_create(db):
    make_user("someone")
    with pytest.raises(CommandError, match="not a login the demo created"):
        _code("someone")
    with pytest.raises(CommandError, match="not a login the demo created"):
        _code("nobody")


def test_demo_code_refuses_a_demo_login_without_a_second_factor(demo_users):
    with pytest.raises(CommandError, match="without a second factor"):
        _code("qa")


def test_demo_code_refuses_in_production(demo_users, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="PORTAL_ENV=production"):
        _code("admin")
