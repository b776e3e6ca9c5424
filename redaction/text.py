"""What every pattern family shares: the span type, width normalising, the bare answer."""

from __future__ import annotations

import re

Span = tuple[str, int, int]  # (entity type, start, end) in the original text

# Full-width ASCII (０-９, Ａ-Ｚ, ＠, ＋ …) → ASCII, one character for one, so offsets hold.
_WIDE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def normalize(text: str) -> str:
    return text.translate(_WIDE)


# An utterance that is only the value is the answer to the question before it (and the
# expiry date? / 口座番号をお願いします): the value is what was asked for.
_FILLER = re.compile(
    r"(?:(?:はい|えっと|えーと|あの|ええ|あ|it'?s|it is|sure|yes|yeah|um|uh|okay|ok|it expires)[、,\s]*)*",
    re.IGNORECASE,
)
_ANSWER_END = re.compile(r"\s*(?:です|でございます|になります)?(?:ね|よ)?[。.!！]*\s*$")


def is_whole_answer(norm: str, start: int, end: int) -> bool:
    return bool(_FILLER.fullmatch(norm[:start]) and _ANSWER_END.match(norm[end:]))
