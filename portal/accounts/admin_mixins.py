"""What every admin page of the portal shares: Connect permissions decide access, and
every change leaves an audit event with the values before and after.

Django's own model permissions are not used: a staff member sees a page only when one
of their security profiles carries the matching Connect permission (superusers too, so
the profiles stay the one place that says who may do what).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.db import models

from portal.audit.services import audit_record

Snapshot = dict[str, Any]


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted(_plain(v) for v in value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> Snapshot:
    """The named fields of `obj` as JSON-friendly values; many-to-many as sorted names."""
    result: Snapshot = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            value = list(getattr(obj, name).all()) if obj.pk else []
        else:
            value = getattr(obj, name)
        result[name] = _plain(value)
    return result


def changed(before: Snapshot, after: Snapshot) -> tuple[Snapshot, Snapshot]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


class ConnectPermissionAdmin(admin.ModelAdmin):
    """Access by Connect permissions: any of `view_permissions` (or the change one) to
    look, `add_permission_name` / `change_permission_name` / `delete_permission_name`
    to act. An empty name means nobody may do that here."""

    view_permissions: tuple[str, ...] = ()
    add_permission_name = ""
    change_permission_name = ""
    delete_permission_name = ""

    @staticmethod
    def _holds(request, name: str) -> bool:
        user = request.user
        return bool(name) and user.is_active and user.is_staff and user.has_connect_permission(name)

    def has_view_permission(self, request, obj=None) -> bool:
        names = (*self.view_permissions, self.change_permission_name)
        return any(self._holds(request, name) for name in names)

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request) -> bool:
        return self._holds(request, self.add_permission_name)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._holds(request, self.change_permission_name)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._holds(request, self.delete_permission_name)


class AuditedAdmin(ConnectPermissionAdmin):
    """Writes `audit_action` events for additions, changes and deletions, inside the
    admin's own transaction. `audit_fields` are compared before and after."""

    audit_action = ""
    audit_fields: tuple[str, ...] = ()

    def _record(self, request, obj, operation: str, before=None, after=None, message: Any = None) -> None:
        details = {
            "model": obj._meta.model_name,
            "object": str(obj),
            "object_id": obj.pk,
            "operation": operation,
            "before": before,
            "after": after,
        }
        if message:
            details["admin_message"] = message
        audit_record(action=self.audit_action, request=request, details=details)

    def save_model(self, request, obj, form, change) -> None:
        # The form has already copied its data onto `obj`: read the old state from the database.
        if change:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            request._audit_before = snapshot(stored, self.audit_fields) if stored else {}
        super().save_model(request, obj, form, change)

    def log_addition(self, request, obj, message):
        self._record(request, obj, "add", None, snapshot(obj, self.audit_fields))
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        # Also called by views that change one field on their own (password change).
        before = getattr(request, "_audit_before", None)
        after = snapshot(obj, self.audit_fields)
        before, after = changed(before, after) if before is not None else ({}, {})
        self._record(request, obj, "change", before, after, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._record(request, obj, "delete", snapshot(obj, self.audit_fields), None)
        return super().log_deletions(request, queryset)
