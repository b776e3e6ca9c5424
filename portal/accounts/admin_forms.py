"""Admin forms: security-profile permissions as Connect's console shows them."""

from __future__ import annotations

import json

from django import forms
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from portal.accounts import permissions as p
from portal.accounts.forms import AccessKeyForm
from portal.accounts.models import SecurityProfile, User


def grouped_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """CATALOGUE as (section, [(api name, console label), …]) in Connect's order."""
    sections: dict[str, list[tuple[str, str]]] = {}
    for permission in p.CATALOGUE:
        sections.setdefault(str(permission.section), []).append((permission.name, str(permission.label)))
    return list(sections.items())


class ConnectPermissionsWidget(forms.CheckboxSelectMultiple):
    """One fieldset per Connect section, each box labelled with the console name and
    the API name beside it (what exports and the API use)."""

    template_name = "admin/accounts/connect_permissions_widget.html"
    option_template_name = "admin/accounts/connect_permission_option.html"


class SecurityProfileForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        choices=grouped_choices, widget=ConnectPermissionsWidget, required=False, label=_("Permissions")
    )

    class Meta:
        model = SecurityProfile
        fields = ["name", "description", "permissions"]

    def clean_permissions(self) -> list[str]:
        # As in Connect, Download and Delete bring the matching Access with them.
        return p.normalise(self.cleaned_data["permissions"])


class SecurityProfileImportForm(forms.Form):
    # Connect's export of every profile of an instance is a few kilobytes.
    MAX_BYTES = 1024 * 1024

    file = forms.FileField(label=_("Connect security profile (JSON)"))

    def clean_file(self) -> list[object]:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (%(size)s); a security profile file is at most %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(self.MAX_BYTES)}
            )
        raw = upload.read()
        try:
            document = json.loads(raw)
        except (UnicodeDecodeError, ValueError) as exc:
            raise forms.ValidationError(_("The file is not valid JSON.")) from exc
        return document if isinstance(document, list) else [document]


class PortalUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class PortalUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class AccessKeyCreationForm(AccessKeyForm):
    user = forms.ModelChoiceField(label=_("User"), queryset=User.objects.filter(is_active=True).order_by("username"))
    field_order = ["user", "expires_in_days"]
