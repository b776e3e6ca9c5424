from pathlib import Path

from django.db import migrations

SQL = (Path(__file__).resolve().parent.parent / "sql" / "fts.sql").read_text()


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunSQL(
            SQL,
            reverse_sql="""
            DROP FUNCTION IF EXISTS public.portal_fts_query(text, text);
            DROP FUNCTION IF EXISTS public.portal_fts_document(text, text, text);
            DROP FUNCTION IF EXISTS public.portal_fts_text(text, boolean);
            DROP FUNCTION IF EXISTS public.portal_fts_bigrams(text, boolean);
            """,
        )
    ]
