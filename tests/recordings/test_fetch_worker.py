"""Playback through real Celery workers: sharing, retries, failures and a killed worker."""

from __future__ import annotations

import threading

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.test import Client

from portal.celery import app
from recordings import audio_cache, storage
from recordings.models import RecordingFetchJob
from tests.recordings.conftest import (
    big_wav_bytes,
    closed_port,
    make_media,
    start_worker_process,
    wait_for,
)

pytestmark = pytest.mark.worker


def _play(client: Client, contact_id: str, version: str = "REDACTED", reason: str = "") -> dict:
    response = client.post(
        f"/api/v1/contacts/{contact_id}/recording/fetch",
        {"Version": version, "Reason": reason},
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    return response.json()


def _job(client: Client, job_id: str, wait: float = 2) -> dict:
    response = client.get(f"/api/v1/recording-jobs/{job_id}?wait={wait}")
    assert response.status_code == 200, response.content
    return response.json()


def _finished(client: Client, job_id: str, timeout: float = 30) -> dict:
    def done():
        body = _job(client, job_id)
        return body if body["Status"] in ("READY", "FAILED") else None

    return wait_for(done, timeout=timeout, what=f"job {job_id}")


def test_play_fetches_through_the_worker_and_serves_ranges(client, worker, s3_bucket, org, people):
    media = make_media(s3_bucket, agent=org.alice)
    client.force_login(people.qa)
    body = _finished(client, _play(client, media.contact_id)["JobId"])
    assert body["Status"] == "READY" and body["AudioUrl"], worker.output()[-2000:]
    assert body["BytesDone"] == body["BytesTotal"] == len(media.redacted_audio)
    whole = client.get(body["AudioUrl"])
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == media.redacted_audio
    part = client.get(body["AudioUrl"], headers={"Range": "bytes=44-1043"})
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 44-1043/{len(media.redacted_audio)}"
    assert b"".join(part.streaming_content) == media.redacted_audio[44:1044]
    beyond = client.get(body["AudioUrl"], headers={"Range": f"bytes={len(media.redacted_audio)}-"})
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(media.redacted_audio)}"


def test_a_second_play_of_a_cached_recording_is_ready_at_once(client, worker, s3_bucket, org, people):
    media = make_media(s3_bucket, agent=org.alice)
    client.force_login(people.qa)
    first = _finished(client, _play(client, media.contact_id)["JobId"])
    again = _play(client, media.contact_id)
    assert again["Status"] == "READY" and again["AudioUrl"] and again["JobId"] == first["JobId"]
    assert RecordingFetchJob.objects.get().attempts == 1


