from pathlib import Path

from django.db import migrations

SQL = (Path(__file__).resolve().parent.parent / "sql" / "fts_role_documents.sql").read_text()

REVERSE = """
DROP TRIGGER IF EXISTS document_by_role ON public.search_transcriptsearchdoc;
CREATE TRIGGER document_by_role
  BEFORE INSERT OR UPDATE OF document ON public.search_transcriptsearchdoc
  FOR EACH ROW EXECUTE FUNCTION public.portal_fts_document_by_role();
DROP FUNCTION IF EXISTS public.portal_fts_role_lexemes(text, text);
"""


class Migration(migrations.Migration):
    dependencies = [("search", "0009_covering_probe_indexes")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
