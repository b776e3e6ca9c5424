from pathlib import Path

from django.db import migrations

# Stored documents hold role-prefixed lexemes ('b:refund') instead of weights (see
# search/sql/fts_roles.sql); queries change with them, in the same transaction.
SQL = (Path(__file__).resolve().parent.parent / "sql" / "fts_roles.sql").read_text()
CONVERT = "UPDATE search_transcriptsearchdoc SET document = document"  # the trigger converts

# Back to weighted lexemes and the weighted query of migration 0002.
REVERSE = r"""
DROP TRIGGER IF EXISTS document_by_role ON search_transcriptsearchdoc;
DROP FUNCTION IF EXISTS public.portal_fts_document_by_role();
UPDATE search_transcriptsearchdoc AS d SET document = (
  SELECT COALESCE(pg_catalog.string_agg(entry, ' '), '')::pg_catalog.tsvector FROM (
    SELECT '''' || pg_catalog.replace(pg_catalog.replace(
             CASE WHEN u.lexeme ~ '^[abc]:' THEN pg_catalog.substr(u.lexeme, 3) ELSE u.lexeme END,
             '\', '\\'), '''', '''''') || ''':'
           || pg_catalog.string_agg(p.position::text
                || CASE WHEN u.lexeme ~ '^[abc]:' THEN pg_catalog.upper(pg_catalog.left(u.lexeme, 1)) ELSE '' END,
                ',') AS entry
    FROM pg_catalog.unnest(d.document) AS u, pg_catalog.unnest(u.positions) AS p(position)
    GROUP BY u.lexeme
  ) AS entries
);
DROP FUNCTION IF EXISTS public.portal_fts_by_role(tsvector);
DROP FUNCTION IF EXISTS public.portal_fts_for_roles(text, text, text);
CREATE OR REPLACE FUNCTION public.portal_fts_query(term text, weights text)
RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN q::text = '' THEN q
    WHEN pg_catalog.length(t) = 1 AND t ~ '^[\u3041-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$'
      THEN pg_catalog.to_tsquery('pg_catalog.simple', pg_catalog.quote_literal(t) || ':*' || weights)
    WHEN weights = '' THEN q
    ELSE pg_catalog.regexp_replace(q::text, '(''(?:[^'']|'''')*'')', '\1:' || weights, 'g')::tsquery
  END
  FROM (
    SELECT pg_catalog.lower(NORMALIZE(pg_catalog.btrim(COALESCE(term, '')), NFKC)) AS t,
           pg_catalog.phraseto_tsquery('pg_catalog.simple', public.portal_fts_text(term, false)) AS q
  ) AS parts
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("search", "0006_scope_copies")]

    operations = [migrations.RunSQL([SQL, CONVERT], REVERSE)]