def test_concurrent_plays_share_one_fetch(worker, s3_bucket, org, people):
    media = make_media(s3_bucket, agent=org.alice, audio=big_wav_bytes(8))
    users = [people.qa, people.supervisor, people.admin, people.agent] * 2
    answers: list[dict] = []
    barrier = threading.Barrier(len(users))

    def play(user):
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            answers.append(_play(client, media.contact_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=play, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == len(users)
    assert len({a["JobId"] for a in answers}) == 1
    job = RecordingFetchJob.objects.get()
    assert set(job.requesters.all()) == set(users)
    wait_for(lambda: RecordingFetchJob.objects.get().status == "READY", what="the shared fetch")
    assert RecordingFetchJob.objects.get().attempts == 1
    # Each of them can poll the shared job and gets a URL of their own.
    urls = set()
    for user in set(users):
        client = Client()
        client.force_login(user)
        urls.add(_job(client, job.pk)["AudioUrl"])
    assert len(urls) == len(set(users))


def test_only_the_users_who_asked_may_poll_a_job_or_use_its_url(client, worker, s3_bucket, org, people):
    media = make_media(s3_bucket, agent=org.alice)
    client.force_login(people.qa)
    body = _finished(client, _play(client, media.contact_id)["JobId"])
    other = Client()
    other.force_login(people.admin)  # may see the contact, but did not ask
    assert other.get(f"/api/v1/recording-jobs/{body['JobId']}").status_code == 404
    assert other.get(body["AudioUrl"]).status_code == 404  # the URL is bound to the qa user
    anonymous = Client()
    assert anonymous.get(body["AudioUrl"]).status_code == 401


def test_the_audio_url_re_checks_scope_and_permission(client, worker, s3_bucket, org, people):
    media = make_media(s3_bucket, agent=org.alice)
    client.force_login(people.supervisor)
    body = _finished(client, _play(client, media.contact_id)["JobId"])
    assert client.get(body["AudioUrl"]).status_code == 200
    people.supervisor.hierarchy_group = org.west  # moved to another branch
    people.supervisor.save(update_fields=["hierarchy_group"])
    assert client.get(body["AudioUrl"]).status_code == 404
    assert client.get(f"/api/v1/recording-jobs/{body['JobId']}").status_code == 404


def test_an_expired_audio_url_is_refused(client, worker, s3_bucket, org, people, settings):
    media = make_media(s3_bucket, agent=org.alice)
    client.force_login(people.qa)
    body = _finished(client, _play(client, media.contact_id)["JobId"])
    settings.AUDIO_URL_TTL_SECONDS = -1
    assert client.get(body["AudioUrl"]).status_code == 404


def test_a_missing_object_fails_with_a_clear_message(client, worker, s3_bucket, org, people):
    media = make_media(s3_bucket, agent=org.alice)
    storage.delete_every_version(s3_bucket, media.redacted_audio_key)
    client.force_login(people.qa)
    body = _finished(client, _play(client, media.contact_id)["JobId"])
    assert body["Status"] == "FAILED" and body["AudioUrl"] is None
    assert body["Message"] == "The recording is not in storage; the bucket's lifecycle rule may have removed it."
    # A later play tries again rather than repeating the old answer.
    assert _play(client, media.contact_id)["JobId"] != body["JobId"]


def test_a_stored_file_that_is_not_a_wav_fails_cleanly(client, worker, s3_bucket, org, people):
    media = make_media(s3_bucket, agent=org.alice)
    storage.put_bytes(s3_bucket, media.redacted_audio_key, b"<html>not audio</html>")
    client.force_login(people.qa)
    body = _finished(client, _play(client, media.contact_id)["JobId"])
    assert body["Status"] == "FAILED" and "not a valid WAV" in body["Message"]
    assert list(audio_cache.cache_dir().iterdir()) == []


def test_redis_down_gives_a_clear_message_and_search_keeps_working(client, transactional_db, broker_unreachable,
                                                                  s3_bucket, recording_cache, org, people):  # fmt: skip
    media = make_media(s3_bucket, agent=org.alice)
    client.force_login(people.qa)
    body = _play(client, media.contact_id)
    assert body["Status"] == "FAILED"
    assert "job queue cannot be reached" in body["Message"] and "Search still works" in body["Message"]
    assert client.get("/").status_code == 200
    assert client.get(f"/contacts/{media.contact_id}/").status_code == 200


def test_transient_s3_errors_are_retried_until_storage_answers(client, transactional_db, celery_queue, settings,
                                                               s3_bucket, recording_cache, org, people):  # fmt: skip
    media = make_media(s3_bucket, agent=org.alice)
    working = settings.S3_ENDPOINT_URL
    settings.S3_ENDPOINT_URL = f"http://127.0.0.1:{closed_port()}"
    storage.client.cache_clear()
    client.force_login(people.qa)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[celery_queue], shutdown_timeout=30):
            job_id = _play(client, media.contact_id)["JobId"]
            retrying = wait_for(lambda: (b := _job(client, job_id))["Message"] and b, what="a retry")
            assert retrying["Status"] == "QUEUED" and "retrying" in retrying["Message"]
            settings.S3_ENDPOINT_URL = working
            storage.client.cache_clear()
            body = _finished(client, job_id)
            assert body["Status"] == "READY", body
            assert RecordingFetchJob.objects.get(pk=job_id).attempts >= 2
    finally:
        settings.S3_ENDPOINT_URL = working
        storage.client.cache_clear()


def test_s3_down_for_good_ends_in_a_clear_failure(client, transactional_db, celery_queue, tmp_path,
                                                  s3_bucket, recording_cache, org, people):  # fmt: skip
    media = make_media(s3_bucket, agent=org.alice)
    down = start_worker_process(
        queue=celery_queue, cache_dir=recording_cache, log_dir=tmp_path,
        env={"S3_ENDPOINT_URL": f"http://127.0.0.1:{closed_port()}"},
    )  # fmt: skip
    try:
        client.force_login(people.qa)
        body = _finished(client, _play(client, media.contact_id)["JobId"], timeout=90)
    finally:
        down.stop()
    assert body["Status"] == "FAILED" and body["Message"] == "Storage could not be reached; try again later."
    assert RecordingFetchJob.objects.get().attempts == 5  # the first run and four retries


def test_a_worker_killed_mid_fetch_leaves_nothing_to_serve_and_the_job_completes(
    client, transactional_db, celery_queue, tmp_path, s3_bucket, recording_cache, org, people
):
    """kill -9 the worker (and its pool) while it streams a large object; the message
    comes back (late ack), another worker finishes, and only the complete file is served."""
    audio = big_wav_bytes(48)
    media = make_media(s3_bucket, agent=org.alice, audio=audio)
    client.force_login(people.supervisor)
    slow = start_worker_process(
        queue=celery_queue, cache_dir=recording_cache, log_dir=tmp_path,
        env={"TEST_S3_CHUNK_DELAY": "0.05", "TEST_VISIBILITY_TIMEOUT": "3"},
    )  # fmt: skip
    try:
        job_id = _play(client, media.contact_id, "ORIGINAL", "quality review")["JobId"]
        wait_for(lambda: RecordingFetchJob.objects.get(pk=job_id).bytes_done >= 8 * 1024 * 1024,
                 what="the fetch to be under way")  # fmt: skip
    finally:
        slow.kill()
    job = RecordingFetchJob.objects.get(pk=job_id)
    assert job.status == "RUNNING" and 0 < job.bytes_done < len(audio)
    final = audio_cache.cache_path(media.contact_id, "ORIGINAL")
    assert not final.exists()
    assert [p.name.endswith(".part") for p in recording_cache.iterdir()] == [True]  # only the torn temporary file
    polled = _job(client, job_id, wait=0)
    assert polled["Status"] == "RUNNING" and polled["AudioUrl"] is None
    from recordings.audio_tokens import audio_url

    assert (
        client.get(audio_url(user=people.supervisor, job=RecordingFetchJob.objects.get(pk=job_id))).status_code == 404
    )

    second = start_worker_process(queue=celery_queue, cache_dir=recording_cache, log_dir=tmp_path,
                                  env={"TEST_VISIBILITY_TIMEOUT": "3"})  # fmt: skip
    try:
        body = _finished(client, job_id, timeout=60)
    finally:
        second.stop()
    assert body["Status"] == "READY", second.output()[-3000:]
    assert RecordingFetchJob.objects.get(pk=job_id).attempts == 2
    served = client.get(body["AudioUrl"])
    assert b"".join(served.streaming_content) == audio


def test_no_worker_taking_the_job_is_explained(client, transactional_db, celery_queue, s3_bucket, recording_cache,
                                               org, people):  # fmt: skip
    """Redis is up but no worker listens: the job waits, and the user is told why at
    once (no worker has announced itself), and again if it waits long."""
    from datetime import timedelta

    from django.utils import timezone

    media = make_media(s3_bucket, agent=org.alice)
    client.force_login(people.qa)
    body = _play(client, media.contact_id)
    assert body["Status"] == "QUEUED" and "No recording worker is running right now" in body["Message"]
    from django.core.cache import cache

    cache.set(f"workers:present:{celery_queue}", 1, timeout=5)  # a worker that announced itself but is busy
    assert _job(client, body["JobId"], wait=0)["Message"] == ""
    RecordingFetchJob.objects.filter(pk=body["JobId"]).update(created_at=timezone.now() - timedelta(seconds=30))
    later = _job(client, body["JobId"], wait=0)
    assert later["Status"] == "QUEUED" and "workers may be down" in later["Message"]


def test_a_running_worker_announces_itself_and_its_queue_only(worker):
    from portal.worker_presence import workers_present

    assert wait_for(lambda: workers_present(worker.queue), timeout=10, what="the worker's presence key")
    assert workers_present()  # this process publishes to the worker's queue
    assert not workers_present(f"{worker.queue}-nobody")
