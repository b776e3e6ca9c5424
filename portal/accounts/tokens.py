"""API tokens: shown once, stored as SHA-256, revocable, with last use recorded."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from hierarchy.models import HierarchyGroup
from portal.accounts.mfa import ENROLLED_SQL, mfa_enrolled_known
from portal.accounts.models import ApiToken, SecurityProfile, User

TOKEN_PREFIX = "cpt_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(*, user: User, name: str = "") -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=token[:10], token_hash=_digest(token))
    return token


def token_revoke(*, token_id: int, user: User) -> bool:
    return bool(
        ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    )


# The token, its user, the user's hierarchy group, the permissions of all their
# profiles (the rule of `granted_permissions`, which the tests hold this to) and whether
# they enrolled in MFA, in one statement written out: composing the same query through
# the ORM took ~5 ms on every API request, ten times what PostgreSQL takes to answer it.
# Access keys (portal.accounts.access_keys) load their user with the same columns.
_GROUP_FIELDS = ("id", "group_id", "arn", "name", "level", "parent_id", "updated_at")
USER_COLUMNS = f"""
    u.*,
    ARRAY(SELECT unnest(sp.permissions)
            FROM {SecurityProfile._meta.db_table} sp
            JOIN {User.security_profiles.through._meta.db_table} usp ON usp.securityprofile_id = sp.id
           WHERE usp.user_id = u.id) AS granted,
    {ENROLLED_SQL.format(user_table="u")} AS loaded_mfa_enrolled,
    {", ".join(f"g.{name} AS hg_{name}" for name in _GROUP_FIELDS)}
"""
USER_JOINS = f"""
    JOIN {User._meta.db_table} u ON u.id = {{owner}}.user_id
    LEFT JOIN {HierarchyGroup._meta.db_table} g ON g.id = u.hierarchy_group_id
"""
_TOKEN_USER_SQL = f"""
    SELECT {USER_COLUMNS}, t.id AS token_pk, t.last_used_at AS token_last_used_at
      FROM {ApiToken._meta.db_table} t
      {USER_JOINS.format(owner="t")}
     WHERE t.token_hash = %s AND t.revoked_at IS NULL AND u.is_active
"""


def user_loaded(user: User) -> User:
    """Attach what a `USER_COLUMNS` row carries (permissions, group, MFA enrolment) the
    way the access rule and the MFA check read them: they ask on nearly every request."""
    user._connect_permissions = frozenset(user.granted)
    group = None
    if user.hg_id is not None:
        values = [getattr(user, f"hg_{name}") for name in _GROUP_FIELDS]
        group = HierarchyGroup.from_db(user._state.db, _GROUP_FIELDS, values)
    User.hierarchy_group.field.set_cached_value(user, group)
    mfa_enrolled_known(user, user.loaded_mfa_enrolled)
    return user


def user_for_token(token: str) -> User | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    user = next(iter(User.objects.raw(_TOKEN_USER_SQL, [_digest(token)])), None)
    if user is None:
        return None
    user_loaded(user)
    # Recording every use would write on every request; a minute's precision is plenty.
    now = timezone.now()
    if user.token_last_used_at is None or (now - user.token_last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=user.token_pk).update(last_used_at=now)
    return user
