"""Numbers however they are spelled: ASCII, full-width, kanji digits (〇九〇の一二三四),
katakana readings (ゼロキューゼロ).

Numbers are the riskiest miss (a whole card number in a QA transcript). Every spelling is
reduced to one digit string per "run", and one classifier decides what the run is from
its digits (Luhn, the numbering plan) and the words around it (口座番号, 末尾, 〒 …).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import phonenumbers

from redaction.text import Span, is_whole_answer

_KANA_DIGITS = {
    "ゼロ": "0", "レイ": "0", "マル": "0",
    "イチ": "1", "ニー": "2", "ニ": "2", "サン": "3", "ヨン": "4", "ヨ": "4", "シ": "4",
    "ゴー": "5", "ゴ": "5", "ロク": "6", "ナナ": "7", "シチ": "7", "ハチ": "8",
    "キュウ": "9", "キュー": "9", "ク": "9",
}  # fmt: skip
_KANJI_DIGITS = dict(zip("〇零一二三四五六七八九", "00123456789", strict=True))
_DIGIT = "|".join(sorted(_KANA_DIGITS, key=len, reverse=True)) + "|[0-9〇零一二三四五六七八九]"
# Between the groups of a number: hyphens and dashes of every width, spaces, dots, the
# の of 〇九〇の一二三四, a reading comma, brackets around an area code.
_SEP = r"[\s\-‐‑‒–—―−ー・.、の()]"
_RUN = re.compile(rf"\(?\+?(?:{_DIGIT})(?:{_SEP}{{0,2}}(?:{_DIGIT}))*")

_KATAKANA = re.compile(r"[ァ-ヴー]")
_POSITIONAL = "十百千万億"  # 三十, 二千: a quantity, not a digit-by-digit reading
# What follows a quantity, a price or a time, never an identifier.
_UNIT = re.compile(
    r"\s?(?:円|ドル|%|パーセント|時|分|秒|個|台|回|件|人|名|歳|才|年|月|日|か月|ヶ月|カ月|週|ギガ|メガ|"
    r"(?:GB|MB|yen|dollars?|percent|minutes?|hours?|days?|years?|months?|items?|units?|am|pm)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DigitRun:
    start: int
    end: int
    digits: str
    plus: bool
    grouping: str  # the digits as ASCII with their separators kept: "090-1234-5678"


def digit_runs(norm: str) -> Iterator[DigitRun]:
    for match in _RUN.finditer(norm):
        run = _run(norm, match.start(), match.end())
        if run is not None:
            yield run


def _run(norm: str, start: int, end: int) -> DigitRun | None:
    # The pattern may end on a separator; the run ends with its last digit (the ー of
    # ニー is part of the digit, a trailing dash is not).
    *_, last = re.finditer(_DIGIT, norm[start:end])
    end = start + last.end()
    if not _is_reading(norm, start, end):
        return None
    raw = norm[start:end]
    grouping = re.sub(_DIGIT, lambda m: _value(m.group()), raw)
    return DigitRun(start, end, "".join(_digit_values(raw)), raw.lstrip("(").startswith("+"), grouping)


def _digit_values(raw: str) -> Iterator[str]:
    return (_value(m.group()) for m in re.finditer(_DIGIT, raw))


def _value(token: str) -> str:
    return _KANA_DIGITS.get(token) or _KANJI_DIGITS.get(token) or token


def _is_reading(norm: str, start: int, end: int) -> bool:
    """A run glued to other katakana is part of a word (シニア), one glued to 十/百 a quantity."""
    before = norm[start - 1] if start else " "
    after = norm[end] if end < len(norm) else " "
    if before in _POSITIONAL or after in _POSITIONAL:
        return False
    kana_at_edges = _KATAKANA.match(norm[start]) or _KATAKANA.match(norm[end - 1])
    return not (kana_at_edges and (_KATAKANA.match(before) or _KATAKANA.match(after)))


# Words that say what the next number is; looked for just before the run.
_ACCOUNT_CONTEXT = re.compile(
    r"(口座番号|会員番号|お客様番号|顧客番号|契約番号|会員ID|お客さま番号|加入者番号|証券番号|"
    r"account (?:number|no\.?)|member(?:ship)? (?:number|id)|customer (?:number|id))",
    re.IGNORECASE,
)
_CARD_TAIL_CONTEXT = re.compile(r"(末尾|下4桁|下四桁|下4けた|ending in|last (?:four|4))", re.IGNORECASE)
_CARD_CONTEXT = re.compile(r"(カード|card)", re.IGNORECASE)
_POSTCODE_CONTEXT = re.compile(r"(〒|郵便番号|postal code|post code|zip(?: code)?)", re.IGNORECASE)
_PHONE_CONTEXT = re.compile(r"(電話|携帯|連絡先|phone|mobile|call)", re.IGNORECASE)
_PREFECTURE_AHEAD = re.compile(r"\s?(?:北海道|東京都|京都府|大阪府|[一-龥]{2,3}県)")


def classify_run(norm: str, run: DigitRun, language: str) -> str | None:
    before = norm[max(0, run.start - 16) : run.start]
    n = len(run.digits)
    if n < 4 or (_UNIT.match(norm, run.end) and not _ACCOUNT_CONTEXT.search(before)):
        return None
    if _ACCOUNT_CONTEXT.search(before):
        return "ACCOUNT_NUMBER"
    if n == 4 and _CARD_TAIL_CONTEXT.search(before):
        return "CREDIT_DEBIT_NUMBER"
    if _is_postcode(norm, run, before):
        return "POSTCODE"
    if 13 <= n <= 19 and luhn_valid(run.digits):
        return "CREDIT_DEBIT_NUMBER"
    if _is_phone(run, language) or (n >= 10 and _PHONE_CONTEXT.search(before)):
        return "PHONE"
    if n >= 8 or (n >= 6 and _CARD_CONTEXT.search(before)) or is_whole_answer(norm, run.start, run.end):
        # A long number read out in a call is an identifier of some kind (a card number
        # that failed Luhn, a contract number): redact it rather than guess.
        return "ACCOUNT_NUMBER"
    return None


def _is_postcode(norm: str, run: DigitRun, before: str) -> bool:
    after = norm[run.end : run.end + 8]
    if len(run.digits) == 7 and (
        _POSTCODE_CONTEXT.search(before[-8:]) or _POSTCODE_CONTEXT.search(after) or _PREFECTURE_AHEAD.match(after)
    ):
        return True
    return len(run.digits) in (5, 9) and bool(re.search(r"zip", before, re.IGNORECASE))


def luhn_valid(digits: str) -> bool:
    return _credit_card_recognizer().validate_result(digits)


@cache
def _credit_card_recognizer():  # type: ignore[no-untyped-def]
    # Presidio's recognizer carries the checksum; imported late because Presidio pulls
    # in spaCy, which a web process that never redacts should not pay for.
    from presidio_analyzer.predefined_recognizers import CreditCardRecognizer

    return CreditCardRecognizer()


def _is_phone(run: DigitRun, language: str) -> bool:
    digits = run.digits
    if run.plus:
        return _possible("+" + digits, None, strict=False)
    if language.startswith("ja") or digits.startswith("0"):
        # Valid by the numbering plan, or at least shaped like a number said in groups
        # (045-12-3456): a misheard or unallocated number is still someone's number.
        grouped = len(re.findall(r"\d+", run.grouping)) in (2, 3, 4)
        return digits.startswith("0") and (
            len(digits) in (10, 11) and _possible(digits, "JP") or 9 <= len(digits) <= 11 and grouped
        )
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return len(digits) == 10 and _possible(digits, "US", strict=False)


def _possible(number: str, region: str | None, strict: bool = True) -> bool:
    """Japanese numbers are checked against the numbering plan; North American ones
    only for length, because the 555-01xx numbers of films and examples are not valid."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return False
    return (phonenumbers.is_valid_number if strict else phonenumbers.is_possible_number)(parsed)


