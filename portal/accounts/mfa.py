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
    return is_mfa_enabled(user, types=[Authenticator.Type.TOTP])


def mfa_missing(user) -> bool:
    return mfa_required(user) and not mfa_enrolled(user)
