from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

_TIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SessionFilterForm(forms.Form):
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    since = forms.DateTimeField(label=_("From"), required=False, widget=_TIME)
    until = forms.DateTimeField(label=_("To"), required=False, widget=_TIME)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise forms.ValidationError(_("“From” must be before “To”."))
        return data

    def filters(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v} if self.is_bound and self.is_valid() else {}


class AuditFilterForm(SessionFilterForm):
    # Suggests the actions seen so far (the page's <datalist id="audit-actions">).
    action = forms.CharField(
        label=_("Action"), required=False, max_length=64, widget=forms.TextInput(attrs={"list": "audit-actions"})
    )
    contact_id = forms.CharField(label=_("Contact ID"), required=False, max_length=64)

    field_order = ["user", "action", "contact_id", "since", "until"]
