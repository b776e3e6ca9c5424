-- Who spoke, in the lexeme itself. Writers build documents with portal_fts_document
-- (fts.sql), which weights lexemes A agent, B customer, C anyone else. GIN stores no
-- weights, so a weighted query ('refund':B) makes PostgreSQL re-read and re-check every
-- document holding the word, whoever said it. Stored documents therefore hold one
-- lexeme per role instead ('b:refund', positions kept, so phrases still work), and the
-- index alone answers a role's words.
-- Calls inside are schema-qualified: restores run with an empty search_path.

-- Weighted lexemes become role-prefixed; unweighted ones are kept as they are, so
-- converting a converted document changes nothing. Done on the text form (lexemes from
-- to_tsvector hold no spaces, so each one starts the text or follows a space) and
-- parsed once, so positions stay as they were: twice as fast as rebuilding the
-- document lexeme by lexeme, which matters at ingest.
CREATE OR REPLACE FUNCTION public.portal_fts_by_role(document tsvector)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT pg_catalog.concat_ws(' ',
    pg_catalog.regexp_replace(pg_catalog.setweight(pg_catalog.ts_filter(document, '{a}'), 'D')::text,
                              '(^| )''', '\1''a:', 'g'),
    pg_catalog.regexp_replace(pg_catalog.setweight(pg_catalog.ts_filter(document, '{b}'), 'D')::text,
                              '(^| )''', '\1''b:', 'g'),
    pg_catalog.regexp_replace(pg_catalog.setweight(pg_catalog.ts_filter(document, '{c}'), 'D')::text,
                              '(^| )''', '\1''c:', 'g'),
    pg_catalog.ts_filter(document, '{d}')::text
  )::pg_catalog.tsvector
$$;

CREATE OR REPLACE FUNCTION public.portal_fts_document_by_role()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.document := public.portal_fts_by_role(NEW.document);
  RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS document_by_role ON public.search_transcriptsearchdoc;
CREATE TRIGGER document_by_role
  BEFORE INSERT OR UPDATE OF document ON public.search_transcriptsearchdoc
  FOR EACH ROW EXECUTE FUNCTION public.portal_fts_document_by_role();

-- Each lexeme of `query` (its text form) as the alternatives of the given roles
-- ('ab' → ('a:word' | 'b:word')), with `suffix` (':*' for a prefix match).
CREATE OR REPLACE FUNCTION public.portal_fts_for_roles(query text, roles text, suffix text)
RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT pg_catalog.regexp_replace(query, '''((?:[^'']|'''')*)''', '(' || (
    SELECT pg_catalog.string_agg('''' || role || ':\1''' || suffix, ' | ' ORDER BY role)
    FROM pg_catalog.regexp_split_to_table(pg_catalog.lower(roles), '') AS role
  ) || ')', 'g')::pg_catalog.tsquery
$$;

-- A search term (word or phrase) as a tsquery over the given roles' lexemes: weight
-- letters as in portal_fts_document, '' = anyone. A single CJK character becomes a
-- prefix query over the bigrams.
CREATE OR REPLACE FUNCTION public.portal_fts_query(term text, weights text)
RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN q::text = '' THEN q
    WHEN pg_catalog.length(t) = 1 AND t ~ '^[\u3041-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$'
      THEN public.portal_fts_for_roles(pg_catalog.quote_literal(t), roles, ':*')
    ELSE public.portal_fts_for_roles(q::text, roles, '')
  END
  FROM (
    SELECT pg_catalog.lower(NORMALIZE(pg_catalog.btrim(COALESCE(term, '')), NFKC)) AS t,
           pg_catalog.phraseto_tsquery('pg_catalog.simple', public.portal_fts_text(term, false)) AS q,
           CASE WHEN COALESCE(weights, '') = '' THEN 'abc' ELSE weights END AS roles
  ) AS parts
$$;
