"""People's names in English transcripts, without a model: capitalised words where a
conversation puts a name (my name is …, this is …, Mr …, "Thanks, Jennifer.").

Contact Lens redacts English itself; this keeps the portal's fallback from leaving the
most common names of a call in place. It cannot find a name said anywhere else.
"""

from __future__ import annotations

import re

from redaction.text import Span

_NAME = r"[A-Z][a-z]*(?:['’][A-Z])?[a-z]+(?:-[A-Z][a-z]+)?"
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Dr|Mx)\.?\s+"
_FULL = rf"(?:{_TITLE})?{_NAME}(?:\s+{_NAME}){{0,2}}"
_CUES = (
    r"my name is|my name's|name is|this is|it's|it is|speaking with|speak with|speak to|spoke to|spoke with|"
    r"spoken to|talked to|talking to|talk to|is this|calling for|ask for|asked for|"
    r"my (?:wife|husband|partner|son|daughter|mother|father|mom|dad|brother|sister)"
)
_AFTER_CUE = re.compile(rf"\b(?i:{_CUES})\s+(?P<name>{_FULL})|(?P<title>{_TITLE}{_NAME})")
# "I'm" introduces a name only when the sentence goes on like an introduction
# ("I'm Priya from billing"); "I'm Canadian, so …" is not one.
_I_AM = re.compile(rf"\b(?i:i'm|i am)\s+(?P<name>{_FULL})(?=\s*(?:[.!]|(?i:from|with|calling|speaking|here)\b))")
# A name said to someone: "Thanks, Wei." "Happy to help, Jennifer!" "Hi Jennifer, …".
_VOCATIVE = re.compile(rf",\s+(?P<name>{_FULL})(?=\s*[.!?,])")
_GREETING = re.compile(rf"\b(?i:hi|hello|hey|thanks|thank you|bye|goodbye|welcome),?\s+(?P<name>{_FULL})\b")
# An answer that is only a first and last name ("Jennifer Hall."), asked for the turn before.
_ALONE = re.compile(rf"^\s*(?:(?i:yes|yeah|sure|um|uh|okay),?\s+)*(?P<name>{_NAME}\s+{_NAME}(?:\s+{_NAME})?)[.!]?\s*$")
# Capitalised words those places also hold that are not names.
_NOT_NAMES = {
    "I", "Sir", "Madam", "Ma'am", "Everyone", "Okay", "Ok", "Please", "Thanks", "Yes", "No", "Sure", "Bye",
    "Today", "Tomorrow", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "The", "This", "That", "It", "There", "Great", "Perfect", "Right", "Correct",
}  # fmt: skip
# A capitalised phrase ending in one of these is a company or a team, not a person.
_ORGANISATION = re.compile(
    r"\s+(?:Mobile|Bank|Care|Support|Inc|LLC|Ltd|Company|Corp|Services?|Cent(?:er|re)|Team|Department|Device)\b"
)


def names(norm: str) -> list[Span]:
    found = []
    for pattern in (_AFTER_CUE, _I_AM, _VOCATIVE, _GREETING, _ALONE):
        for m in pattern.finditer(norm):
            group = "title" if m.groupdict().get("title") else "name"
            start, end = _trim(norm, m.start(group), m.end(group))
            if start < end and not _ORGANISATION.match(norm, end) and not _ORGANISATION.search(norm[start:end]):
                found.append(("NAME", start, end))
    return found


def _trim(norm: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading and trailing words that are not names ("May Jennifer" → "Jennifer")."""
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", norm[start:end])]
    while words and norm[words[0][0] : words[0][1]] in _NOT_NAMES:
        words.pop(0)
    while words and norm[words[-1][0] : words[-1][1]] in _NOT_NAMES:
        words.pop()
    return (words[0][0], words[-1][1]) if words else (start, start)
