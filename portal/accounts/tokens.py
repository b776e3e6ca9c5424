"""API tokens: shown once, stored as SHA-256, revocable, with last use recorded."""

from __future__ import annotations

import hashlib
import secrets

from django.db.models import OuterRef
from django.utils import timezone

from portal.accounts.models import ApiToken, User, granted_permissions

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


def user_for_token(token: str) -> User | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = (
        # The group and permissions come along: the access rule reads them on nearly
        # every API request.
        ApiToken.objects.select_related("user", "user__hierarchy_group")
        .annotate(granted=granted_permissions(OuterRef("user_id")))
        .filter(token_hash=_digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if row is None:
        return None
    row.user._connect_permissions = frozenset(row.granted)
    # Recording every use would write on every request; a minute's precision is plenty.
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user
