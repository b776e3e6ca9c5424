"""Addresses. Japanese: a prefecture or a municipality followed by block numbers
(1丁目2番3号, 1-2-3) and an optional building and room; or a prefecture and a city.
English: a house number and a street, then optionally city, state and ZIP.
"""

from __future__ import annotations

import re

from redaction.text import Span

_PREFECTURES = (
    "北海道|青森県|岩手県|宮城県|秋田県|山形県|福島県|茨城県|栃木県|群馬県|埼玉県|千葉県|東京都|神奈川県|"
    "新潟県|富山県|石川県|福井県|山梨県|長野県|岐阜県|静岡県|愛知県|三重県|滋賀県|京都府|大阪府|兵庫県|"
    "奈良県|和歌山県|鳥取県|島根県|岡山県|広島県|山口県|徳島県|香川県|愛媛県|高知県|福岡県|佐賀県|長崎県|"
    "熊本県|大分県|宮崎県|鹿児島県|沖縄県"
)
# Kyoto streets give directions inside the address (烏丸通御池下る): part of the place.
_PLACE_CHARS = r"(?:[一-龥々〆ヶケァ-ヴー]|[上下]る|[東西]入る)"
_KANJI_NUM = r"[0-9〇一二三四五六七八九十]"
# Municipalities written in hiragana are a short, closed list; an open [ぁ-ん]+ would
# take the particle before them (住所はさいたま市).
_KANA_MUNICIPALITIES = (
    "さいたま|つくばみらい|つくば|ひたちなか|いわき|かすみがうら|みどり|あきる野|いすみ|うるま|えびの|かほく|"
    "たつの|あわら|むつ|にかほ|さぬき|みよし|いちき串木野|南あわじ|おいらせ|ときがわ|みなかみ|かつらぎ|まんのう"
)
_MUNICIPALITY = rf"(?:{_PLACE_CHARS}{{1,8}}|{_KANA_MUNICIPALITIES})(?:市|区|郡|町|村)"
_BLOCK = (
    rf"{_KANJI_NUM}{{1,4}}\s?(?:丁目|番地|番|号|条|線|の|[-‐－−ー])"
    rf"(?:\s?(?:[東西南北]|{_KANJI_NUM}{{1,4}}\s?(?:丁目|番地の?|番|号|条|線|の|[-‐－−ー])?))*"
)
_BUILDING = rf"(?:\s?{_PLACE_CHARS}{{2,12}}\s?\d{{1,4}}(?:号室|号|階)?)?"
# With block numbers one administrative level is enough (世田谷区桜新町1丁目2番3号);
# without them it takes a prefecture and a city (東京都世田谷区), not a bare 東京.
# It must start at a prefecture or a municipality: a bare number must not match and
# swallow the address after it (〒530-0001 大阪府…).
_JA_ADDRESS_BLOCK = re.compile(
    rf"(?:{_PREFECTURES})(?:{_MUNICIPALITY}){{0,3}}{_PLACE_CHARS}{{0,12}}?{_BLOCK}{_BUILDING}"
    rf"|(?:{_MUNICIPALITY}){{1,3}}{_PLACE_CHARS}{{0,12}}?{_BLOCK}{_BUILDING}"
)
_JA_ADDRESS_AREA = re.compile(rf"(?:{_PREFECTURES})(?:{_MUNICIPALITY}){{1,3}}")
_STREET_TYPES = (
    "Street|St|Avenue|Ave|Road|Rd|Drive|Dr|Lane|Ln|Boulevard|Blvd|Way|Court|Ct|Place|Pl|Terrace|"
    "Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq"
)
_EN_ADDRESS = re.compile(
    rf"\b\d{{1,6}}\s+(?:[A-Z0-9][A-Za-z0-9']*\s+){{1,4}}(?:{_STREET_TYPES})\b\.?"
    r"(?:\s+(?:North|South|East|West|N|S|E|W|NE|NW|SE|SW)\b\.?)?"
    r"(?:,?\s+(?:Apt|Apartment|Suite|Unit|#)\.?\s*\w+)?"
    r"(?:,\s+[A-Z][A-Za-z.]*(?:\s+[A-Z][A-Za-z.]*){0,2})?"
    r"(?:,?\s+[A-Z]{2}(?:\s+(?:\d{5}(?:-\d{4})?|[A-Z]\d[A-Z]\s?\d[A-Z]\d|[A-Z]\d[A-Z])))?"
)


def addresses(norm: str) -> list[Span]:
    found = [("ADDRESS", m.start(), m.end()) for m in _EN_ADDRESS.finditer(norm)]
    for m in _JA_ADDRESS_BLOCK.finditer(norm):
        found.append(("ADDRESS", m.start(), m.start() + len(m.group().rstrip("-‐－−ーの "))))
    found += [("ADDRESS", m.start(), m.end()) for m in _JA_ADDRESS_AREA.finditer(norm)]
    return found
