"""Admin pages: open only to staff holding the matching Connect permission, and every
change audited with before and after."""

from __future__ import annotations

import io
import json

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from hierarchy.models import HierarchyGroup
from portal.accounts import permissions as p
from portal.accounts.models import ApiToken, SecurityProfile, User
from portal.accounts.tokens import token_create
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from search.models import SearchableAttributeKey
from tests.factories import make_agent, make_group, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def staff(username: str, *permissions: str, mfa: bool = False) -> User:
    user = make_user(username, permissions=list(permissions))
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    if mfa:
        TOTP.activate(user, generate_totp_secret())
    return user


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


PAGES = {
    "/admin/accounts/user/": p.USERS_VIEW,
    "/admin/accounts/securityprofile/": p.SECURITY_PROFILES_VIEW,
    "/admin/accounts/apitoken/": p.USERS_VIEW,
    "/admin/hierarchy/hierarchygroup/": p.HIERARCHY_VIEW,
    "/admin/hierarchy/agent/": p.USERS_VIEW,
    "/admin/search/searchableattributekey/": p.CONFIGURE_ATTRIBUTES,
    "/admin/audit/auditevent/": p.HISTORICAL_CHANGES,
}


@pytest.mark.parametrize(("url", "permission"), PAGES.items())
def test_each_page_needs_its_connect_permission(client, url, permission):
    client.force_login(staff("bare", p.CONTACT_SEARCH))
    assert client.get(url).status_code == 403
    client.force_login(staff("holder", permission))
    assert client.get(url).status_code == 200


def test_superuser_without_profiles_gets_nothing(client):
    root = User.objects.create_superuser("root", "root@example.com", "pw-long-enough-1")
    client.force_login(root)
    assert client.get("/admin/accounts/user/").status_code == 403


def test_non_staff_with_admin_profile_is_sent_to_the_admin_login(client):
    user = make_user("no-staff", profiles=["Admin"])
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_index_lists_only_permitted_models(client):
    client.force_login(staff("viewer", p.HIERARCHY_VIEW))
    page = client.get("/admin/").content.decode()
    assert "/admin/hierarchy/hierarchygroup/" in page
    assert "/admin/accounts/user/" not in page
    assert "/admin/auth/group/" not in page


def test_view_permission_cannot_change(client):
    target = make_user("target")
    client.force_login(staff("viewer", p.USERS_VIEW))
    url = f"/admin/accounts/user/{target.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"username": "renamed"}).status_code == 403
    assert User.objects.get(pk=target.pk).username == "target"


