from django.db import migrations

# Events written before personal details were sealed still hold them readable. The
# append-only trigger refuses UPDATE, so this migration disables it for its own
# duration and enables it again before it ends. Both ALTERs run inside the migration's
# transaction: the table stays locked meanwhile, so no other session ever writes or
# changes an event while the trigger is off, and a failure rolls everything back, the
# trigger included.
DISABLE = "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only"
ENABLE = "ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only"


def seal_existing(apps, schema_editor):
    from portal.audit.personal import seal, split

    AuditEvent = apps.get_model("audit", "AuditEvent")
    pending = AuditEvent.objects.filter(personal__isnull=True).only("id", "action", "contact_id", "details")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(DISABLE)
        for event in pending.iterator(chunk_size=2000):
            if not isinstance(event.details, dict):
                continue
            readable, personal = split(event.details)
            if personal:
                sealed = seal(personal, action=event.action, contact_id=event.contact_id)
                AuditEvent.objects.filter(pk=event.pk).update(details=readable, personal=sealed)
        cursor.execute(ENABLE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_sealed_personal_details")]

    operations = [migrations.RunPython(seal_existing, migrations.RunPython.noop)]
