"""Bulk deletion in a real Celery worker: every S3 version gone for each contact, held
contacts skipped, per-contact outcomes, and a job whose worker was killed finishing
when its message comes back."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path

from bulk.models import BulkAction, BulkActionItem
from portal.audit.models import AuditEvent
from recordings import storage
from recordings.deletion import legal_hold_set
from recordings.models import Recording
from search.models import TranscriptTurn
from tests import databases
from tests.bulk.conftest import TIME_RANGE, recording_status
from tests.recordings.conftest import REPO, WorkerProcess, unique_queue, wait_for

API = "/api/v1/bulk-actions"


def _start(client, expected: int) -> str:
    body = {"Action": "DELETE_RECORDINGS", "Reason": "customer asked", "TimeRange": TIME_RANGE,
            "ExpectedCount": expected}  # fmt: skip
    answer = client.post(API, body, content_type="application/json")
    assert answer.status_code == 202, answer.content
    return answer.json()["BulkActionId"]


def _versions_left(bucket: str, media) -> int:
    return sum(storage.remaining_versions(bucket, key) for key in media.keys)


def test_bulk_deletion_deletes_each_recording_like_a_single_deletion(client, worker, bulk_world):
    w = bulk_world
    admin = w.people.admin
    held, gone = w.east
    legal_hold_set(contact=held.contact, user=admin, reason="court order")
    Recording.objects.filter(contact=gone.contact).update(status=Recording.DELETED)
    client.force_login(admin)
    job_id = _start(client, 5)
    wait_for(lambda: BulkAction.objects.get(pk=job_id).status == BulkAction.DONE, timeout=30, what="the job")

    answer = client.get(f"{API}/{job_id}").json()
    outcomes = {c["ContactId"]: c["Outcome"] for c in answer["Contacts"]}
    deleted = [*w.west, w.unhandled]
    assert outcomes == {
        held.contact_id: BulkActionItem.HELD,
        gone.contact_id: BulkActionItem.ALREADY_DELETED,
        w.chat.contact_id: BulkActionItem.NO_RECORDING,
        **{m.contact_id: BulkActionItem.DELETED for m in deleted},
    }
    assert answer["Done"] == answer["Count"] == 5 and answer["Status"] == "DONE"
    for m in deleted:
        assert recording_status(m.contact_id) == Recording.DELETED
        assert _versions_left(w.bucket, m) == 0, m.contact_id
        assert not TranscriptTurn.objects.filter(contact_id=m.contact_id).exists()
        completed = AuditEvent.objects.filter(action="recording_delete", contact_id=m.contact_id,
                                              details__stage="completed")  # fmt: skip
        assert completed.count() == 1
    assert recording_status(held.contact_id) == Recording.AVAILABLE
    assert _versions_left(w.bucket, held) == len(held.keys)
    page = client.get(f"/bulk/{job_id}/")
    assert page.status_code == 200 and "Skipped: legal hold" in page.content.decode()


def test_bulk_deletion_needs_the_permission_and_a_second_factor(client, people):
    from allauth.mfa.models import Authenticator

    client.force_login(people.supervisor)
    assert client.post(API, {"Action": "DELETE_RECORDINGS", "Reason": "x", "TimeRange": TIME_RANGE,
                             "ExpectedCount": 4}, content_type="application/json").status_code == 403  # fmt: skip
    Authenticator.objects.filter(user=people.admin).delete()
    client.force_login(people.admin)
    refused = client.post(API, {"Action": "DELETE_RECORDINGS", "Reason": "x", "TimeRange": TIME_RANGE,
                                "ExpectedCount": 5}, content_type="application/json")  # fmt: skip
    assert refused.status_code == 403 and "multi-factor" in refused.json()["Message"]
    assert client.get("/bulk/").status_code == 302  # sent to enrol first
    assert not BulkAction.objects.exists()


def _start_worker(queue: str, log_dir: Path, cache_dir: Path) -> WorkerProcess:
    log = log_dir / f"bulk-worker-{uuid.uuid4().hex[:6]}.log"
    env = {**os.environ, "DATABASE_URL": databases.test_database_url(), "CELERY_QUEUE": queue, "DB_CONN_MAX_AGE": "0",
           "RECORDING_CACHE_DIR": str(cache_dir), "TEST_VISIBILITY_TIMEOUT": "2", "TEST_BULK_ITEM_DELAY": "0.25"}  # fmt: skip
    command = [str(REPO / ".venv" / "bin" / "celery"), "-A", "tests.bulk.worker_app", "worker", "-Q", queue,
               "-n", f"{queue}-{uuid.uuid4().hex[:4]}@%h", "--concurrency", "1", "--pool", "prefork",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]  # fmt: skip
    handle = open(log, "wb")  # noqa: SIM115 - owned by the child
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT,
                               start_new_session=True)  # fmt: skip
    started = WorkerProcess(process, log, queue)
    wait_for(lambda: " ready." in started.output() or process.poll() is not None, timeout=60, what="the worker")
    assert process.poll() is None, started.output()[-3000:]
    return started


def test_a_killed_workers_bulk_deletion_completes_on_retry(client, transactional_db, bulk_world, tmp_path, settings):
    from portal.celery import app

    w = bulk_world
    queue = unique_queue()
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    first = _start_worker(queue, tmp_path, tmp_path)
    try:
        client.force_login(w.people.admin)
        job_id = _start(client, 5)
        items = BulkActionItem.objects.filter(bulk_action_id=job_id)
        wait_for(lambda: items.exclude(outcome="").count() >= 2, timeout=60, what="two contacts done")
        first.kill()
        done_before = items.exclude(outcome="").count()
        assert done_before < 5 and BulkAction.objects.get(pk=job_id).status == BulkAction.RUNNING
        started = time.monotonic()
        second = _start_worker(queue, tmp_path, tmp_path)
        try:
            wait_for(lambda: BulkAction.objects.get(pk=job_id).status == BulkAction.DONE, timeout=60,
                     what="the job to finish after the restart")  # fmt: skip
        finally:
            second.stop()
        print(f"resumed and finished {5 - done_before} contacts in {time.monotonic() - started:.1f} s")
    finally:
        first.stop()
        app.conf.task_default_queue = previous
    assert items.filter(outcome=BulkActionItem.DELETED).count() == 4
    assert items.filter(outcome=BulkActionItem.NO_RECORDING).count() == 1
    assert BulkAction.objects.get(pk=job_id).attempts == 2
    for m in w.media.values():
        assert recording_status(m.contact_id) == Recording.DELETED
        assert _versions_left(w.bucket, m) == 0
        assert AuditEvent.objects.filter(action="recording_delete", contact_id=m.contact_id,
                                         details__stage="completed").count() == 1  # fmt: skip
