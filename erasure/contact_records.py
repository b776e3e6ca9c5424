"""Contact-record files under CTR_SOURCE hold the erased customer's number and
attributes too: each file holding an erased contact is written again with that record
reduced to its non-personal fields (marked erased), and every older version of the file
is deleted, so only the rewritten one is left.

The rest of the file stays byte for byte as Connect wrote it; a gzip file stays gzip.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.utils import timezone

from erasure.models import Erasure, ErasureObject
from recordings import storage
from search.ingest.decode import BadDocument, UnreadableFile, iter_documents_with_text, to_text

# What a contact record keeps once its customer is erased: ids, times, channel and
# routing, the agent and queue (Connect's own facts), never endpoints or attributes.
KEPT_FIELDS = (
    "AWSAccountId", "AWSContactTraceRecordFormatVersion", "InstanceARN", "ContactId", "InitialContactId",
    "PreviousContactId", "NextContactId", "RelatedContactId", "Channel", "InitiationMethod", "DisconnectReason",
    "InitiationTimestamp", "ConnectedToSystemTimestamp", "DisconnectTimestamp", "LastUpdateTimestamp",
    "ScheduledTimestamp", "TransferCompletedTimestamp", "Agent", "Queue", "AgentConnectionAttempts",
)  # fmt: skip
ERASED_MARK = "PortalErasure"


def erased_record(doc: dict, *, erasure_id: str, erased_at: str) -> dict:
    kept = {name: doc[name] for name in KEPT_FIELDS if name in doc}
    kept[ERASED_MARK] = {"ErasureId": erasure_id, "ErasedAt": erased_at}
    return kept


def contact_records_rewrite(*, erasure: Erasure, contact_ids: set[str], beat: Callable[[], None]) -> int:
    """Rewrite every file under the erasure's CTR source that holds one of `contact_ids`;
    returns how many. A local source is the operator's own copy: nothing here can rewrite it."""
    source = erasure.ctr_source
    if not contact_ids or not source.startswith("s3://"):
        return 0
    bucket, _, prefix = source.removeprefix("s3://").partition("/")
    keys = [info.key for info in storage.list_objects(bucket, prefix) if not info.key.endswith("/")]
    erasure_id = str(erasure.pk)
    with ThreadPoolExecutor(max_workers=max(1, settings.ERASURE_S3_CONCURRENCY)) as pool:
        # Threads only talk to S3; the certificate rows are written here, before deleting.
        rewritten = [r for r in pool.map(lambda key: _rewrite_one(bucket, key, contact_ids, erasure_id), keys) if r]
        older = [(key, version) for key, versions in rewritten for version in versions if version]
        _record(erasure, bucket, rewritten)
        list(pool.map(lambda item: storage.delete_version(bucket, item[0], item[1]), older))
    beat()
    return len(rewritten)


def _rewrite_one(bucket: str, key: str, contact_ids: set[str], erasure_id: str) -> tuple[str, list[str]] | None:
    """Write the file anew if it holds an erased contact; returns (key, the version ids
    to delete), the new version excluded. Without versioning the write itself replaced
    the only copy: an empty version id stands for it."""
    data = storage.get_bytes(bucket, key)
    try:
        text = to_text(data)
    except UnreadableFile:
        return None  # not read by ingest either; nothing of it is in the portal
    if not any(contact_id in text for contact_id in contact_ids):
        return None
    body = _without_personal_data(text, contact_ids, erasure_id=erasure_id)
    if body is None:
        return None
    payload = body.encode("utf-8", "surrogateescape")
    if data[:2] == b"\x1f\x8b":
        payload = gzip.compress(payload)
    keep = storage.put_bytes(bucket, key, payload, content_type="application/octet-stream")
    if keep is None:
        return key, [""]
    return key, [v.version_id or "" for v in storage.list_versions(bucket, key) if v.version_id != keep]


def _without_personal_data(text: str, contact_ids: set[str], *, erasure_id: str) -> str | None:
    """The file with each erased contact's record reduced; None when it holds none.
    Each reduced record takes the place of the original's own span of text; a record
    inside a JSON array has none, and then the whole file is written anew."""
    erased_at = timezone.now().isoformat()
    pieces: list[str] = []
    whole: list[dict] = []
    cursor, found, spans = 0, False, True
    for doc, raw in iter_documents_with_text(text):
        if isinstance(doc, BadDocument):
            continue
        erased = str(doc.get("ContactId") or "").strip() in contact_ids
        whole.append(erased_record(doc, erasure_id=erasure_id, erased_at=erased_at) if erased else doc)
        if not erased:
            continue
        found = True
        start = text.find(raw, cursor) if raw and spans else -1
        if start < 0:
            spans = False
            continue
        pieces += [text[cursor:start], _dumps(whole[-1])]
        cursor = start + len(raw)
    if not found:
        return None
    if not spans:
        return "\n".join(_dumps(doc) for doc in whole) + "\n"
    return "".join(pieces) + text[cursor:]


def _dumps(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _record(erasure: Erasure, bucket: str, rewritten: list[tuple[str, list[str]]]) -> None:
    now = timezone.now()
    ErasureObject.objects.bulk_create(
        [
            ErasureObject(
                erasure=erasure,
                kind=ErasureObject.CONTACT_RECORD_FILE,
                bucket=bucket,
                key=key,
                version_id=version,
                deleted_at=now,
            )  # fmt: skip
            for key, versions in rewritten
            for version in versions
        ],
        ignore_conflicts=True,
    )
