"""A zip of a search's recordings and transcripts, streamed from S3 to the client.

Nothing is built in memory or on disk: each WAV is read from S3 in chunks
(`recordings.storage` through `recordings.services.recording_download`) and written
to the response as it arrives (`zipstream-ng`, stored, not compressed: WAV does not
compress). Every file goes through the same service as its single download, which
checks the user's permissions for that version (`recordings.policy`) and audits it,
one event per file. `manifest.csv`, last, says for every contact and version what
was included, and why anything was left out.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection, connections
from django.utils import translation
from django.utils.translation import gettext as _
from zipstream import ZIP_DEFLATED, ZipStream

from bulk import selectors
from portal.accounts import permissions as p
from portal.audit.services import audit_record
from recordings import policy, services, storage
from recordings.models import ORIGINAL, REDACTED
from search.criteria import SearchCriteria

CHUNK = 1024 * 1024
INCLUDED = "INCLUDED"
SKIPPED = "SKIPPED"
MANIFEST_HEADER = ("contact_id", "file", "kind", "version", "size", "outcome", "detail")
_DOWNLOAD_PERMISSIONS = (
    p.RECORDINGS_REDACTED_DOWNLOAD,
    p.RECORDINGS_UNREDACTED_DOWNLOAD,
    p.TRANSCRIPTS_UNREDACTED_DOWNLOAD,
)


@dataclass(frozen=True)
class Archive:
    count: int
    chunks: Iterator[bytes]


def bulk_zip_check(*, user) -> None:
    from bulk.services import BulkRefused

    if not any(name in user.connect_permissions for name in _DOWNLOAD_PERMISSIONS):
        raise BulkRefused(
            BulkRefused.FORBIDDEN,
            _("Downloading needs the %(permission)s permission.") % {"permission": p.RECORDINGS_REDACTED_DOWNLOAD},
        )


def bulk_zip_start(*, user, criteria: SearchCriteria, reason: str, expected_count, request=None) -> Archive:
    """Check everything that can refuse the download before the first byte goes out.
    Raises `BulkRefused` (and the search's own errors)."""
    from bulk.services import bulk_confirmed_ids

    bulk_zip_check(user=user)
    ids = bulk_confirmed_ids(user=user, criteria=criteria, expected_count=expected_count)
    reason = (reason or "").strip()
    audit_record(
        action="bulk_download", actor=user, request=request,
        details={"total": len(ids), "reason": reason, "criteria": criteria.audit_details()},
    )  # fmt: skip
    language = translation.get_language()
    return Archive(len(ids), _zip_chunks(user=user, ids=ids, reason=reason, request=request, language=language))


def _zip_chunks(*, user, ids: list[str], reason: str, request, language: str | None) -> Iterator[bytes]:
    # The body is generated after the view returned: keep the user's language for the manifest.
    with translation.override(language):
        archive = ZipStream(sized=False)
        rows: list[tuple] = []
        for entry in _one_ahead(_entries(user, ids, reason, request, rows), language):
            archive.add(entry.data, entry.name, size=entry.size, compress_type=entry.compress)
            yield from archive.all_files()
        archive.add(_manifest(rows), "manifest.csv", compress_type=ZIP_DEFLATED)
        yield from archive.finalize()


def _entries(user, ids: list[str], reason: str, request, rows: list[tuple]) -> Iterator[_Entry]:
    """Each file to send, checked, audited and opened; what is left out goes to `rows`."""
    for start in range(0, len(ids), 200):
        batch = ids[start : start + 200]
        contacts = {c.contact_id: c for c in selectors.bulk_contacts(user=user, contact_ids=batch)}
        for contact_id in batch:
            contact = contacts.get(contact_id)
            if contact is None:  # left the user's scope since the count
                rows.append((contact_id, "", "", "", "", SKIPPED, _("The contact is no longer in your scope.")))
                continue
            yield from _contact_files(contact, user, reason, request, rows)


def _one_ahead(entries: Iterator[_Entry], language: str | None) -> Iterator[_Entry]:
    """The entries, the next one prepared (checked, audited, its S3 stream opened) on a
    thread while the current one streams: those few milliseconds per file, waiting on
    PostgreSQL and S3, would otherwise stop the stream each time.

    Inside a transaction (a test's, or a caller's) the thread's own connection could not
    see its rows: then the entries come one after the other, in this thread."""
    if connection.in_atomic_block:
        yield from entries
        return

    def step() -> _Entry | None:
        with translation.override(language):
            return next(entries, None)

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-zip")
    try:
        ahead = pool.submit(step)
        while (entry := ahead.result()) is not None:
            ahead = pool.submit(step)
            yield entry
    finally:
        # The client may have gone: let the thread finish its step, then close its connection.
        pool.submit(connections.close_all).result()
        pool.shutdown()


@dataclass(frozen=True)
class _Entry:
    name: str
    data: object
    size: int | None
    compress: int | None = None


def _contact_files(contact, user, reason: str, request, rows: list[tuple]) -> Iterator[_Entry]:
    cid = contact.contact_id
    for version in (REDACTED, ORIGINAL):
        name = f"{cid}/recording-{version.lower()}.wav"
        try:
            download = services.recording_download(
                contact=contact, user=user, version=version, reason=_reason_for(version, reason), request=request
            )
        except policy.Denied as denied:
            rows.append((cid, "", "recording", version, "", SKIPPED, denied.message))
            continue
        except storage.StorageError as error:
            rows.append((cid, "", "recording", version, "", SKIPPED, _storage_message(error)))
            continue
        rows.append((cid, name, "recording", version, download.size, INCLUDED, ""))
        yield _Entry(name, _download_chunks(download), download.size)
    for version in (REDACTED, ORIGINAL):
        name = f"{cid}/transcript-{version.lower()}.json"
        try:
            transcript = services.transcript_download(
                contact=contact, user=user, version=version, reason=_reason_for(version, reason), request=request
            )
        except policy.Denied as denied:
            rows.append((cid, "", "transcript", version, "", SKIPPED, denied.message))
            continue
        except storage.StorageError as error:
            rows.append((cid, "", "transcript", version, "", SKIPPED, _storage_message(error)))
            continue
        body = json.dumps(
            {"ContactId": cid, "Version": transcript.version, "Transcript": transcript.turns}, ensure_ascii=False
        ).encode()
        rows.append((cid, name, "transcript", version, len(body), INCLUDED, ""))
        yield _Entry(name, body, len(body), ZIP_DEFLATED)


def _reason_for(version: str, reason: str) -> str:
    # A reason is asked only for the original; the redacted version is audited without one.
    return reason if version == ORIGINAL else ""


def _storage_message(error: storage.StorageError) -> str:
    if isinstance(error, storage.ObjectMissing):
        return _("The file is not in storage; the bucket's lifecycle rule may have removed it.")
    return _("Storage could not be reached.")


def _download_chunks(download: services.Download) -> Iterator[bytes]:
    if download.chunks is not None:
        yield from download.chunks
        return
    with download.handle as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def _manifest(rows: list[tuple]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(MANIFEST_HEADER)
    writer.writerows(rows)
    # A byte-order mark, so spreadsheet programs read Japanese text as UTF-8.
    return ("\ufeff" + out.getvalue()).encode()
