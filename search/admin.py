from __future__ import annotations

from django.contrib import admin

from portal.accounts import permissions as p
from portal.accounts.admin_mixins import AuditedAdmin
from search.models import SearchableAttributeKey


@admin.register(SearchableAttributeKey)
class SearchableAttributeKeyAdmin(AuditedAdmin):
    """The same setting as `manage.py searchable_attribute`."""

    view_permissions = (p.CONFIGURE_ATTRIBUTES,)
    add_permission_name = change_permission_name = delete_permission_name = p.CONFIGURE_ATTRIBUTES
    audit_action = "searchable_attribute_change"
    audit_fields = ("key",)
    list_display = ("key", "created_at")
    search_fields = ("key",)
