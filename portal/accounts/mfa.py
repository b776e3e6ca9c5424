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


def mfa_enrolled(user) -> bool:
    # Asked by the middleware and again by the API wrapper; a user object lives for one
    # request, so remembering the answer on it saves a query without going stale.
    known = getattr(user, "_portal_mfa_enrolled", None)
    if known is None:
        known = user._portal_mfa_enrolled = is_mfa_enabled(user, types=[Authenticator.Type.TOTP])
    return known


def mfa_missing(user) -> bool:
    return mfa_required(user) and not mfa_enrolled(user)
