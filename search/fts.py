"""The Python twin of `portal_fts_text` (search/sql/fts.sql), used at ingest.

Splitting Japanese runs into bigrams in SQL costs milliseconds per transcript; doing
it here and leaving only `to_tsvector` to PostgreSQL keeps ingestion fast. Queries
still go through the SQL functions, and tests/search_index check that both paths
produce identical documents. Lower-casing is left to `to_tsvector`, as in SQL.
"""

from __future__ import annotations

import re
import unicodedata

_CJK = "\u3041-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(f"([{_CJK}]+)|([^{_CJK}]+)")

# A stored document from (agent, customer, anyone else) text that went through
# `fts_text`: role-prefixed lexemes, as portal_fts_by_role(portal_fts_document(...))
# makes from the raw text (search/sql/fts_role_documents.sql).
DOCUMENT_SQL = (
    "portal_fts_role_lexemes(%s, 'a') || portal_fts_role_lexemes(%s, 'b') || portal_fts_role_lexemes(%s, 'c')"
)


def _bigrams(run: str, with_tail: bool) -> str:
    if len(run) <= 1:
        return run
    grams = " ".join(run[i : i + 2] for i in range(len(run) - 1))
    return f"{grams} {run[-1]}" if with_tail else grams


def fts_text(body: str | None, *, with_tail: bool = True) -> str:
    text = unicodedata.normalize("NFKC", body or "")
    pieces = []
    for match in _RUNS.finditer(text):
        cjk, other = match.groups()
        pieces.append(_bigrams(cjk, with_tail) if cjk else other)
    return " ".join(pieces)
