"""Deleting many contacts' S3 objects and recordings at once, with every guarantee of a
single deletion (`recordings.deletion`): every version and delete marker of every key,
the portal's redacted files included, removed; S3 listed again to confirm nothing is
left before anything is marked DELETED; transcript text removed, cached audio evicted,
live fetches failed, each contact audited. Safe to run again on the same contacts.

The difference is the number of calls. Connect writes a day's recordings and Contact
Lens files into shared date folders, and the portal writes every contact's files under
one prefix, so the keys of a batch are found with one version listing per shared folder
(filtered to the batch's keys) instead of one listing per key, and removed with
DeleteObjects, 1,000 versions a call. The database is read and written per batch.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from portal.audit.services import audit_record_many
from recordings import audio_cache, storage
from recordings.deletion import GONE, ObjectsRemain
from recordings.models import Recording, RecordingFetchJob
from search.models import Contact, ContactAnalysis, TranscriptSearchDoc, TranscriptTurn

Key = tuple[str, str]  # (bucket, key)
_LISTING_THREADS = 8
_PAGE_SIZE = 1000  # S3's most
# A page of 1,000 versions costs botocore about as much time as this many small listings.
_KEYS_PER_PAGE = 32
_DELETE_THREADS = 8
_MIN_DELETE_CALL = 100  # versions: smaller calls cost more in requests than they save


@dataclass
class ContactObjects:
    """One contact's objects: the keys its rows name, and the portal's folder for it in
    each of `buckets` (everything under it is the contact's). `listed` holds what the
    last listing found, by key."""

    contact_id: str
    named: list[Key]
    buckets: list[str]
    listed: dict[Key, list[storage.ObjectVersion]] = field(default_factory=dict)

    @property
    def keys(self) -> list[Key]:
        """Every key of the contact: named, or found under its portal folder."""
        return list(dict.fromkeys([*self.named, *self.listed]))

    @property
    def versions_left(self) -> int:
        return sum(len(versions) for versions in self.listed.values())


def contact_objects(contacts: Iterable[Contact]) -> list[ContactObjects]:
    """What each contact holds in S3, read with two queries for the whole batch."""
    contacts = list(contacts)
    pks = [contact.pk for contact in contacts]
    locations = dict(Recording.objects.filter(contact_id__in=pks).values_list("contact_id", "location"))
    analyses = {
        a.contact_id: a for a in ContactAnalysis.objects.filter(contact_id__in=[c.contact_id for c in contacts])
    }
    found = []
    for contact in contacts:
        named: list[Key] = []
        location = locations.get(contact.pk)
        if location:
            named.append(storage.split_location(location))
        analysis = analyses.get(contact.contact_id)
        if analysis is not None:
            named += [(analysis.bucket, key) for key in
                      (analysis.redacted_audio_key, analysis.original_key, analysis.redacted_key) if key]  # fmt: skip
        # The portal writes beside the analysis; the recording's bucket is looked in as well.
        buckets = [bucket for bucket in (analysis.bucket if analysis else "", named[0][0] if named else "") if bucket]
        found.append(ContactObjects(contact.contact_id, list(dict.fromkeys(named)), list(dict.fromkeys(buckets))))
    return found


def _folder(key: str) -> str:
    return key.rpartition("/")[0] + "/" if "/" in key else ""


def objects_list(objects: list[ContactObjects]) -> None:
    """Fill each contact's `listed` with every version and delete marker of its keys, one
    listing per shared folder. Raises `storage.StorageError`."""
    from redaction.services import contact_prefix

    owner: dict[Key, ContactObjects] = {}
    folders: dict[Key, list[str]] = {}  # (bucket, folder): the keys and contact folders wanted in it
    portal_parent = _folder(contact_prefix("x").rstrip("/"))
    for item in objects:
        item.listed = {}
        for bucket, key in item.named:
            owner[(bucket, key)] = item
            folders.setdefault((bucket, _folder(key)), []).append(key)
        for bucket in item.buckets:
            owner[(bucket, contact_prefix(item.contact_id))] = item
            folders.setdefault((bucket, portal_parent), []).append(contact_prefix(item.contact_id))
    with ThreadPoolExecutor(max_workers=max(1, min(_LISTING_THREADS, len(folders)))) as pool:
        listings = list(pool.map(lambda target: (target, _list_folder(*target, folders[target])), folders))
    seen: set[tuple[str, storage.ObjectVersion]] = set()  # a key at a bucket's root lists the whole bucket
    for (bucket, folder), versions in listings:
        for version in versions:
            item = owner.get((bucket, version.key)) or owner.get((bucket, _portal_folder(folder, version.key)))
            if item is not None and (bucket, version) not in seen:
                seen.add((bucket, version))
                item.listed.setdefault((bucket, version.key), []).append(version)


def _list_folder(bucket: str, folder: str, wanted: list[str]) -> list[storage.ObjectVersion]:
    """The folder's versions, a page at a time. A folder far larger than the batch (a busy
    day's recordings, every contact the portal redacted) would cost more pages than
    listing each wanted key alone: past that many pages, the keys not reached yet are
    listed one by one, so the cost stays within about twice the cheaper way."""
    found: list[storage.ObjectVersion] = []
    budget = max(1, len(wanted) // _KEYS_PER_PAGE)
    for number, (page, more) in enumerate(storage.version_pages(bucket, folder, page_size=_PAGE_SIZE), start=1):
        found += page
        if not more:
            return found
        if number >= budget and found:
            break
    reached = found[-1].key if found else ""
    # A key whose versions run on past the last page is listed again (duplicates are dropped).
    rest = [anchor for anchor in wanted if anchor >= reached or reached.startswith(anchor)]
    with ThreadPoolExecutor(max_workers=_LISTING_THREADS) as pool:
        for versions in pool.map(lambda anchor: storage.versions_under(bucket, anchor), rest):
            found += versions
    return found


def _portal_folder(parent: str, key: str) -> str:
    """The contact folder `parent` + `<ContactId>/` a key under `parent` would belong to."""
    head, slash, _ = key[len(parent) :].partition("/")
    return f"{parent}{head}/" if key.startswith(parent) and slash else ""


def objects_delete(
    objects: list[ContactObjects], *, before_each_round: Callable[[list[ContactObjects]], None] | None = None
) -> None:
    """Remove every version `objects_list` found, in DeleteObjects calls per bucket.
    S3 is listed again afterwards; a second round takes what a first left (a version
    written meanwhile, a key S3 refused), and anything still there raises `ObjectsRemain`.
    `before_each_round` sees each listing before its versions are deleted."""
    for _ in range(2):
        if before_each_round is not None:
            before_each_round(objects)
        _delete_listed(objects)
        objects_list(objects)
        if not any(item.listed for item in objects):
            return
    left = [f"s3://{bucket}/{key} ({len(versions)})" for item in objects for (bucket, key), versions in
            item.listed.items()]  # fmt: skip
    raise ObjectsRemain("still in storage: " + ", ".join(left[:10]))


def _delete_listed(objects: list[ContactObjects]) -> None:
    """DeleteObjects calls of up to 1,000 versions, several at once: S3 answers a call
    in time proportional to its size, so parallel calls take a fraction of the time."""
    by_bucket: dict[str, list[storage.ObjectVersion]] = {}
    for item in objects:
        for (bucket, _key), versions in item.listed.items():
            by_bucket.setdefault(bucket, []).extend(versions)
    calls = [(bucket, versions[first : first + size]) for bucket, versions in by_bucket.items()
             for size in [min(1000, max(_MIN_DELETE_CALL, -(-len(versions) // _DELETE_THREADS)))]
             for first in range(0, len(versions), size)]  # fmt: skip
    with ThreadPoolExecutor(max_workers=max(1, min(_DELETE_THREADS, len(calls)))) as pool:
        list(pool.map(lambda call: storage.delete_versions(*call), calls))


def objects_delete_for_good(objects: list[ContactObjects]) -> dict[str, int]:
    """List, delete and confirm; returns how many keys each contact had."""
    objects_list(objects)
    counts = {item.contact_id: len(item.keys) for item in objects}
    objects_delete(objects)
    return counts


def recordings_delete_batch(*, contact_ids: list[str]) -> set[str]:
    """Finish the deletion of those contacts' recordings that are DELETING, as
    `recording_delete_run` does for one; safe to run again. Returns the contact ids whose
    recording is DELETED afterwards. Raises `storage.StorageError` while anything is left
    in S3 (each recording keeps DELETING, with the message)."""
    contacts = list(
        Contact.objects.filter(contact_id__in=contact_ids, recording__status=Recording.DELETING).only("contact_id")
    )
    if contacts:
        _stop_playback(contacts)
        objects = contact_objects(contacts)
        try:
            counts = objects_delete_for_good(objects)
            _forget_transcripts([contact.contact_id for contact in contacts])
        except storage.StorageError as error:
            # updated_at marks the attempt: a deletion still trying is not stalled.
            Recording.objects.filter(contact__in=contacts, status=Recording.DELETING).update(
                deletion_message=str(error)[:500], updated_at=timezone.now()
            )
            raise
        _stop_playback(contacts)  # a fetch that finished meanwhile
        _mark_deleted(counts)
    return set(
        Recording.objects.filter(contact__contact_id__in=contact_ids, status=Recording.DELETED).values_list(
            "contact__contact_id", flat=True
        )
    )


def _stop_playback(contacts: list[Contact]) -> None:
    RecordingFetchJob.objects.filter(contact__in=contacts, status__in=RecordingFetchJob.LIVE).update(
        status=RecordingFetchJob.FAILED, message=GONE, finished_at=timezone.now()
    )
    cached_audio_evict([contact.contact_id for contact in contacts])


def cached_audio_evict(contact_ids: list[str]) -> None:
    """`audio_cache.evict` for many contacts with one scan of the cache directory (evict
    scans it twice per contact for a dead fetch's `.part` files)."""
    finals = {audio_cache.cache_path(cid, version).name for cid in contact_ids for version in ("REDACTED", "ORIGINAL")}
    try:
        entries = list(os.scandir(audio_cache.cache_dir()))
    except FileNotFoundError:
        return
    for entry in entries:
        # A fetch writes `.<final name>.<random>.part` before renaming it to the final name.
        part_of = entry.name[1:].removesuffix(audio_cache.PART_SUFFIX).rpartition(".")[0]
        if entry.name in finals or (
            entry.name.startswith(".") and entry.name.endswith(audio_cache.PART_SUFFIX) and part_of in finals
        ):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)


def _forget_transcripts(contact_ids: list[str]) -> None:
    with transaction.atomic():
        TranscriptTurn.objects.filter(contact_id__in=contact_ids).delete()
        TranscriptSearchDoc.objects.filter(contact_id__in=contact_ids).delete()


def _mark_deleted(counts: dict[str, int]) -> None:
    """DELETED and audited together; only recordings still DELETING, so a deletion run
    twice (or also finished by a single deletion's task) is audited once."""
    with transaction.atomic():
        now = timezone.now()
        rows = list(
            Recording.objects.select_for_update(of=("self",))
            .filter(contact__contact_id__in=list(counts), status=Recording.DELETING)
            .select_related("deleted_by", "contact")
            .only("deletion_reason", "deleted_by", "contact__contact_id")
        )
        Recording.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=Recording.DELETED, deleted_at=now, deletion_message="", updated_at=now
        )
        audit_record_many(action="recording_delete", events=[
            (row.deleted_by, row.contact.contact_id,
             {"stage": "completed", "reason": row.deletion_reason, "objects": counts[row.contact.contact_id]})
            for row in rows
        ])  # fmt: skip


def batches(items: list, size: int) -> Iterable[list]:
    for first in range(0, len(items), size):
        yield items[first : first + size]
