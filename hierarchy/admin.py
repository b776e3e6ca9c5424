"""Admin pages for the agent hierarchy and Connect agents. Groups normally come from
Connect (`sync_connect` or contact records); edits here are audited like any other."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hierarchy.models import MAX_LEVELS, Agent, HierarchyGroup
from portal.accounts import permissions as p
from portal.accounts.admin_mixins import AuditedAdmin


class HierarchyGroupForm(forms.ModelForm):
    class Meta:
        model = HierarchyGroup
        fields = ["name", "group_id", "arn", "parent"]

    def clean_parent(self) -> HierarchyGroup | None:
        parent = self.cleaned_data.get("parent")
        ancestor = parent
        while ancestor is not None:
            if self.instance.pk and ancestor.pk == self.instance.pk:
                raise forms.ValidationError(_("A group cannot sit below itself."))
            ancestor = ancestor.parent
        if parent is not None and (parent.level or MAX_LEVELS) >= MAX_LEVELS:
            raise forms.ValidationError(_("Connect hierarchies have at most %(n)d levels.") % {"n": MAX_LEVELS})
        return parent

    def save(self, commit: bool = True) -> HierarchyGroup:
        # The level follows from the parent, as in Connect.
        parent = self.cleaned_data.get("parent")
        if parent is None:
            self.instance.level = 1
        else:
            self.instance.level = parent.level + 1 if parent.level else None
        return super().save(commit)


@admin.register(HierarchyGroup)
class HierarchyGroupAdmin(AuditedAdmin):
    view_permissions = (p.HIERARCHY_VIEW,)
    add_permission_name = p.HIERARCHY_CREATE
    change_permission_name = delete_permission_name = p.HIERARCHY_EDIT
    audit_action = "group_change"
    audit_fields = ("name", "group_id", "arn", "level", "parent")

    form = HierarchyGroupForm
    list_display = ("name", "level", "parent", "group_id", "agent_count", "updated_at")
    list_filter = ("level",)
    list_select_related = ("parent",)
    search_fields = ("name", "group_id")

    @admin.display(description=_("Agents"))
    def agent_count(self, obj: HierarchyGroup) -> int:
        return obj.agents.count()


@admin.register(Agent)
class AgentAdmin(AuditedAdmin):
    view_permissions = (p.USERS_VIEW,)
    change_permission_name = p.USERS_EDIT
    audit_action = "user_change"
    audit_fields = ("username", "first_name", "last_name", "hierarchy_group")

    list_display = ("username", "first_name", "last_name", "hierarchy_group", "agent_id", "updated_at")
    list_filter = ("hierarchy_group",)
    list_select_related = ("hierarchy_group",)
    search_fields = ("username", "first_name", "last_name", "agent_id")
    readonly_fields = ("agent_id", "arn", "username")
    fields = ("username", "first_name", "last_name", "hierarchy_group", "agent_id", "arn")
