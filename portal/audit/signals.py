"""Sign-in events into the audit log: login, logout, failed login and MFA changes."""

from __future__ import annotations

import hashlib

from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from portal.audit.services import audit_record


def session_mark(request) -> str:
    """A stable, non-secret name for the session, so the report can pair login and logout."""
    key = getattr(getattr(request, "session", None), "session_key", None) or ""
    return hashlib.sha256(key.encode()).hexdigest()[:16] if key else ""


@receiver(auth_signals.user_logged_in, dispatch_uid="audit_login")
def on_login(sender, request, user, **kwargs) -> None:
    audit_record(action="login", actor=user, request=request, details={"session": session_mark(request)})


@receiver(auth_signals.user_logged_out, dispatch_uid="audit_logout")
def on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(action="logout", actor=user, request=request, details={"session": session_mark(request)})


@receiver(auth_signals.user_login_failed, dispatch_uid="audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already replaced the password with stars; keep only what was typed as the login.
    attempted = credentials.get("username") or credentials.get("email") or ""
    audit_record(action="login_failed", request=request, details={"login": str(attempted)[:150]})


def _mfa_event(action: str):
    def handler(sender, request=None, user=None, authenticator=None, **kwargs) -> None:
        kind = getattr(authenticator, "type", "")
        audit_record(action=action, actor=user, request=request, details={"authenticator": kind})

    return handler


_MFA_SIGNALS = {
    "mfa_added": mfa_signals.authenticator_added,
    "mfa_removed": mfa_signals.authenticator_removed,
    "mfa_reset": mfa_signals.authenticator_reset,
    "mfa_used": mfa_signals.authenticator_used,
    "mfa_failed": mfa_signals.authentication_failed,
}
_HANDLERS = {action: _mfa_event(action) for action in _MFA_SIGNALS}
for _action, _signal in _MFA_SIGNALS.items():
    _signal.connect(_HANDLERS[_action], dispatch_uid=f"audit_{_action}")
