"""Deleting many recordings at once: one listing per shared folder must still remove
every version and delete marker of exactly the batch's keys, the portal's files
included, and nothing of a neighbour listed in the same folders."""

from __future__ import annotations

import pytest
from django.conf import settings

from portal.audit.models import AuditEvent
from recordings import audio_cache, bulk_deletion, deletion, storage
from recordings.models import Recording
from search.models import TranscriptTurn
from tests.recordings.conftest import make_media, wav_bytes


def _every_version(bucket: str) -> set[tuple[str, str, bool]]:
    return {(v.key, v.version_id or "", v.is_delete_marker) for v in storage.versions_under(bucket, "")}


def _portal_files(bucket: str, contact_id: str) -> list[str]:
    keys = [f"{settings.PORTAL_REDACTION_PREFIX}{contact_id}/v1/redacted.wav",
            f"{settings.PORTAL_REDACTION_PREFIX}{contact_id}/v1/redacted.json"]  # fmt: skip
    for key in keys:
        storage.put_bytes(bucket, key, b"first")
        storage.put_bytes(bucket, key, b"second")
    storage.client().delete_object(Bucket=bucket, Key=keys[1])  # a delete marker on top
    return keys


def _cached(contact_id: str) -> list:
    final = audio_cache.cache_path(contact_id, "ORIGINAL")
    final.parent.mkdir(parents=True, exist_ok=True)
    paths = [final, final.with_name(f".{final.name}.0123abcd{audio_cache.PART_SUFFIX}")]
    for path in paths:
        path.write_bytes(b"RIFF")
    return paths


@pytest.mark.parametrize("page_size", [1000, 2], ids=["folder-listed-whole", "keys-listed-one-by-one"])
def test_a_batch_removes_exactly_its_contacts_versions(db, s3_versioned, recording_cache, org, people, monkeypatch,
                                                       page_size):  # fmt: skip
    # Pages of 2 make every folder "large": past the first page, each key is listed alone.
    monkeypatch.setattr(bulk_deletion, "_PAGE_SIZE", page_size)
    bucket = s3_versioned
    doomed = [make_media(bucket, agent=org.alice) for _ in range(2)]
    neighbour = make_media(bucket, agent=org.alice)  # same date folders, same portal prefix
    for media in doomed:
        storage.put_bytes(bucket, media.original_key, wav_bytes(1.0))  # a second version
        storage.client().delete_object(Bucket=bucket, Key=media.analysis_redacted_key)  # a delete marker
        media.keys += _portal_files(bucket, media.contact_id)
    neighbour.keys += _portal_files(bucket, neighbour.contact_id)
    cached = {media.contact_id: _cached(media.contact_id) for media in [*doomed, neighbour]}
    for media in doomed:
        deletion.recording_delete_request(contact=media.contact, user=people.admin, reason="erasure")
    doomed_keys = {key for media in doomed for key in media.keys}
    before = _every_version(bucket)
    assert {key for key, _, _ in before} >= doomed_keys | set(neighbour.keys)

    ids = [media.contact_id for media in doomed]
    assert bulk_deletion.recordings_delete_batch(contact_ids=ids) == set(ids)

    assert _every_version(bucket) == {item for item in before if item[0] not in doomed_keys}
    assert set(Recording.objects.filter(status=Recording.DELETED).values_list("contact__contact_id", flat=True)) == (
        set(ids)
    )
    assert set(TranscriptTurn.objects.values_list("contact_id", flat=True)) == {neighbour.contact_id}
    assert {cid: [path.exists() for path in paths] for cid, paths in cached.items()} == {
        **{cid: [False, False] for cid in ids}, neighbour.contact_id: [True, True],
    }  # fmt: skip
    completed = AuditEvent.objects.filter(action="recording_delete", details__stage="completed")
    assert sorted(completed.values_list("contact_id", "details__objects")) == sorted(
        (media.contact_id, len(media.keys)) for media in doomed
    )

    # Run again (a redelivered job): nothing more is deleted or audited.
    assert bulk_deletion.recordings_delete_batch(contact_ids=ids) == set(ids)
    assert completed.count() == 2
