"""Who must use multi-factor authentication, and whether they have enrolled."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.utils.translation import gettext_lazy as _

from portal.accounts.permissions import MFA_REQUIRED_FOR

API_REFUSAL = _("Your permissions require multi-factor authentication: enrol in the portal first.")


def mfa_required(user) -> bool:
    """Holders of unredacted or destructive permissions must prove a second factor."""
    if user is None or not user.is_authenticated:
        return False
    return bool(user.connect_permissions & MFA_REQUIRED_FOR)


# Enrolled means holding a TOTP authenticator: `mfa_enrolled` asks allauth, and a loader
# that reads the user in one statement (the API token's) asks this, `user_table` being
# the alias of the user's table in its query.
ENROLLED_SQL = (
    f"EXISTS (SELECT 1 FROM {Authenticator._meta.db_table} mfa_a "
    f"WHERE mfa_a.user_id = {{user_table}}.id AND mfa_a.type = '{Authenticator.Type.TOTP.value}')"
)


def mfa_enrolled(user) -> bool:
    # Asked by the middleware and again by the API wrapper; a user object lives for one
    # request, so remembering the answer on it saves a query without going stale.
    known = getattr(user, "_portal_mfa_enrolled", None)
    if known is None:
        known = user._portal_mfa_enrolled = is_mfa_enabled(user, types=[Authenticator.Type.TOTP])
    return known


def mfa_enrolled_known(user, enrolled: bool) -> None:
    """Record what a loader read with `ENROLLED_SQL`, so `mfa_enrolled` asks no more."""
    user._portal_mfa_enrolled = bool(enrolled)


def mfa_missing(user) -> bool:
    return mfa_required(user) and not mfa_enrolled(user)
