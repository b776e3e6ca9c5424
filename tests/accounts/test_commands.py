"""`manage.py portal_user` and `manage.py security_profile` (INTERFACES §3)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from portal.accounts import permissions as p
from portal.accounts.models import SecurityProfile, User
from portal.accounts.tokens import user_for_token
from portal.audit.models import AuditEvent
from tests.factories import make_agent, make_group

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_portal_user_create_with_everything(monkeypatch):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "s3cret-enough-pw")
    group = make_group("Sales", level=1, group_id="grp-sales")
    make_agent("jdoe", group=group)
    run("portal_user", "create", "jane", "--profile", "CallCenterManager", "--profile", "QualityAnalyst",
        "--hierarchy-group", "grp-sales", "--agent", "jdoe", "--email", "jane@example.com")  # fmt: skip

    user = User.objects.get(username="jane")
    assert user.check_password("s3cret-enough-pw")
    assert user.email == "jane@example.com"
    assert user.hierarchy_group.group_id == "grp-sales"
    assert user.agent.username == "jdoe"
    assert set(user.security_profiles.values_list("name", flat=True)) == {"CallCenterManager", "QualityAnalyst"}
    event = AuditEvent.objects.get(action="user_change")
    assert event.details["created"] is True
    assert event.details["after"]["profiles"] == ["CallCenterManager", "QualityAnalyst"]


def test_portal_user_create_again_updates(monkeypatch):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "first-password-1")
    run("portal_user", "create", "sam", "--profile", "Agent")
    monkeypatch.delenv("PORTAL_USER_PASSWORD")
    monkeypatch.setattr("os.isatty", lambda fd: False)
    out = run("portal_user", "create", "sam", "--profile", "QualityAnalyst")
    user = User.objects.get(username="sam")
    assert "updated" in out
    assert list(user.security_profiles.values_list("name", flat=True)) == ["QualityAnalyst"]
    assert user.check_password("first-password-1")  # kept when no new password is given
    assert AuditEvent.objects.filter(action="user_change").latest("id").details["before"]["profiles"] == ["Agent"]


def test_portal_user_prompts_for_password(monkeypatch):
    monkeypatch.delenv("PORTAL_USER_PASSWORD", raising=False)
    monkeypatch.setattr("os.isatty", lambda fd: True)
    answers = iter(["typed-password-9", "typed-password-9"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    run("portal_user", "create", "tia", "--profile", "Agent")
    assert User.objects.get(username="tia").check_password("typed-password-9")


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--profile", "NoSuchProfile"], "Unknown security profile"),
        (["--profile", "Agent", "--hierarchy-group", "nope"], "Unknown hierarchy group"),
        (["--profile", "Agent", "--agent", "ghost"], "Connect agent"),
    ],
)
def test_portal_user_refuses_unknown_names(monkeypatch, extra, message):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "pw-long-enough-1")
    with pytest.raises(CommandError, match=message):
        run("portal_user", "create", "bad", *extra)
    assert not User.objects.filter(username="bad").exists()


def test_portal_user_needs_a_password_without_terminal(monkeypatch):
    monkeypatch.delenv("PORTAL_USER_PASSWORD", raising=False)
    monkeypatch.setattr("os.isatty", lambda fd: False)
    with pytest.raises(CommandError, match="PORTAL_USER_PASSWORD"):
        run("portal_user", "create", "nopw", "--profile", "Agent")


def test_portal_user_token_prints_only_the_token(monkeypatch):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "pw-long-enough-1")
    run("portal_user", "create", "api", "--profile", "QualityAnalyst")
    out = run("portal_user", "token", "api")
    token = out.strip()
    assert out == token + "\n" and " " not in token
    assert user_for_token(token).username == "api"
    with pytest.raises(CommandError):
        run("portal_user", "token", "nobody")


def test_security_profile_import_maps_legacy_and_implies_access(tmp_path):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps({
        "SecurityProfileName": "Reviewer",
        "Permissions": ["ContactSearch.View", "RedactedData.View", "CallRecordings.Unredacted.DownloadButton",
                        "DeleteCallRecordings"],
    }))  # fmt: skip
    out = run("security_profile", "import", str(path))
    assert "created security profile Reviewer" in out
    assert SecurityProfile.objects.get(name="Reviewer").permissions == sorted([
        p.CONTACT_SEARCH, p.RECORDINGS_REDACTED, p.TRANSCRIPTS_REDACTED, p.RECORDINGS_UNREDACTED_DOWNLOAD,
        p.RECORDINGS_UNREDACTED, p.DELETE_RECORDINGS,
    ])  # fmt: skip
    assert AuditEvent.objects.get(action="profile_change").details["before"] is None


def test_security_profile_import_refuses_unknown_names(tmp_path):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps({"SecurityProfileName": "Odd", "Permissions": ["ContactSearch.View", "Foo.Bar"]}))
    with pytest.raises(CommandError, match="Unknown permission name.*Foo.Bar"):
        run("security_profile", "import", str(path))
    assert not SecurityProfile.objects.filter(name="Odd").exists()


def test_security_profile_import_refuses_bad_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(CommandError, match="Cannot read"):
        run("security_profile", "import", str(path))
    with pytest.raises(CommandError, match="SecurityProfileName"):
        path.write_text(json.dumps({"Permissions": []}))
        run("security_profile", "import", str(path))


def test_security_profile_round_trip(tmp_path):
    exported = json.loads(run("security_profile", "export", "QualityAnalyst"))
    assert exported["SecurityProfileName"] == "QualityAnalyst"
    assert p.RECORDINGS_REDACTED in exported["Permissions"]
    exported["SecurityProfileName"] = "QA copy"
    path = tmp_path / "qa.json"
    path.write_text(json.dumps(exported))
    run("security_profile", "import", str(path))
    assert SecurityProfile.objects.get(name="QA copy").permissions == exported["Permissions"]
    with pytest.raises(CommandError, match="Unknown security profile"):
        run("security_profile", "export", "Nope")


def test_security_profile_import_updates_existing(tmp_path):
    path = tmp_path / "agent.json"
    path.write_text(json.dumps({"SecurityProfileName": "Agent", "Permissions": ["MyContacts.View"]}))
    assert "updated" in run("security_profile", "import", str(path))
    assert SecurityProfile.objects.get(name="Agent").permissions == [p.MY_CONTACTS]


def test_command_line_exit_status_is_non_zero_on_unknown_permission(tmp_path):
    import os
    import subprocess
    import sys

    from tests.databases import test_database_url

    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"SecurityProfileName": "X", "Permissions": ["Nope.View"]}))
    done = subprocess.run([sys.executable, "manage.py", "security_profile", "import", str(path)],
                          capture_output=True, text=True, env={**os.environ, "DATABASE_URL": test_database_url()})  # fmt: skip
    assert done.returncode != 0
    assert "Unknown permission name(s): Nope.View" in done.stderr
    assert "Traceback" not in done.stderr
    assert not SecurityProfile.objects.filter(name="X").exists()
