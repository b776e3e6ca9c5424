"""GiNZA for what patterns cannot see: people's names, and addresses the model knows.

The model (spaCy `ja_ginza`, Sudachi tokens) is loaded once per process on first use,
never at import: web processes that never redact should not carry it, and a Celery
worker pays the ~2 s once. It is an installed package, so loading reads only local files.

Names come from three signals, because each alone misses: the NER `Person` label, the
Sudachi part of speech in context (名詞-固有名詞-人名-姓/名), and, for surnames that are
also common words (林, 森), the dictionary's knowledge that the word *can* be a name
together with the words around it (林様, 林と申します, 担当の林が).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

Span = tuple[str, int, int]

MODEL = "ja_ginza"
# The dependency parser and bunsetu chunker feed nothing here and cost half the time;
# the compound splitter would glue 東京都世田谷区桜新町 into one token.
_EXCLUDED = ["parser", "bunsetu_recognizer", "compound_splitter"]
BATCH_SIZE = 64

_lock = threading.Lock()
_nlp: Language | None = None


def model() -> Language:
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                import spacy

                _nlp = spacy.load(MODEL, exclude=_EXCLUDED)
    return _nlp


# Sudachi refuses input over 49,149 bytes; a long chat goes through in sentence chunks.
_MAX_BYTES = 40_000
_SENTENCE_END = re.compile(r"(?<=[。！？!?\n])")


def entities(texts: list[str]) -> list[list[Span]]:
    """Names and model-found addresses of each text, in the text's own offsets."""
    pieces = [(n, offset, chunk) for n, text in enumerate(texts) for offset, chunk in _chunks(text)]
    found: list[list[Span]] = [[] for _ in texts]
    for (n, offset, _), doc in zip(pieces, analyse([chunk for _, _, chunk in pieces]), strict=True):
        found[n] += [(kind, start + offset, end + offset) for kind, start, end in names(doc) + model_addresses(doc)]
    return found


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    if len(text.encode()) <= _MAX_BYTES:
        yield 0, text
        return
    start, size = 0, 0
    for sentence_end in [m.start() for m in _SENTENCE_END.finditer(text)] + [len(text)]:
        sentence = text[start + size : sentence_end]
        if size and len(text[start : start + size].encode()) + len(sentence.encode()) > _MAX_BYTES:
            yield from _hard_split(start, text[start : start + size])
            start, size = start + size, 0
        size = sentence_end - start
    if size:
        yield from _hard_split(start, text[start : start + size])


def _hard_split(offset: int, text: str) -> Iterator[tuple[int, str]]:
    """A chunk that is still too long is one huge sentence: cut it (4 bytes a character at most)."""
    if len(text.encode()) <= _MAX_BYTES:
        yield offset, text
        return
    step = _MAX_BYTES // 4
    for i in range(0, len(text), step):
        yield offset + i, text[i : i + step]


def analyse(texts: Iterable[str]) -> list[Doc]:
    """Sudachi tokens for every text; the statistical NER only where the rules need it.

    The tokenizer is ~50x cheaper than the network, and in most turns of a call the
    rules alone decide (はい。ありがとうございます。 has no candidate; 佐藤様 and
    山田太郎と申します are certain): only turns with an undecided candidate pay."""
    nlp = model()
    docs = [nlp.make_doc(text) for text in texts]
    for _ in nlp.pipe([doc for doc in docs if _needs_model(doc)], batch_size=BATCH_SIZE):
        pass  # the components annotate the docs in place
    return docs


def _needs_model(doc: Doc) -> bool:
    unknown_proper_noun = any(t.tag_.startswith("名詞-固有名詞-一般") for t in doc)
    return unknown_proper_noun or any(_rule_verdict(doc, i, j) is None for i, j in _candidate_runs(doc))


# ---------------------------------------------------------------------------------------
# Names.
# ---------------------------------------------------------------------------------------

_HONORIFICS = {"様", "さま", "さん", "くん", "君", "殿", "氏", "ちゃん", "先生"}
# Words after a name in self-introductions and hand-offs. The formal ones (林と申します,
# 林でございます, 林が承ります) follow little else than a name; a plain 林です only counts
# at the start of an utterance or after 担当の.
_INTRO_STRONG = ("と申し", "でございます", "が承", "が担当", "がご案内", "がお伺い")
_INTRO_WEAK = ("です", "でした", "と言い", "といい", "が対応")
# Words before a name when a caller or agent gives it.
_INTRO_BEFORE = {"担当", "私", "わたくし", "名前", "名義", "契約者"}
# 娘の美咲, 主人の健一: a word the dictionary lists as a name, after a family member, is one.
_FAMILY = {"娘", "息子", "妻", "夫", "主人", "家内", "嫁", "母", "父", "祖母", "祖父", "兄", "姉", "弟", "妹", "孫"}
_FILLERS = {"はい", "えっと", "えーと", "あの", "ええ", "うん", "あ", "もしもし", "こんにちは", "、", " ", "　"}
_NAME_LABELS = {"Person"}
_NAME_JOINERS = {"・", " ", "　", "="}


