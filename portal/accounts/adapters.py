"""allauth behaviour, changed only through its adapters."""

from __future__ import annotations

import base64
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings

from portal import crypto


class PortalAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Invite-only: administrators create accounts.
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        required = super().is_reauthentication_required(app=app, **kwargs)
        # Enrolment is forced right after sign-in; asking for the password a second time
        # then adds nothing. Changing an existing second factor still needs it.
        if required and app == "allauth.mfa" and self._first_enrolment_after_fresh_login():
            return False
        return required

    def _first_enrolment_after_fresh_login(self) -> bool:
        from allauth.account.internal.flows.login import get_authentication_records
        from allauth.mfa.models import Authenticator

        request = getattr(self, "request", None)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or Authenticator.objects.filter(user=user).exists():
            return False
        records = get_authentication_records(request, user)
        latest = max((r.get("at", 0) for r in records), default=0)
        return time.time() - latest < account_settings.REAUTHENTICATION_TIMEOUT


class PortalSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return bool(settings.SOCIALACCOUNT_AUTO_SIGNUP)


class PortalMFAAdapter(DefaultMFAAdapter):
    """TOTP secrets are encrypted with the instance key (allauth stores plaintext by default)."""

    _MARK = "enc:"

    def encrypt(self, text: str) -> str:
        sealed = crypto.encrypt(text.encode(), context="mfa-secret")
        return self._MARK + base64.b64encode(sealed).decode()

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(self._MARK):
            return encrypted_text
        sealed = base64.b64decode(encrypted_text.removeprefix(self._MARK))
        return crypto.decrypt(sealed, context="mfa-secret").decode()
