"""Access keys are managed from `manage.py portal_user access-key`, the admin and the
user's own account page; the secret is shown once and kept encrypted."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from portal.accounts import permissions as p
from portal.accounts.models import AccessKey
from portal.audit.models import AuditEvent
from tests.api.conftest import send, signed
from tests.factories import make_user

pytestmark = pytest.mark.django_db

KEY_LINES = re.compile(r"\AAWS_ACCESS_KEY_ID=(PKIA[A-Z]{16})\nAWS_SECRET_ACCESS_KEY=([A-Za-z0-9]{40})\n\Z")


def command(*args: str) -> str:
    out = StringIO()
    call_command("portal_user", *args, stdout=out)
    return out.getvalue()


def works(key_id: str, secret: str) -> int:
    request = signed("POST", "/api/v1/search-contacts", key_id=key_id, secret=secret,
                     body=b'{"TimeRange": {"Type": "INITIATION_TIMESTAMP", "StartTime": 1, "EndTime": 2}}')  # fmt: skip
    return send(request).status_code


def test_create_list_and_revoke_from_the_command_line():
    make_user("integrator", permissions=[p.CONTACT_SEARCH])
    printed = command("access-key", "create", "integrator")
    key_id, secret = KEY_LINES.match(printed).groups()
    assert works(key_id, secret) == 200
    listing = command("access-key", "list", "integrator")
    assert key_id in listing and "yes" in listing and secret not in listing
    assert command("access-key", "revoke", key_id).startswith(f"revoked {key_id}")
    assert works(key_id, secret) == 403
    assert re.search(rf"{key_id}\s.*\bno$", command("access-key", "list", "integrator"), re.M)
    with pytest.raises(CommandError):
        command("access-key", "revoke", key_id)
    actions = list(AuditEvent.objects.filter(action__startswith="access_key").values_list("action", flat=True))
    assert sorted(actions) == ["access_key_create", "access_key_revoke"]
    assert secret not in str(list(AuditEvent.objects.values_list("details", flat=True)))


def test_a_key_can_expire():
    make_user("temp", permissions=[p.CONTACT_SEARCH])
    command("access-key", "create", "temp", "--expires-in-days", "7")
    key = AccessKey.objects.get()
    assert abs((key.expires_at - key.created_at).total_seconds() - 7 * 86400) < 60


def test_unknown_or_inactive_users_get_no_key():
    with pytest.raises(CommandError):
        command("access-key", "create", "nobody-here")
    user = make_user("left")
    user.is_active = False
    user.save(update_fields=["is_active"])
    with pytest.raises(CommandError):
        command("access-key", "create", "left")


def test_the_account_page_creates_shows_once_and_revokes(client):
    user = make_user("lena", permissions=[p.CONTACT_SEARCH])
    client.force_login(user)
    page = client.post("/account/access-keys/", {"expires_in_days": ""}).content.decode()
    key_id, secret = re.search(r"AWS_ACCESS_KEY_ID=(\w+)\nAWS_SECRET_ACCESS_KEY=(\w+)", page).groups()
    assert works(key_id, secret) == 200
    again = client.get("/account/").content.decode()
    assert key_id in again and secret not in again
    assert client.post(f"/account/access-keys/{key_id}/revoke/").status_code == 302
    assert works(key_id, secret) == 403


def test_the_account_page_revokes_only_ones_own_keys(client):
    from portal.accounts.access_keys import access_key_create

    other = access_key_create(user=make_user("other", permissions=[p.CONTACT_SEARCH]))
    client.force_login(make_user("lena"))
    client.post(f"/account/access-keys/{other.access_key_id}/revoke/")
    assert AccessKey.objects.get().revoked_at is None


def test_the_admin_creates_for_a_user_and_revokes(client):
    admin = make_user("boss", permissions=[p.USERS_VIEW, p.USERS_EDIT])
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    target = make_user("integrator", permissions=[p.CONTACT_SEARCH])
    client.force_login(admin)
    assert client.get("/admin/accounts/accesskey/add/").status_code == 200
    page = client.post("/admin/accounts/accesskey/add/", {"user": target.pk}).content.decode()
    key_id, secret = re.search(r"AWS_ACCESS_KEY_ID=(\w+)\nAWS_SECRET_ACCESS_KEY=(\w+)", page).groups()
    assert AccessKey.objects.get().user == target
    listing = client.get("/admin/accounts/accesskey/").content.decode()
    assert key_id in listing and secret not in listing
    detail = client.get(f"/admin/accounts/accesskey/{AccessKey.objects.get().pk}/change/").content.decode()
    assert secret not in detail
    client.post("/admin/accounts/accesskey/", {"action": "revoke", "_selected_action": [AccessKey.objects.get().pk]})
    assert AccessKey.objects.get().revoked_at is not None
    event = AuditEvent.objects.filter(action="access_key_revoke").get()
    assert event.actor == admin and event.details["access_key_id"] == key_id


def test_the_admin_page_needs_users_edit_to_create(client):
    viewer = make_user("viewer", permissions=[p.USERS_VIEW])
    viewer.is_staff = True
    viewer.save(update_fields=["is_staff"])
    client.force_login(viewer)
    assert client.get("/admin/accounts/accesskey/").status_code == 200
    assert client.get("/admin/accounts/accesskey/add/").status_code == 403
