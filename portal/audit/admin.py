from __future__ import annotations

import json

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.accounts import permissions as p
from portal.accounts.admin_mixins import ConnectPermissionAdmin
from portal.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ConnectPermissionAdmin):
    """Read-only: the database refuses changes anyway, the page does not offer them."""

    view_permissions = (p.HISTORICAL_CHANGES,)
    list_display = ("at", "actor_username", "action", "contact_id", "ip_address")
    list_filter = ("action", "at")
    search_fields = ("actor_username", "contact_id", "action")
    date_hierarchy = "at"
    readonly_fields = ("at", "actor_username", "action", "contact_id", "ip_address", "all_details")
    fields = readonly_fields
    show_full_result_count = False  # counting a seven-year log on every page is slow

    @admin.display(description=_("Details"))
    def all_details(self, event: AuditEvent) -> str:
        return json.dumps(event.readable_details(), ensure_ascii=False, indent=2)

    def get_actions(self, request):
        return {}