def _with_letter_prefix(norm: str, start: int) -> int:
    """Member numbers often lead with letters (AB12345678); the letters belong to it."""
    while start and (norm[start - 1].isascii() and norm[start - 1].isalpha() or norm[start - 1] == "-"):
        start -= 1
    return start


def _with_postal_mark(norm: str, start: int) -> int:
    """〒 is part of what Contact Lens would remove: 〒530-0001 → [PII]."""
    mark = re.search(r"〒\s?$", norm[max(0, start - 2) : start])
    return start - len(mark.group()) if mark else start


def numbers(norm: str, language: str) -> list[Span]:
    found = []
    for run in digit_runs(norm):
        for part, kind in _classified(norm, run, language):
            if kind == "ACCOUNT_NUMBER":
                found.append((kind, _with_letter_prefix(norm, part.start), part.end))
            elif kind == "POSTCODE":
                found.append((kind, _with_postal_mark(norm, part.start), part.end))
            elif kind:
                found.append((kind, part.start, part.end))
    return found


def _classified(norm: str, run: DigitRun, language: str) -> list[tuple[DigitRun, str | None]]:
    """A run that is nothing as a whole may be a list ("+81 3-1234-5678、03-1234-5678"):
    split at the reading commas when every part is then something specific."""
    kind = classify_run(norm, run, language)
    if kind not in (None, "ACCOUNT_NUMBER") or "、" not in norm[run.start : run.end]:
        return [(run, kind)]
    pieces = [
        (m.start() + run.start, m.end() + run.start)
        for m in re.finditer(r"[^、\s]+(?:\s+[^、\s]+)*", norm[run.start : run.end])
    ]
    parts = [_run(norm, start, end) if re.search(_DIGIT, norm[start:end]) else None for start, end in pieces]
    kinds = [classify_run(norm, part, language) if part else None for part in parts]
    if all(k not in (None, "ACCOUNT_NUMBER") for k in kinds):
        return [(part, k) for part, k in zip(parts, kinds, strict=True) if part is not None]
    return [(run, kind)]
