"""API access keys: an AWS-style key id and secret, so the AWS CLI and SDKs can sign
their calls to the portal with Signature Version 4.

The secret is shown once and stored encrypted with the instance key (portal.crypto),
bound to its key id: a signature can only be checked by recomputing it, so a hash of
the secret would not do.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from portal import crypto
from portal.accounts.models import AccessKey, User
from portal.accounts.tokens import USER_COLUMNS, USER_JOINS, user_loaded

KEY_ID_PREFIX = "PKIA"
KEY_ID_LENGTH = 20
SECRET_LENGTH = 40
# Letters only after the prefix: a run of digits would be blurred by the audit log's
# PII masking, and the key id must stay readable there.
_KEY_ID_ALPHABET = string.ascii_uppercase
_SECRET_ALPHABET = string.ascii_letters + string.digits
LAST_USE_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    """A new key as its owner sees it, once."""

    access_key_id: str
    secret: str
    expires_at: datetime | None


@dataclass(frozen=True)
class KeyHolder:
    """A key found by its id, with its user loaded as the access rule reads it."""

    pk: int
    access_key_id: str
    secret: str
    user: User
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def refusal(self, now: datetime) -> str | None:
        """Why this key may not be used now, or None."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        if not self.user.is_active:
            return "inactive"
        return None


def _context(access_key_id: str) -> str:
    # Binds the ciphertext to its key id: a secret copied onto another row cannot be read.
    return f"access-key:{access_key_id}"


def _new_key_id() -> str:
    body = "".join(secrets.choice(_KEY_ID_ALPHABET) for _ in range(KEY_ID_LENGTH - len(KEY_ID_PREFIX)))
    return KEY_ID_PREFIX + body


def access_key_create(*, user: User, expires_at: datetime | None = None) -> IssuedKey:
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    key_id = _new_key_id()
    AccessKey.objects.create(
        user=user,
        access_key_id=key_id,
        secret_enc=crypto.encrypt(secret.encode(), context=_context(key_id)),
        expires_at=expires_at,
    )
    return IssuedKey(key_id, secret, expires_at)


def access_key_revoke(*, access_key_id: str, user: User | None = None) -> AccessKey | None:
    """Revoke an active key (only the given user's, when one is given); the key, or None
    when there was nothing to revoke."""
    keys = AccessKey.objects.filter(access_key_id=access_key_id, revoked_at__isnull=True)
    if user is not None:
        keys = keys.filter(user=user)
    key = keys.select_related("user").first()
    if key is None or not keys.filter(pk=key.pk).update(revoked_at=timezone.now()):
        return None
    return key


_KEY_USER_SQL = f"""
    SELECT {USER_COLUMNS}, k.id AS key_pk, k.secret_enc AS key_secret_enc, k.expires_at AS key_expires_at,
           k.revoked_at AS key_revoked_at, k.last_used_at AS key_last_used_at
      FROM {AccessKey._meta.db_table} k
      {USER_JOINS.format(owner="k")}
     WHERE k.access_key_id = %s
"""


def access_key_lookup(access_key_id: str) -> KeyHolder | None:
    """The key and its user in one query, whatever the key's state: the caller decides
    what a revoked or expired key is told, after checking the signature."""
    if len(access_key_id) != KEY_ID_LENGTH or not access_key_id.isalnum():
        return None
    user = next(iter(User.objects.raw(_KEY_USER_SQL, [access_key_id])), None)
    if user is None:
        return None
    user_loaded(user)
    secret = crypto.decrypt(bytes(user.key_secret_enc), context=_context(access_key_id)).decode()
    return KeyHolder(
        pk=user.key_pk,
        access_key_id=access_key_id,
        secret=secret,
        user=user,
        expires_at=user.key_expires_at,
        revoked_at=user.key_revoked_at,
        last_used_at=user.key_last_used_at,
    )


def access_key_touch(holder: KeyHolder, now: datetime) -> None:
    """Record the use at most once a minute per key; the condition keeps concurrent
    requests from writing the same minute twice."""
    if holder.last_used_at is not None and now - holder.last_used_at < LAST_USE_PRECISION:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USE_PRECISION)
    AccessKey.objects.filter(stale, pk=holder.pk).update(last_used_at=now)
