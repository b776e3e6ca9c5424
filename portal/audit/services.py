"""Writing to the audit log. Call inside the transaction of the act being audited, so
the act and its record commit or roll back together."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from portal.audit.masking import mask
from portal.audit.models import AuditEvent
from portal.audit.personal import seal, split


def client_address(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    actor=None,
    request=None,
    contact_id: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    key_id = getattr(request, "access_key_id", None)
    if key_id:
        # A call signed with an access key names the key (never its secret).
        details = {**(details or {}), "credential": "access_key", "access_key_id": key_id}
    return AuditEvent.objects.create(**_event_fields(action, actor, contact_id, client_address(request), details))


def _event_fields(action: str, actor, contact_id: str, ip_address: str | None, details: dict | None) -> dict:
    # Sealed before the insert: the log is append-only, nothing can be encrypted later.
    readable, personal = split(details or {})
    return {
        "actor": actor,
        "actor_username": getattr(actor, "username", "") or "",
        "action": action,
        "contact_id": contact_id or "",
        "ip_address": ip_address,
        "details": mask(readable),
        "personal": seal(personal, action=action, contact_id=contact_id or ""),
    }


def audit_record_many(*, action: str, events: list[tuple[Any, str, dict[str, Any]]]) -> None:
    """One event per (actor, contact_id, details), as `audit_record` writes it without a
    request (a worker's batch), in one INSERT."""
    AuditEvent.objects.bulk_create(
        AuditEvent(**_event_fields(action, actor, contact_id, None, details)) for actor, contact_id, details in events
    )


def audit_purge_expired(*, now=None) -> int:
    """The only routine allowed to delete audit events: those older than the retention."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('portal.audit_purge_before', %s, true)", [cutoff.isoformat()])
        cursor.execute("DELETE FROM audit_auditevent WHERE at < %s", [cutoff])
        deleted = cursor.rowcount
        # Called inside a larger transaction, the setting would outlive this block: clear it.
        cursor.execute("SELECT set_config('portal.audit_purge_before', '', true)")
        return deleted
