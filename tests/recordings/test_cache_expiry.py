"""The cache expires after RECORDING_CACHE_TTL_SECONDS and stays under RECORDING_CACHE_MAX_BYTES,
swept by the beat task; expired jobs are retired and a new play fetches again."""

from __future__ import annotations

import os
import time

import pytest

from portal.celery import app
from recordings import audio_cache, tasks
from recordings.models import RecordingFetchJob
from tests.recordings.conftest import make_media

pytestmark = pytest.mark.django_db


def _ready_job(media, version="REDACTED", *, age: float = 0, size: int = 100):
    path = audio_cache.cache_path(media.contact_id, version)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return RecordingFetchJob.objects.create(contact=media.contact, version=version, status="READY",
                                            cache_path=str(path), bytes_done=size, bytes_total=size)  # fmt: skip


def test_beat_schedules_the_sweep():
    assert any(entry["task"] == "recordings.tasks.sweep_cache" for entry in app.conf.beat_schedule.values())
    assert "recordings.tasks.sweep_cache" in app.tasks


def test_expired_files_go_and_their_jobs_are_retired(settings, s3_bucket, recording_cache, org):
    settings.RECORDING_CACHE_TTL_SECONDS = 3600
    old = _ready_job(make_media(s3_bucket, agent=org.alice), age=4000)
    fresh = _ready_job(make_media(s3_bucket, agent=org.alice), age=5)
    assert tasks.sweep_cache() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == "FAILED" and "expired" in old.message and not os.path.exists(old.cache_path)
    assert fresh.status == "READY" and os.path.exists(fresh.cache_path)


def test_the_oldest_go_first_when_the_cache_is_full(settings, s3_bucket, recording_cache, org):
    settings.RECORDING_CACHE_MAX_BYTES = 250
    jobs = [_ready_job(make_media(s3_bucket, agent=org.alice), age=age) for age in (300, 200, 100)]
    assert tasks.sweep_cache() == 1
    assert [RecordingFetchJob.objects.get(pk=j.pk).status for j in jobs] == ["FAILED", "READY", "READY"]


def test_playing_again_after_expiry_starts_a_new_fetch(client, settings, s3_bucket, recording_cache, org, people):
    media = make_media(s3_bucket, agent=org.alice)
    expired = _ready_job(media)
    os.unlink(expired.cache_path)  # swept (or lost) behind the job's back
    client.force_login(people.qa)
    job = client.get(f"/api/v1/recording-jobs/{expired.pk}")
    assert job.status_code == 404  # qa never asked for that one
    expired.requesters.add(people.qa)
    stale = client.get(f"/api/v1/recording-jobs/{expired.pk}").json()
    assert stale["Status"] == "FAILED" and stale["AudioUrl"] is None and "expired" in stale["Message"]
    fresh = client.post(f"/api/v1/contacts/{media.contact_id}/recording/fetch", {"Version": "REDACTED"},
                        content_type="application/json").json()  # fmt: skip
    assert fresh["JobId"] != str(expired.pk) and fresh["Status"] == "QUEUED"
    expired.refresh_from_db()
    assert expired.status == "FAILED"
