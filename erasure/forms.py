from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# Typed by the user as the last step; the same word in every language, like a command.
CONFIRMATION_WORD = "ERASE"


class ErasureForm(forms.Form):
    phone = forms.CharField(label=_("Customer phone number"), max_length=64)
    reason = forms.CharField(label=_("Reason (recorded in the audit log)"), max_length=1000)

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason for the erasure."))
        return reason


class ErasureConfirmForm(ErasureForm):
    confirmation = forms.CharField(label=_("Type ERASE to confirm"), max_length=16)

    def clean_confirmation(self) -> str:
        typed = self.cleaned_data["confirmation"].strip()
        if typed != CONFIRMATION_WORD:
            raise forms.ValidationError(_("Type ERASE, in capital letters, to confirm."))
        return typed