def _user_form(user: User, **changes) -> dict:
    data = {
        "username": user.username, "email": user.email, "first_name": "", "last_name": "",
        "security_profiles": [sp.pk for sp in user.security_profiles.all()],
        "hierarchy_group": user.hierarchy_group_id or "", "agent": user.agent_id or "",
        "time_zone": user.time_zone, "language": user.language, "is_active": "on",
        "last_login_0": "", "last_login_1": "", "date_joined_0": "2026-11-01", "date_joined_1": "09:00:00",
    }  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_user_change_is_audited_with_before_and_after(client):
    east = make_group("East", level=1)
    target = make_user("target", profiles=["Agent"])
    editor = staff("editor", p.USERS_EDIT)
    client.force_login(editor)
    qa = SecurityProfile.objects.get(name="QualityAnalyst")
    response = client.post(
        f"/admin/accounts/user/{target.pk}/change/",
        _user_form(target, security_profiles=[qa.pk], hierarchy_group=east.pk),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    target = User.objects.get(pk=target.pk)
    assert list(target.security_profiles.values_list("name", flat=True)) == ["QualityAnalyst"]
    (event,) = events("user_change")
    assert event.actor_username == "editor"
    assert event.details["object"] == "target"
    assert event.details["before"] == {"security_profiles": ["Agent"], "hierarchy_group": None}
    assert event.details["after"] == {"security_profiles": ["QualityAnalyst"], "hierarchy_group": "East"}


def test_only_a_superuser_can_grant_superuser(client):
    target = make_user("target")
    client.force_login(staff("editor", p.USERS_EDIT))
    client.post(f"/admin/accounts/user/{target.pk}/change/", _user_form(target, is_superuser="on", is_staff="on"))
    target.refresh_from_db()
    assert target.is_staff and not target.is_superuser


def test_user_creation_and_password_change_are_audited(client):
    client.force_login(staff("editor", p.USERS_EDIT))
    response = client.post("/admin/accounts/user/add/", {
        "username": "newbie", "email": "newbie@example.com", "usable_password": "true",
        "password1": "a-long-secret-pass-42", "password2": "a-long-secret-pass-42",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    newbie = User.objects.get(username="newbie")
    response = client.post(f"/admin/accounts/user/{newbie.pk}/password/", {
        "usable_password": "true", "password1": "another-long-pass-43", "password2": "another-long-pass-43",
    })  # fmt: skip
    assert response.status_code == 302
    added, password = events("user_change")
    assert added.details["operation"] == "add" and added.details["after"]["username"] == "newbie"
    assert password.details["operation"] == "change"
    assert "password" not in json.dumps(added.details).lower().replace("usable_password", "")
    assert "another-long-pass" not in json.dumps(password.details)


def test_reset_mfa_action(client):
    target = make_user("target")
    TOTP.activate(target, generate_totp_secret())
    client.force_login(staff("editor", p.USERS_EDIT))
    response = client.post(
        "/admin/accounts/user/", {"action": "reset_mfa", "_selected_action": [target.pk], "index": 0}
    )
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=target).exists()
    assert events("mfa_reset")[0].details == {"user": "target", "removed": 1}


# --- Security profiles ------------------------------------------------------------------


def test_profile_form_shows_connect_sections_and_console_names(client):
    client.force_login(staff("sec", p.SECURITY_PROFILES_EDIT))
    page = client.get("/admin/accounts/securityprofile/add/").content.decode()
    for section in ("Analytics and Optimization", "Users and permissions", "Recordings and transcripts"):
        assert f"<h2>{section}</h2>" in page
    assert "Call recordings (unredacted) – Enable download button" in page
    assert 'value="CallRecordings.Unredacted.DownloadButton"' in page
    assert page.count('type="checkbox" name="permissions"') == len(p.CATALOGUE)


def test_profile_edit_adds_implied_access_and_is_audited(client):
    client.force_login(staff("sec", p.SECURITY_PROFILES_EDIT))
    response = client.post("/admin/accounts/securityprofile/add/", {
        "name": "Reviewers", "description": "",
        "permissions": [p.CONTACT_SEARCH, p.RECORDINGS_UNREDACTED_DOWNLOAD],
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    profile = SecurityProfile.objects.get(name="Reviewers")
    assert profile.permissions == sorted([p.CONTACT_SEARCH, p.RECORDINGS_UNREDACTED_DOWNLOAD, p.RECORDINGS_UNREDACTED])

    response = client.post(f"/admin/accounts/securityprofile/{profile.pk}/change/", {
        "name": "Reviewers", "description": "QA", "permissions": [p.CONTACT_SEARCH],
    })  # fmt: skip
    assert response.status_code == 302
    added, edited = events("profile_change")
    assert added.details["operation"] == "add"
    assert edited.details["before"] == {
        "description": "",
        "permissions": sorted([p.CONTACT_SEARCH, p.RECORDINGS_UNREDACTED_DOWNLOAD, p.RECORDINGS_UNREDACTED]),
    }
    assert edited.details["after"] == {"description": "QA", "permissions": [p.CONTACT_SEARCH]}


def test_profile_delete_is_audited(client):
    doomed = SecurityProfile.objects.create(name="Doomed", permissions=[p.MY_CONTACTS])
    client.force_login(staff("sec", p.SECURITY_PROFILES_EDIT))
    response = client.post(f"/admin/accounts/securityprofile/{doomed.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    (event,) = events("profile_change")
    assert event.details["operation"] == "delete"
    assert event.details["before"]["permissions"] == [p.MY_CONTACTS]


def test_profile_export_in_connects_shape(client):
    client.force_login(staff("sec", p.SECURITY_PROFILES_VIEW))
    agent = SecurityProfile.objects.get(name="Agent")
    response = client.post(
        "/admin/accounts/securityprofile/", {"action": "export_json", "_selected_action": [agent.pk], "index": 0}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Agent.json"'
    document = json.loads(response.content)
    assert document["SecurityProfileName"] == "Agent"
    assert sorted(document["Permissions"]) == sorted(agent.permissions)


def _upload(document) -> io.BytesIO:
    upload = io.BytesIO(json.dumps(document).encode())
    upload.name = "profile.json"
    return upload


def test_profile_import_maps_legacy_names(client):
    client.force_login(staff("sec", p.SECURITY_PROFILES_EDIT))
    document = {"SecurityProfileName": "Legacy", "Permissions": ["ContactSearch.View", "ListenCallRecordings"]}
    response = client.post("/admin/accounts/securityprofile/import/", {"file": _upload(document)})
    assert response.status_code == 302
    assert SecurityProfile.objects.get(name="Legacy").permissions == sorted(
        [p.CONTACT_SEARCH, p.RECORDINGS_UNREDACTED, p.TRANSCRIPTS_UNREDACTED]
    )


def test_profile_import_refuses_unknown_names_all_or_nothing(client):
    client.force_login(staff("sec", p.SECURITY_PROFILES_EDIT))
    documents = [
        {"SecurityProfileName": "Fine", "Permissions": ["ContactSearch.View"]},
        {"SecurityProfileName": "Broken", "Permissions": ["ContactSearch.View", "Telepathy.Use"]},
    ]
    response = client.post("/admin/accounts/securityprofile/import/", {"file": _upload(documents)})
    assert response.status_code == 200
    assert "Telepathy.Use" in response.content.decode()
    assert not SecurityProfile.objects.filter(name__in=["Fine", "Broken"]).exists()


def test_profile_import_needs_edit(client):
    client.force_login(staff("sec", p.SECURITY_PROFILES_VIEW))
    document = {"SecurityProfileName": "Sneaky", "Permissions": ["ContactSearch.View"]}
    assert client.post("/admin/accounts/securityprofile/import/", {"file": _upload(document)}).status_code == 403
    assert not SecurityProfile.objects.filter(name="Sneaky").exists()


# --- Hierarchy, agents, tokens, searchable keys, audit log ------------------------------------


def test_hierarchy_group_create_edit_levels_and_audit(client):
    top = make_group("Tokyo", level=1)
    creator = staff("grouper", p.HIERARCHY_CREATE, p.HIERARCHY_EDIT)
    client.force_login(creator)
    response = client.post(
        "/admin/hierarchy/hierarchygroup/add/", {"name": "Sales", "group_id": "g-sales", "arn": "", "parent": top.pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    sales = HierarchyGroup.objects.get(group_id="g-sales")
    assert sales.level == 2
    # A group cannot become its own descendant.
    response = client.post(
        f"/admin/hierarchy/hierarchygroup/{top.pk}/change/",
        {"name": "Tokyo", "group_id": top.group_id, "arn": "", "parent": sales.pk},
    )
    assert response.status_code == 200 and "cannot sit below itself" in response.content.decode()
    response = client.post(
        f"/admin/hierarchy/hierarchygroup/{sales.pk}/change/",
        {"name": "Sales & Marketing", "group_id": "g-sales", "arn": "", "parent": top.pk},
    )
    assert response.status_code == 302
    added, edited = events("group_change")
    assert added.details["after"]["parent"] == "Tokyo"
    assert edited.details["before"] == {"name": "Sales"} and edited.details["after"] == {"name": "Sales & Marketing"}


def test_hierarchy_depth_is_capped(client):
    parent = None
    for level in range(1, 6):
        parent = make_group(f"L{level}", level=level, parent=parent)
    client.force_login(staff("grouper", p.HIERARCHY_CREATE))
    response = client.post(
        "/admin/hierarchy/hierarchygroup/add/", {"name": "L6", "group_id": "g-6", "arn": "", "parent": parent.pk}
    )
    assert response.status_code == 200
    assert not HierarchyGroup.objects.filter(group_id="g-6").exists()


def test_hierarchy_create_without_edit_cannot_change(client):
    group = make_group("Tokyo", level=1)
    client.force_login(staff("creator", p.HIERARCHY_CREATE))
    url = f"/admin/hierarchy/hierarchygroup/{group.pk}/change/"
    assert client.post(url, {"name": "Renamed", "group_id": group.group_id, "parent": ""}).status_code == 403


def test_agent_group_change_is_audited(client):
    old, new = make_group("Old", level=1), make_group("New", level=1)
    agent = make_agent("yamada", group=old)
    client.force_login(staff("editor", p.USERS_EDIT))
    response = client.post(
        f"/admin/hierarchy/agent/{agent.pk}/change/",
        {"first_name": "Taro", "last_name": "Yamada", "hierarchy_group": new.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    (event,) = events("user_change")
    assert event.details["before"] == {"first_name": "", "last_name": "", "hierarchy_group": "Old"}
    assert event.details["after"] == {"first_name": "Taro", "last_name": "Yamada", "hierarchy_group": "New"}


def test_token_list_hides_hashes_and_revoke_is_audited(client):
    owner = make_user("owner")
    token = token_create(user=owner, name="reporting")
    row = ApiToken.objects.get(user=owner)
    client.force_login(staff("viewer", p.USERS_VIEW))
    page = client.get("/admin/accounts/apitoken/").content.decode()
    assert row.prefix in page and row.token_hash not in page and token not in page
    assert client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [row.pk]}).status_code in (
        200, 403,
    )  # fmt: skip
    assert ApiToken.objects.get(pk=row.pk).revoked_at is None

    client.force_login(staff("editor", p.USERS_EDIT))
    response = client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [row.pk], "index": 0})
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=row.pk).revoked_at is not None
    assert events("token_revoke")[0].details == {"token_prefix": row.prefix, "owner": "owner", "by": "admin"}
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403


def test_searchable_attribute_keys(client):
    client.force_login(staff("configurer", p.CONFIGURE_ATTRIBUTES))
    assert client.post("/admin/search/searchableattributekey/add/", {"key": "CustomerTier"}).status_code == 302
    assert SearchableAttributeKey.objects.filter(key="CustomerTier").exists()
    assert events("searchable_attribute_change")[0].details["after"] == {"key": "CustomerTier"}


def test_audit_events_are_read_only_in_admin(client):
    event = audit_record(action="login", details={"note": "x"})
    client.force_login(staff("auditor", p.HISTORICAL_CHANGES, p.USERS_EDIT))
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"action": "logout"}).status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "login"


def test_allauth_pages_follow_connect_permissions(client):
    target = make_user("target")
    TOTP.activate(target, generate_totp_secret())
    authenticator = Authenticator.objects.get(user=target)
    root = User.objects.create_superuser("root", "root@example.com", "pw-long-enough-1")
    client.force_login(root)
    assert client.get("/admin/mfa/authenticator/").status_code == 403
    assert client.get("/admin/socialaccount/socialtoken/").status_code == 404

    client.force_login(staff("viewer", p.USERS_VIEW))
    assert client.get("/admin/mfa/authenticator/").status_code == 200
    assert client.get("/admin/socialaccount/socialapp/").status_code == 403
    assert client.post(f"/admin/mfa/authenticator/{authenticator.pk}/delete/", {"post": "yes"}).status_code == 403

    client.force_login(staff("editor", p.USERS_EDIT))
    assert client.post(f"/admin/mfa/authenticator/{authenticator.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Authenticator.objects.filter(pk=authenticator.pk).exists()
    (event,) = events("user_change")
    assert event.details["model"] == "authenticator" and event.details["operation"] == "delete"
