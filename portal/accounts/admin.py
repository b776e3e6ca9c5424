"""Admin pages for users, security profiles and API tokens (see admin_mixins for access and audit)."""

from __future__ import annotations

import json

from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts import permissions as p
from portal.accounts.admin_forms import (
    AccessKeyCreationForm,
    PortalUserChangeForm,
    PortalUserCreationForm,
    SecurityProfileForm,
    SecurityProfileImportForm,
)
from portal.accounts.admin_mixins import AuditedAdmin
from portal.accounts.models import AccessKey, ApiToken, SecurityProfile, User
from portal.accounts.services import (
    AccountError,
    access_key_issue,
    access_key_withdraw,
    profile_export,
    profile_import,
)
from portal.audit.services import audit_record

# Security profiles replace Django's groups and per-model permissions.
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    view_permissions = (p.USERS_VIEW,)
    add_permission_name = change_permission_name = delete_permission_name = p.USERS_EDIT
    audit_action = "user_change"
    audit_fields = (
        "username", "email", "first_name", "last_name", "is_active", "is_staff", "is_superuser",
        "security_profiles", "hierarchy_group", "agent", "time_zone", "language",
    )  # fmt: skip

    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Connect"), {"fields": ("security_profiles", "hierarchy_group", "agent")}),
        (_("Preferences"), {"fields": ("time_zone", "language")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "usable_password", "password1", "password2")}),
    )
    list_display = (
        "username",
        "email",
        "profiles",
        "hierarchy_group",
        "agent",
        "mfa_enrolled",
        "is_active",
        "is_staff",
    )
    list_filter = ("is_active", "is_staff", "security_profiles", "hierarchy_group")
    list_select_related = ("hierarchy_group", "agent")
    search_fields = ("username", "first_name", "last_name", "email")
    filter_horizontal = ("security_profiles",)
    readonly_fields = ("last_login", "date_joined")
    actions = ["reset_mfa"]

    def get_queryset(self, request):
        totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
        return super().get_queryset(request).prefetch_related("security_profiles").annotate(has_totp=Exists(totp))

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser may hand out superuser status.
        extra = () if request.user.is_superuser else ("is_superuser",)
        return (*super().get_readonly_fields(request, obj), *extra)

    @admin.display(description=_("Security profiles"))
    def profiles(self, obj: User) -> str:
        return ", ".join(profile.name for profile in obj.security_profiles.all())

    @admin.display(description=_("MFA"), boolean=True, ordering="has_totp")
    def mfa_enrolled(self, obj: User) -> bool:
        return obj.has_totp

    @admin.action(description=_("Reset MFA (the user enrols again at next login)"), permissions=["change"])
    def reset_mfa(self, request, queryset) -> None:
        with transaction.atomic():
            for user in queryset:
                removed, _detail = Authenticator.objects.filter(user=user).delete()
                audit_record(action="mfa_reset", request=request, details={"user": user.username, "removed": removed})
        self.message_user(request, _("MFA reset for %(n)d user(s).") % {"n": queryset.count()}, messages.SUCCESS)


@admin.register(SecurityProfile)
class SecurityProfileAdmin(AuditedAdmin):
    view_permissions = (p.SECURITY_PROFILES_VIEW,)
    add_permission_name = change_permission_name = delete_permission_name = p.SECURITY_PROFILES_EDIT
    audit_action = "profile_change"
    audit_fields = ("name", "description", "permissions")

    form = SecurityProfileForm
    list_display = ("name", "description", "permission_count", "user_count", "updated_at")
    search_fields = ("name",)
    actions = ["export_json"]
    change_list_template = "admin/accounts/securityprofile/change_list.html"

    @admin.display(description=_("Permissions"))
    def permission_count(self, obj: SecurityProfile) -> int:
        return len(obj.permissions)

    @admin.display(description=_("Users"))
    def user_count(self, obj: SecurityProfile) -> int:
        return obj.users.count()

    @admin.action(description=_("Export in Connect's JSON shape"), permissions=["view"])
    def export_json(self, request, queryset) -> HttpResponse:
        documents = [profile_export(name=profile.name) for profile in queryset]
        body = documents[0] if len(documents) == 1 else documents
        filename = f"{documents[0]['SecurityProfileName']}.json" if len(documents) == 1 else "security-profiles.json"
        response = HttpResponse(json.dumps(body, indent=2, ensure_ascii=False), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="accounts_securityprofile_import"), *super().get_urls()]

    def import_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = SecurityProfileImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                names = self._import(request, form.cleaned_data["file"])
            except AccountError as exc:
                form.add_error("file", str(exc))
            else:
                self.message_user(request, _("Imported: %(names)s") % {"names": ", ".join(names)}, messages.SUCCESS)
                return redirect("admin:accounts_securityprofile_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                   "title": _("Import security profiles")}  # fmt: skip
        return TemplateResponse(request, "admin/accounts/securityprofile/import.html", context)

    @transaction.atomic
    def _import(self, request, documents: list[object]) -> list[str]:
        # All or nothing: one unknown permission name refuses the whole file.
        return [profile_import(document=doc, actor=request.user)[0].name for doc in documents]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    """Tokens are created by their owners (profile page or `portal_user token`); here
    they can be reviewed and revoked."""

    view_permissions = (p.USERS_VIEW,)
    change_permission_name = p.USERS_EDIT
    audit_action = "token_revoke"
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    list_select_related = ("user",)
    search_fields = ("user__username", "name", "prefix")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("token_hash",)
    actions = ["revoke"]

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request, queryset) -> None:
        now = timezone.now()
        with transaction.atomic():
            for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
                ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
                details = {"token_prefix": token.prefix, "owner": token.user.username, "by": "admin"}
                audit_record(action="token_revoke", request=request, details=details)
        self.message_user(request, _("Tokens revoked."), messages.SUCCESS)


