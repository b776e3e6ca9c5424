import django.db.models.deletion
from django.db import migrations, models

# Indexes that others already serve, each one more to update on every contact merge:
# contact_h1..h5 lead with the same keys as the partial covering contact_scope_l1..l5
# (migration 0005; a level is never searched for NULL), contact_agent and contact_queue
# lead with the foreign keys, and the unique index on contact_id answers equality, the
# only way contact ids are compared (the `_like` index serves LIKE 'prefix%').
LEVELS = range(1, 6)
LIKE_INDEX = "search_contact_contact_id_cadc43a0_like"


class Migration(migrations.Migration):
    dependencies = [("hierarchy", "0001_initial"), ("search", "0007_role_lexemes")]

    operations = [
        *[migrations.RemoveIndex(model_name="contact", name=f"contact_h{level}") for level in LEVELS],
        migrations.AlterField(
            model_name="contact",
            name="agent",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="contacts",
                to="hierarchy.agent",
            ),
        ),
        migrations.AlterField(
            model_name="contact",
            name="queue",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="contacts",
                to="search.queue",
            ),
        ),
        migrations.RunSQL(
            f"DROP INDEX IF EXISTS {LIKE_INDEX}",
            f"CREATE INDEX IF NOT EXISTS {LIKE_INDEX} ON search_contact (contact_id varchar_pattern_ops)",
        ),
    ]
