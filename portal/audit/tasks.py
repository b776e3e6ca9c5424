from celery import shared_task

from portal.audit.services import audit_purge_expired


@shared_task
def purge_expired_events() -> int:
    return audit_purge_expired()
