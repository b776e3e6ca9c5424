"""Writes to accounts and security profiles. Each change is audited with before and after."""

from __future__ import annotations

from django.db import transaction

from hierarchy.models import Agent, HierarchyGroup
from portal.accounts import permissions as p
from portal.accounts.models import SecurityProfile, User
from portal.audit.services import audit_record


class AccountError(ValueError):
    """A request that names something that does not exist or is not allowed."""


def _user_snapshot(user: User) -> dict:
    return {
        "email": user.email,
        "profiles": sorted(user.security_profiles.values_list("name", flat=True)),
        "hierarchy_group": user.hierarchy_group.group_id if user.hierarchy_group_id else None,
        "agent": user.agent.username if user.agent_id else None,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
    }


def _profiles_named(names: list[str]) -> list[SecurityProfile]:
    found = {profile.name: profile for profile in SecurityProfile.objects.filter(name__in=names)}
    missing = sorted(set(names) - set(found))
    if missing:
        raise AccountError(f"Unknown security profile(s): {', '.join(missing)}")
    return [found[name] for name in names]


def _group(group_id: str | None) -> HierarchyGroup | None:
    if not group_id:
        return None
    group = HierarchyGroup.objects.filter(group_id=group_id).first()
    if group is None:
        raise AccountError(f"Unknown hierarchy group id: {group_id}")
    return group


def _agent(username: str | None) -> Agent | None:
    if not username:
        return None
    agents = list(Agent.objects.filter(username=username)[:2])
    if len(agents) != 1:
        raise AccountError(f"No single Connect agent with username {username!r} (found {len(agents)})")
    return agents[0]


@transaction.atomic
def user_create_or_update(
    *,
    username: str,
    profiles: list[str],
    password: str | None = None,
    email: str | None = None,
    group_id: str | None = None,
    agent_username: str | None = None,
    actor: User | None = None,
) -> tuple[User, bool]:
    """Create the user or update the given fields; unspecified optional fields are kept."""
    chosen = _profiles_named(profiles)
    group, agent = _group(group_id), _agent(agent_username)
    user, created = User.objects.get_or_create(username=username)
    before = None if created else _user_snapshot(user)
    if email is not None:
        user.email = email
    if group_id is not None:
        user.hierarchy_group = group
    if agent_username is not None:
        user.agent = agent
    if password:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.save()
    user.security_profiles.set(chosen)
    user._connect_permissions = None
    audit_record(
        action="user_change",
        actor=actor,
        details={"user": username, "created": created, "before": before, "after": _user_snapshot(user)},
    )
    return user, created


def profile_export(*, name: str) -> dict:
    profile = SecurityProfile.objects.filter(name=name).first()
    if profile is None:
        raise AccountError(f"Unknown security profile: {name}")
    return {"SecurityProfileName": profile.name, "Description": profile.description, "Permissions": profile.permissions}


def profile_validate(document: object) -> tuple[str, str, list[str]]:
    """(name, description, permissions) of a profile document, or AccountError saying what is wrong."""
    if not isinstance(document, dict):
        raise AccountError("A security profile must be a JSON object")
    name = document.get("SecurityProfileName")
    names = document.get("Permissions")
    if not isinstance(name, str) or not name.strip():
        raise AccountError("SecurityProfileName is missing")
    description = document.get("Description") or ""
    if not isinstance(description, str):
        raise AccountError(f"{name[:128]}: Description must be text")
    _check_text(name.strip(), "SecurityProfileName", SecurityProfile._meta.get_field("name").max_length)
    _check_text(description, f"{name[:128]}: Description", SecurityProfile._meta.get_field("description").max_length)
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise AccountError("Permissions must be a list of permission names")
    try:
        permissions = p.normalise(names)
    except p.UnknownPermission as exc:
        raise AccountError(f"{name[:128]}: {str(exc)[:500]}") from exc
    return name.strip(), description, permissions


def _check_text(value: str, field: str, max_length: int) -> None:
    """Refused here with the field's name, rather than by the database mid-import."""
    if len(value) > max_length:
        raise AccountError(f"{field} is longer than {max_length} characters")
    if "\x00" in value:
        raise AccountError(f"{field} contains a NUL character")


@transaction.atomic
def profile_import(*, document: object, actor: User | None = None) -> tuple[SecurityProfile, bool]:
    """Create or replace a profile from Connect's JSON; legacy names mapped, unknown names refused."""
    name, description, permissions = profile_validate(document)
    profile = SecurityProfile.objects.filter(name=name).first()
    before = list(profile.permissions) if profile else None
    created = profile is None
    if created:
        profile = SecurityProfile(name=name)
    profile.permissions = permissions
    profile.description = description or profile.description
    profile.save()
    audit_record(
        action="profile_change",
        actor=actor,
        details={"profile": name, "source": "import", "before": before, "after": permissions},
    )
    return profile, created


@transaction.atomic
def user_preferences_update(*, user: User, time_zone: str, language: str) -> None:
    user.time_zone, user.language = time_zone, language
    user.save(update_fields=["time_zone", "language"])


@transaction.atomic
def api_token_issue(*, user: User, name: str, request=None) -> str:
    """A new token for the user, returned once; only its hash is kept."""
    from portal.accounts.tokens import token_create

    token = token_create(user=user, name=name)
    audit_record(action="token_create", actor=user, request=request, details={"name": name, "prefix": token[:10]})
    return token


@transaction.atomic
def api_token_withdraw(*, user: User, token_id: int, request=None) -> bool:
    from portal.accounts.tokens import token_revoke

    revoked = token_revoke(token_id=token_id, user=user)
    if revoked:
        audit_record(action="token_revoke", actor=user, request=request, details={"token_id": token_id})
    return revoked


@transaction.atomic
def access_key_issue(*, user: User, expires_at=None, actor: User | None = None, request=None):
    """A new access key for the user; the secret is in the answer and nowhere else in clear."""
    from portal.accounts.access_keys import access_key_create

    issued = access_key_create(user=user, expires_at=expires_at)
    details = {"owner": user.username, "access_key_id": issued.access_key_id,
               "expires_at": expires_at.isoformat() if expires_at else None}  # fmt: skip
    audit_record(action="access_key_create", actor=actor or user, request=request, details=details)
    return issued


@transaction.atomic
def access_key_withdraw(*, access_key_id: str, user: User | None = None, actor: User | None = None, request=None):
    """Revoke a key (only `user`'s own when given); the revoked key, or None."""
    from portal.accounts.access_keys import access_key_revoke

    key = access_key_revoke(access_key_id=access_key_id, user=user)
    if key is not None:
        details = {"owner": key.user.username, "access_key_id": key.access_key_id}
        audit_record(action="access_key_revoke", actor=actor or user, request=request, details=details)
    return key
