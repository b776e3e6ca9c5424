import django.contrib.postgres.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("search", "0017_contact_erasure")]

    operations = [
        migrations.AddField(
            model_name="contactanalysis",
            name="redacted_by",
            field=models.CharField(blank=True, db_default="", default="", max_length=16),
        ),
        migrations.AddField(
            model_name="contactanalysis",
            name="redactor_version",
            field=models.CharField(blank=True, db_default="", default="", max_length=64),
        ),
        migrations.AddField(
            model_name="contactanalysis",
            name="redacted_from_key",
            field=models.CharField(blank=True, db_default="", default="", max_length=1024),
        ),
        migrations.AddField(
            model_name="transcriptturn",
            name="redacted_types",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=32), blank=True, null=True, size=None
            ),
        ),
        # Rows Contact Lens redacted before the portal redacted anything.
        migrations.RunSQL(
            "UPDATE search_contactanalysis SET redacted_by = 'CONTACT_LENS' WHERE redacted_key <> ''",
            migrations.RunSQL.noop,
        ),
    ]