@lru_cache(maxsize=65536)
def can_be_name(surface: str) -> bool:
    """Whether Sudachi's dictionary lists the word as a family or given name."""
    return any(
        m.part_of_speech()[2] == "人名" and m.part_of_speech()[3] in ("姓", "名") for m in _dictionary().lookup(surface)
    )


@lru_cache(maxsize=1)
def _dictionary():  # type: ignore[no-untyped-def]
    from sudachipy import Dictionary

    return Dictionary(dict="core")


def _tagged_name(token: Token) -> bool:
    return "人名" in token.tag_


# Counters and adverbial nouns (円, 回, ため, 今) are listed as rare names too; never ours.
_NEVER_NAMES = ("助数詞可能", "副詞可能")


def _name_like(token: Token) -> bool:
    # The tag wins over the part of speech: 野口英世 comes out as 人名 but as a VERB.
    if _tagged_name(token):
        return True
    return token.pos_ in ("PROPN", "NOUN") and not token.tag_.endswith(_NEVER_NAMES) and can_be_name(token.text)


def _candidate_runs(doc: Doc) -> list[tuple[int, int]]:
    """Maximal runs of tokens that can be names: 山田 太郎 is one run."""
    runs, i = [], 0
    while i < len(doc):
        if _name_like(doc[i]):
            j = i
            while True:
                if j + 1 < len(doc) and _name_like(doc[j + 1]):
                    j += 1
                elif j + 2 < len(doc) and doc[j + 1].text in _NAME_JOINERS and _name_like(doc[j + 2]):
                    j += 2  # エミリー・ブラウン, 山田 太郎
                else:
                    break
            runs.append((i, j))
            i = j
        i += 1
    return runs


def names(doc: Doc) -> list[Span]:
    person_tokens = {t.i for ent in doc.ents if ent.label_ in _NAME_LABELS for t in ent}
    found = []
    for first, last in _candidate_runs(doc):
        verdict = _rule_verdict(doc, first, last)
        if verdict is None:
            verdict = any(i in person_tokens for i in range(first, last + 1))
        if verdict:
            found.append(("NAME", doc[first].idx, doc[last].idx + len(doc[last].text)))
    # Names the dictionary does not know (外国の名前, rare readings): the model's Person,
    # held to the same context a bare common noun would need.
    for ent in doc.ents:
        if ent.label_ in _NAME_LABELS and _rule_verdict(doc, ent.start, ent.end - 1, strict=True):
            found.append(("NAME", ent.start_char, ent.end_char))
    return found


def _rule_verdict(doc: Doc, first: int, last: int, strict: bool = False) -> bool | None:
    """True or False when the words around decide; None when only the model can.

    strict: tagged names need context too (for spans the dictionary does not back)."""
    tokens = doc[first : last + 1]
    after = doc[last + 1] if last + 1 < len(doc) else None
    if after is not None and after.text in _HONORIFICS:
        return True
    if after is not None and after.pos_ in ("NOUN", "PROPN") and not after.text.isdigit():
        return False  # part of a compound: さくらモバイル, 佐藤製作所
    if first >= 2 and doc[first - 1].text == "の" and doc[first - 2].text in _FAMILY:
        return True
    # The next few tokens, not doc.text: that rebuilds the whole text on every call.
    rest = doc[last + 1 : last + 5].text
    if rest.startswith(_INTRO_STRONG) or rest.startswith(_INTRO_WEAK) and _introduced(doc, first):
        return True
    if strict or len(tokens.text) == 1 or tokens.text.isascii():
        # Without context: one character (林, 金, 全) and Latin words (page) are too often
        # something else; so are words tagged only as "some name" (ソルト, ハウツー).
        return False
    if any(t.tag_.endswith(("人名-姓", "人名-名")) for t in tokens):
        return True  # Sudachi read a family or given name in this very sentence
    return None


def _introduced(doc: Doc, first: int) -> bool:
    """A bare 林です counts when it opens the utterance or follows 担当の, not mid-sentence."""
    k = first - 1
    while k >= 0 and (doc[k].text in _FILLERS or doc[k].pos_ == "INTJ"):
        k -= 1
    if k < 0 or doc[k].text in ("。", "！", "？"):
        return True
    previous = doc[k - 1].text if doc[k].text == "の" and k > 0 else doc[k].text
    return previous in _INTRO_BEFORE or doc[k].text == "の" and doc[k - 1].pos_ in ("PROPN", "NOUN")


def model_addresses(doc: Doc) -> list[Span]:
    return [("ADDRESS", e.start_char, e.end_char) for e in doc.ents if e.label_ == "Postal_Address"]
