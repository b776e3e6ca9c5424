"""A worker killed half-way through an erasure: the message comes back, the next worker
takes the erasure over and finishes it from where the first stopped."""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest

from erasure import services
from erasure.models import Erasure, ErasureContact, ErasureObject
from recordings import storage
from search.models import Contact
from tests import databases
from tests.erasure.conftest import NUMBER, customer_media
from tests.recordings.conftest import REPO, WorkerProcess, persona, wait_for

pytestmark = [pytest.mark.worker]


def _start_worker(queue: str, tmp_path, **env: str) -> WorkerProcess:
    log = tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log"
    environment = {
        **os.environ, "DATABASE_URL": databases.test_database_url(), "CELERY_QUEUE": queue,
        "RECORDING_CACHE_DIR": str(tmp_path / "cache"), "DB_CONN_MAX_AGE": "0", "TEST_VISIBILITY_TIMEOUT": "2", **env,
    }  # fmt: skip
    command = [str(REPO / ".venv" / "bin" / "celery"), "-A", "tests.erasure.worker_app", "worker", "-Q", queue,
               "-n", f"{queue}-{uuid.uuid4().hex[:4]}@%h", "--concurrency", "1", "--pool", "prefork",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]  # fmt: skip
    handle = open(log, "wb")  # noqa: SIM115 - owned by the child
    process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=handle, stderr=subprocess.STDOUT,
                               start_new_session=True)  # fmt: skip
    worker = WorkerProcess(process, log, queue)
    wait_for(lambda: " ready." in worker.output() or process.poll() is not None, timeout=60, what="the worker")
    assert process.poll() is None, worker.output()[-3000:]
    return worker


def test_a_killed_worker_s_erasure_completes_on_the_next(transactional_db, celery_queue, s3_versioned, settings,
                                                          tmp_path, org):  # fmt: skip
    settings.CTR_SOURCE = f"s3://{s3_versioned}/ctr/"
    admin = persona("admin", "Admin")
    media = customer_media(s3_versioned, agent=org.alice, count=6)
    erasure = services.erasure_create(user=admin, phone=NUMBER, reason="GDPR request", enqueue=False)
    slow = _start_worker(celery_queue, tmp_path, TEST_ERASURE_DELETE_DELAY="0.15", TEST_ERASURE_BATCH="2",
                         ERASURE_S3_CONCURRENCY="2")  # fmt: skip
    try:
        assert services.erasure_enqueue(erasure_id=erasure.pk)
        erased = ErasureContact.objects.filter(erasure=erasure, state=ErasureContact.ERASED)
        wait_for(lambda: erased.count() >= 2, timeout=30, what="the first batch")
    finally:
        slow.kill()
    done_before = erased.count()
    assert 2 <= done_before < 6, slow.output()[-2000:]
    assert Erasure.objects.get(pk=erasure.pk).status == Erasure.RUNNING

    second = _start_worker(celery_queue, tmp_path)
    try:
        wait_for(lambda: Erasure.objects.get(pk=erasure.pk).status != Erasure.RUNNING, timeout=30,
                 what="the erasure to finish on the second worker")  # fmt: skip
    finally:
        second.stop()
    finished = Erasure.objects.get(pk=erasure.pk)
    assert finished.status == Erasure.DONE and finished.attempts == 2, second.output()[-3000:]
    assert erased.count() == 6
    recorded = set(ErasureObject.objects.filter(erasure=erasure).values_list("key", flat=True))
    for item in media:
        assert set(item.keys) <= recorded
        assert not any(storage.remaining_versions(item.bucket, key) for key in item.keys)
        assert Contact.objects.get(pk=item.contact.pk).erased_at is not None
