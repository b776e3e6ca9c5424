"""Dates in transcripts: a full date with a year is a date of birth in a contact centre
(call dates are said without the year); a year and month alone is a card's expiry when
asked for.
"""

from __future__ import annotations

import re

from redaction.text import Span, is_whole_answer

_KANJI_DIGITS = dict(zip("〇零一二三四五六七八九", "00123456789", strict=True))
_NUM = r"(?:\d{1,4}|[〇一二三四五六七八九十百千元]{1,5})"
_ERA_BASE = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018}
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_FULL_DATES = (
    re.compile(rf"(?P<era>明治|大正|昭和|平成|令和)?\s?(?P<y>{_NUM})\s?年\s?(?P<m>{_NUM})\s?月\s?(?P<d>{_NUM})\s?日"),
    re.compile(r"(?P<y>(?:19|20)\d{2})\s?[/.\-]\s?(?P<m>\d{1,2})\s?[/.\-]\s?(?P<d>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>(?:19|20)\d{2})(?!\d)"),
    re.compile(rf"\b(?P<mn>{_MONTHS})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{{2}})\b"),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mn>{_MONTHS})\.?,?\s+(?P<y>(?:19|20)\d{{2}})\b"),
)
_BIRTH_CONTEXT = re.compile(r"(生年月日|誕生日|生まれ|birth|born|DOB)", re.IGNORECASE)
# The youngest customer who can hold a contract; a later full date is an appointment.
_LATEST_BIRTH_YEAR = 2015


def kanji_number(text: str) -> int | None:
    """ "1985", "六十", "十二", "元" (an era's first year) → int."""
    if text.isdigit():
        return int(text)
    if text == "元":
        return 1
    total, current = 0, 0
    for ch in text:
        if ch in _KANJI_DIGITS:
            current = current * 10 + int(_KANJI_DIGITS[ch])
        elif ch in "十百千":
            total += (current or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            current = 0
        else:
            return None
    return total + current


def _year(match: re.Match[str]) -> int | None:
    year = kanji_number(match.group("y"))
    era = match.groupdict().get("era")
    if year is None:
        return None
    return _ERA_BASE[era] + year if era else year


def dates_of_birth(norm: str) -> list[Span]:
    found = []
    for pattern in _FULL_DATES:
        for m in pattern.finditer(norm):
            year = _year(m)
            context = _BIRTH_CONTEXT.search(norm[max(0, m.start() - 20) : m.start()])
            if year is not None and (context or 1900 <= year <= _LATEST_BIRTH_YEAR):
                found.append(("DATE_OF_BIRTH", m.start(), m.end()))
    return found


_EXPIRY = (
    re.compile(rf"(?P<y>(?:20)?\d{{2}}|{_NUM})\s?年\s?(?P<m>{_NUM})\s?月(?!\s?[\d〇一二三四五六七八九十]|\s?日)"),
    re.compile(r"(?<![\d/])(?:0?[1-9]|1[0-2])\s?/\s?(?:20)?\d{2}(?![\d/])"),
)
_EXPIRY_CONTEXT = re.compile(r"(有効期限|期限|expir|exp\.|valid (?:thru|through|until))", re.IGNORECASE)


def card_expiries(norm: str) -> list[Span]:
    found = []
    for pattern in _EXPIRY:
        for m in pattern.finditer(norm):
            context = _EXPIRY_CONTEXT.search(norm[max(0, m.start() - 12) : m.start()])
            if context or is_whole_answer(norm, m.start(), m.end()):
                found.append(("CREDIT_DEBIT_EXPIRY", m.start(), m.end()))
    return found
