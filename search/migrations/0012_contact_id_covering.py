from django.db import migrations, models

# Searching transcripts and analyses, every match is checked against its contact's scope
# and start, found by Connect's contact id. The unique index on contact_id now carries
# those columns, so the check is read from the index alone. The new index is built
# before the old constraint goes, so contact ids are never left without one.
SCOPE = ("initiation_ts", "agent", *[f"hierarchy_l{level}" for level in range(1, 6)])


class Migration(migrations.Migration):
    dependencies = [("hierarchy", "0001_initial"), ("search", "0011_sentiment_indexes")]

    operations = [
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.UniqueConstraint(fields=("contact_id",), include=SCOPE, name="contact_id_unique"),
        ),
        migrations.AlterField(model_name="contact", name="contact_id", field=models.CharField(max_length=64)),
    ]
