-- Full-text search that works for English and Japanese with PostgreSQL alone.
--
-- PostgreSQL's default parser keeps a whole run of Japanese characters as one token,
-- so 解約 would never match 「解約したいのですが」. These functions NFKC-normalise and
-- lower-case the text and turn each CJK run into overlapping character bigrams
-- (解約したい → 解約 約し した たい, plus the run's last character so a one-character
-- search can find it); other words stay whole. A query becomes a phrase (<->) of the
-- same bigrams, so a Japanese word matches inside a longer run and nowhere else.
-- Stored documents and queries are per role: see fts_roles.sql.
-- Calls inside are schema-qualified: restores run with an empty search_path.

CREATE OR REPLACE FUNCTION public.portal_fts_bigrams(run text, with_tail boolean)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT CASE
    WHEN pg_catalog.length(run) <= 1 THEN run
    ELSE (
      SELECT pg_catalog.string_agg(pg_catalog.substr(run, i, 2), ' ' ORDER BY i)
      FROM pg_catalog.generate_series(1, pg_catalog.length(run) - 1) AS i
    ) || CASE WHEN with_tail THEN ' ' || pg_catalog.right(run, 1) ELSE '' END
  END
$$;

-- Hiragana, katakana (with ー), CJK ideographs and compatibility ideographs.
CREATE OR REPLACE FUNCTION public.portal_fts_text(body text, with_tail boolean)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT COALESCE(pg_catalog.string_agg(
    CASE WHEN m[1] ~ '^[\u3041-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$'
         THEN public.portal_fts_bigrams(m[1], with_tail)
         ELSE m[1] END, ' '), '')
  FROM pg_catalog.regexp_matches(
    pg_catalog.lower(NORMALIZE(COALESCE(body, ''), NFKC)),
    '([\u3041-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\u3041-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)',
    'g') AS m
$$;

-- One document per contact; weights say who spoke: A agent, B customer, C anyone else.
CREATE OR REPLACE FUNCTION public.portal_fts_document(agent text, customer text, other text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT pg_catalog.setweight(pg_catalog.to_tsvector('pg_catalog.simple', public.portal_fts_text(agent, true)), 'A')
      || pg_catalog.setweight(pg_catalog.to_tsvector('pg_catalog.simple', public.portal_fts_text(customer, true)), 'B')
      || pg_catalog.setweight(pg_catalog.to_tsvector('pg_catalog.simple', public.portal_fts_text(other, true)), 'C')
$$;
