"""What each audit action is called in the user's language. The log, its filter and
its CSV keep the action's code; the page shows the name beside it. A code without a
name here (one added later) shows as itself."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "login": _("Signed in"),
    "logout": _("Signed out"),
    "login_failed": _("Sign-in failed"),
    "mfa_added": _("Authenticator added"),
    "mfa_removed": _("Authenticator removed"),
    "mfa_reset": _("Authenticators reset"),
    "mfa_used": _("Second factor used"),
    "mfa_failed": _("Second factor failed"),
    "search": _("Contacts searched"),
    "export": _("Exported"),
    "contact_view": _("Contact viewed"),
    "transcript_view": _("Transcript read"),
    "transcript_download": _("Transcript downloaded"),
    "recording_play": _("Recording played"),
    "recording_download": _("Recording downloaded"),
    "recording_delete": _("Recording deleted"),
    "legal_hold_set": _("Legal hold set"),
    "legal_hold_clear": _("Legal hold cleared"),
    "searchable_attribute_add": _("Searchable attribute added"),
    "searchable_attribute_remove": _("Searchable attribute removed"),
    "searchable_attribute_change": _("Searchable attributes changed"),
    "user_change": _("User changed"),
    "profile_change": _("Security profile changed"),
    "group_change": _("Hierarchy group changed"),
    "token_create": _("API token created"),
    "token_revoke": _("API token revoked"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