@admin.register(AccessKey)
class AccessKeyAdmin(AuditedAdmin):
    """API access keys for SigV4-signed calls: created here for any active user (the
    secret shown once, on the page that answers the creation) and revoked."""

    view_permissions = (p.USERS_VIEW,)
    add_permission_name = change_permission_name = p.USERS_EDIT
    audit_action = "access_key_revoke"
    list_display = ("access_key_id", "user", "created_at", "expires_at", "last_used_at", "revoked_at", "active")
    list_filter = ("revoked_at",)
    list_select_related = ("user",)
    search_fields = ("user__username", "access_key_id")
    readonly_fields = ("access_key_id", "user", "created_at", "expires_at", "last_used_at", "revoked_at")
    exclude = ("secret_enc",)
    actions = ["revoke"]

    @admin.display(description=_("Active"), boolean=True)
    def active(self, obj: AccessKey) -> bool:
        return obj.is_active() and obj.user.is_active

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AccessKeyCreationForm(request.POST or None)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": _("Create an access key")}  # fmt: skip
        if request.method == "POST" and form.is_valid():
            issued = access_key_issue(
                user=form.cleaned_data["user"], expires_at=form.expires_at(), actor=request.user, request=request
            )
            # Rendered, not redirected: the secret is shown this once and never stored in clear.
            context.update({"issued": issued, "owner": form.cleaned_data["user"], "title": _("Access key created")})
            return TemplateResponse(request, "admin/accounts/accesskey/created.html", context)
        return TemplateResponse(request, "admin/accounts/accesskey/add.html", context)

    @admin.action(description=_("Revoke selected access keys"), permissions=["change"])
    def revoke(self, request, queryset) -> None:
        for key in queryset.filter(revoked_at__isnull=True):
            access_key_withdraw(access_key_id=key.access_key_id, actor=request.user, request=request)
        self.message_user(request, _("Access keys revoked."), messages.SUCCESS)


def _gate_allauth_admin(model, *, view: tuple[str, ...], change: str, delete: str, add: str = "") -> None:
    """Put one of allauth's admin pages behind Connect permissions and the audit log."""
    original = type(admin.site._registry[model])
    admin.site.unregister(model)
    attributes = {
        "view_permissions": view,
        "add_permission_name": add,
        "change_permission_name": change,
        "delete_permission_name": delete,
        "audit_action": "user_change",
        "audit_fields": tuple(f.name for f in model._meta.concrete_fields if f.name not in {"data", "secret", "token"}),
    }
    admin.site.register(model, type(f"Portal{original.__name__}", (AuditedAdmin, original), attributes))


def _allauth_admin() -> None:
    # This app is listed before allauth (so its templates win); load allauth's admin
    # modules first so their registrations exist to be replaced.
    import allauth.account.admin  # noqa: F401
    import allauth.mfa.admin  # noqa: F401
    import allauth.socialaccount.admin  # noqa: F401
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken

    # Provider tokens are credentials: no page shows them.
    admin.site.unregister(SocialToken)
    _gate_allauth_admin(EmailAddress, view=(p.USERS_VIEW,), add=p.USERS_EDIT, change=p.USERS_EDIT, delete=p.USERS_EDIT)
    _gate_allauth_admin(SocialAccount, view=(p.USERS_VIEW,), change="", delete=p.USERS_EDIT)
    # Authenticators can be removed (a lost phone), never edited or read in clear.
    _gate_allauth_admin(Authenticator, view=(p.USERS_VIEW,), change="", delete=p.USERS_EDIT)
    # SSO is configured from the environment; app secrets stay with the user editors.
    _gate_allauth_admin(SocialApp, view=(), add=p.USERS_EDIT, change=p.USERS_EDIT, delete=p.USERS_EDIT)


_allauth_admin()
