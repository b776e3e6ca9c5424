"""MFA is required before first use for holders of unredacted or delete permissions."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.urls import reverse

from portal.accounts import permissions as p
from portal.accounts.mfa import mfa_missing, mfa_required
from portal.accounts.tokens import token_create
from portal.audit.models import AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
ACTIVATE = "/accounts/2fa/totp/activate/"


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.mark.parametrize(
    "permissions, required",
    [
        ([p.RECORDINGS_UNREDACTED], True),
        ([p.TRANSCRIPTS_UNREDACTED], True),
        ([p.DELETE_RECORDINGS], True),
        ([p.CONTACT_SEARCH, p.RECORDINGS_REDACTED, p.RECORDINGS_REDACTED_DOWNLOAD, p.TRANSCRIPTS_REDACTED], False),
        ([], False),
    ],
)
def test_who_must_use_mfa(permissions, required):
    assert mfa_required(make_user("u", permissions=permissions)) is required


@pytest.mark.parametrize("profile, required", [("Admin", True), ("CallCenterManager", True),
                                               ("QualityAnalyst", False), ("Agent", False)])  # fmt: skip
def test_default_profiles(profile, required):
    assert mfa_required(make_user("u", profiles=[profile])) is required


def test_pages_redirect_to_enrolment_until_totp_is_active(client):
    user = make_user("manager", profiles=["CallCenterManager"])
    client.force_login(user)
    for path in ("/", "/account/", "/audit/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == ACTIVATE, path
    # allauth's own pages stay reachable (force_login leaves no sign-in record, so allauth
    # first asks for the password again: no redirect loop back to the enrolment page).
    activate = client.get(ACTIVATE)
    assert activate.status_code == 200 or activate["Location"].startswith("/accounts/reauthenticate/")
    assert client.get("/accounts/reauthenticate/").status_code == 200

    TOTP.activate(user, generate_totp_secret())
    assert client.get("/account/").status_code == 200


def test_users_without_sensitive_permissions_are_not_redirected(client):
    client.force_login(make_user("qa", profiles=["QualityAnalyst"]))
    assert client.get("/account/").status_code == 200


def test_api_token_refused_until_mfa_enrolled(client):
    user = make_user("api-admin", profiles=["Admin"])
    token = token_create(user=user)
    headers = {"Authorization": f"Bearer {token}"}
    refused = client.get("/api/v1/audit-events", headers=headers)
    assert refused.status_code == 403
    assert refused["x-amzn-ErrorType"] == "AccessDeniedException"
    assert "multi-factor" in refused.json()["Message"]

    TOTP.activate(user, generate_totp_secret())
    assert client.get("/api/v1/audit-events", headers=headers).status_code == 200


def test_enrolment_flow_stores_an_encrypted_secret_and_recovery_codes(client, django_capture_on_commit_callbacks):
    user = make_user("enrol", profiles=["CallCenterManager"])
    client.post("/accounts/login/", {"login": "enrol", "password": PASSWORD})
    page = client.get(ACTIVATE)
    secret = page.context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):  # allauth signals enrolment after commit
        response = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_view_recovery_codes")

    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]
    assert secret not in stored and stored.startswith("enc:")
    assert TOTP(Authenticator.objects.get(user=user, type="totp")).validate_code(totp_code(secret)) is True
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert not mfa_missing(user)
    assert AuditEvent.objects.filter(action="mfa_added", actor_id=user.pk).exists()
    assert client.get("/account/").status_code == 200


def test_login_with_mfa_asks_for_the_code(client):
    user = make_user("twofactor", profiles=["CallCenterManager"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = client.post("/accounts/login/", {"login": "twofactor", "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert int(client.session["_auth_user_id"]) == user.pk
    assert list(AuditEvent.objects.filter(actor_id=user.pk).values_list("action", flat=True).order_by("id")) == [
        "mfa_failed", "mfa_used", "login",
    ]  # fmt: skip


def test_api_paths_get_a_json_refusal_not_a_redirect(client):
    user = make_user("api-manager", profiles=["CallCenterManager"])
    token = token_create(user=user)
    for headers in ({"Authorization": f"Bearer {token}"}, {}):
        if not headers:
            client.force_login(user)
        response = client.get("/api/v1/anything-at-all", headers=headers)
        assert response.status_code == 403, headers
        assert response["x-amzn-ErrorType"] == "AccessDeniedException"
