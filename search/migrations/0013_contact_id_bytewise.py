from pathlib import Path

from django.db import migrations, models

# Contact ids are opaque identifiers, only ever compared for equality, yet every search
# that checks transcript or analysis matches against their contacts looks them up one
# by one in the contact_id index. Under a linguistic collation each comparison of that
# walk calls strcoll(); bytewise ("C") comparison makes the lookup about a third
# cheaper. Every column holding a contact id that is joined on gets the same collation,
# so joins keep using the indexes.
#
# PostgreSQL refuses to change the type of a column named in a trigger's UPDATE OF
# list, so the scope-copy trigger of the search documents is dropped for the change and
# installed again from its source.
SCOPE_COPY = (Path(__file__).resolve().parent.parent / "sql" / "scope_copy.sql").read_text()
JOINED = ("search_contactanalysis", "search_transcriptturn", "search_transcriptsearchdoc")


def _collate(collation: str) -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS scope_copy_fill ON search_transcriptsearchdoc",
        *(f'ALTER TABLE {table} ALTER COLUMN contact_id TYPE varchar(64) COLLATE "{collation}"' for table in JOINED),
        SCOPE_COPY,
    ]


class Migration(migrations.Migration):
    dependencies = [("search", "0012_contact_id_covering")]

    operations = [
        migrations.AlterField(
            model_name="contact", name="contact_id", field=models.CharField(db_collation="C", max_length=64)
        ),
        # The state already follows: a relation's column takes its target's collation.
        migrations.RunSQL(_collate("C"), _collate("default")),
    ]
