"""The ingest-time Python bigrams must give exactly the documents the SQL functions
give, or queries (built in SQL) would miss what ingestion indexed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection

from search.fts import DOCUMENT_SQL, fts_text

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples"
EDGE_CASES = [
    "", "解", "解約", "契約を解約したいのですが、よろしいですか？", "ｶｲﾔｸ ﾃﾞｽ", "カード番号は４１１１ー１１１１です",
    "Hello, I'd like to CANCEL my account (ref #A-1234) — e-mail: jane.doe@example.com", "Ünïcödé Straße ÉCOLE",
    "請求書の送付先を変更したい🙂 thanks!", "mixed漢字andカタカナand ひらがな", "  spaces   and\ttabs\n", "ー長音ー", "1,234.50円",
    "it's O'Brien's \\server\\share 'quoted' ''double''", "http://example.com/a'b?c=d&e=f /usr/local/bin",
    "<b>bold</b> &amp; tags", "version 1.2.3, -5.5e3 and 0x1F", "a:b b:c 'a:quoted'",
]  # fmt: skip


def _corpus() -> list[str]:
    texts = list(EDGE_CASES)
    for path in SAMPLES.glob("*.json"):
        doc = json.loads(path.read_text())
        texts += [t["Content"] for t in doc.get("Transcript", []) if isinstance(t.get("Content"), str)]
    from demo import conversations

    for table in (getattr(conversations, name) for name in dir(conversations)):
        if isinstance(table, dict):
            for lines in table.values():
                if isinstance(lines, tuple):
                    texts += [line for line in lines if isinstance(line, str)]
    return texts


@pytest.mark.django_db
def test_python_and_sql_documents_are_identical():
    texts = _corpus()
    assert len(texts) > 100
    mismatches = []
    with connection.cursor() as cursor:
        for i in range(0, len(texts), 3):
            a, b, c = (texts[i : i + 3] + ["", ""])[:3]
            cursor.execute(
                f"SELECT portal_fts_by_role(portal_fts_document(%s, %s, %s)) = {DOCUMENT_SQL}", [a, b, c, fts_text(a), fts_text(b), fts_text(c)]
            )
            if not cursor.fetchone()[0]:
                mismatches.append((a, b, c))
    assert mismatches == []


def test_bigrams_keep_latin_words_whole():
    assert fts_text("解約したい cancel") == "解約 約し した たい い  cancel"
    assert fts_text("解約したい", with_tail=False) == "解約 約し した たい"
