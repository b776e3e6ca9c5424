"""Original analyses that need not be downloaded.

For a contact with a redacted analysis only the original's S3 key is kept (its text
never is), and Connect writes the same metrics into both files. So once the redacted
twin is written, an original is settled by recording its key: no GET, no parse, and
no ORIGINAL search document built only to be deleted again.

The twin is matched by the contact id in the original's file name. File names usually,
not always, are contact ids: an original whose name finds no redacted row is read as
usual.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from django.db import transaction

from search.ingest.analysis_writer import original_keys_record
from search.ingest.sources import SourceObject

CHUNK = 500  # originals per UPDATE
_UUID = r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}"
# Connect's name for an original analysis, in its folder (not under Redacted/).
_ORIGINAL = re.compile(
    rf"(?:^|/)Analysis/[^/]+/(?!Redacted/)(?:[^/]+/)*({_UUID})_analysis_\d{{4}}-\d{{2}}-\d{{2}}T[^/]*\.json$"
)


def original_contact_id(key: str) -> str | None:
    match = _ORIGINAL.search(key)
    return match.group(1) if match else None


def without_settled_originals(
    objects: Iterator[SourceObject], settled: Callable[[list[SourceObject]], None]
) -> Iterator[SourceObject]:
    """`objects` less the originals whose redacted twin is already stored. Those are
    passed to `settled` (to be marked read) inside the transaction recording their keys.
    Other objects pass straight through; originals wait in chunks of CHUNK."""
    waiting: list[SourceObject] = []
    for obj in objects:
        if original_contact_id(obj.key) is None:
            yield obj
            continue
        waiting.append(obj)
        if len(waiting) >= CHUNK:
            yield from _unsettled(waiting, settled)
            waiting = []
    yield from _unsettled(waiting, settled)


def _unsettled(originals: list[SourceObject], settled: Callable[[list[SourceObject]], None]) -> list[SourceObject]:
    if not originals:
        return []
    named = [(original_contact_id(obj.key) or "", obj) for obj in originals]
    # The last original listed for a contact wins, as it would when read.
    keys = {contact_id: obj.key for contact_id, obj in named}
    with transaction.atomic():
        found = original_keys_record(keys)
        settled([obj for contact_id, obj in named if contact_id in found])
    return [obj for contact_id, obj in named if contact_id not in found]
