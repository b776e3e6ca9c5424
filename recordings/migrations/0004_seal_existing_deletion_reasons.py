from django.db import migrations

from portal.fields import seal_text

CONTEXT = "recordings.recording.deletion_reason"


def seal_existing(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, deletion_reason FROM recordings_recording "
            "WHERE deletion_reason <> '' AND deletion_reason NOT LIKE 'sealed:v1:%%'"
        )
        for pk, reason in cursor.fetchall():
            cursor.execute(
                "UPDATE recordings_recording SET deletion_reason = %s WHERE id = %s",
                [seal_text(reason, context=CONTEXT), pk],
            )


class Migration(migrations.Migration):
    dependencies = [("recordings", "0003_sealed_deletion_reason")]

    operations = [migrations.RunPython(seal_existing, migrations.RunPython.noop)]
