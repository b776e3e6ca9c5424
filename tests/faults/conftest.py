"""A private copy of the whole portal for the fault cases: PostgreSQL, Redis and S3 of
its own, a gunicorn web process, a Celery worker for fetches and deletions and one for
the S3 poller, all driven from outside as users and operators drive them.

Nothing here touches the shared services or the repository's var/: killing or pausing
one of these servers disturbs no other test.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.faults import data
from tests.faults.services import REPO, S3, Portal, Postgres, Process, Redis, wait_until, web_process, worker_process

MEDIA_CONTACTS = 26
# The broker's visibility timeout: a message unacknowledged for longer is handed out
# again, by whichever worker of this Redis looks first (the index is per database, not
# per queue). It must outlast a retry's countdown plus the task's run, or every waiting
# retry is delivered again and again; production keeps an hour.
VISIBILITY_TIMEOUT = 30
# The worker restarted after a kill looks for messages the dead one held, as production
# does after an hour: seconds, so the take-over happens in test time. Only that worker,
# and only until the case ends (see `up`).
KILL_VISIBILITY_TIMEOUT = 2
# Retries of a deletion at most 3 s apart (production: 300 s), well inside the timeout.
RETRY_PACE = {"RECORDING_DELETE_RETRY_BACKOFF": "1", "RECORDING_DELETE_RETRY_MAX_SECONDS": "3",
              "RECORDING_DELETE_RESEND_SECONDS": "1"}  # fmt: skip
WORKER_PACE = {"FAULT_CHUNK_DELAY": "0.4", "FAULT_DELETE_DELAY": "0.4", "FAULT_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
               **RETRY_PACE}  # fmt: skip
POLLER_PACE = {"FAULT_BATCH": "2", "FAULT_FLUSH_DELAY": "2.0", "FAULT_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}
# After a Redis failure every process skips Redis for this long (production: 5 s).
BREAKER_SECONDS = 1.0


@dataclass
class Marks:
    """The marker lines of `tests.faults.instrument`, read from one file."""

    path: Path
    offset: int = 0

    def skip_existing(self) -> None:
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def count(self, name: str) -> int:
        if not self.path.exists():
            return 0
        with open(self.path) as fh:
            fh.seek(self.offset)
            return sum(1 for line in fh if line.split()[1:2] == [name])

    def wait(self, name: str, count: int = 1, timeout: float = 20) -> None:
        wait_until(lambda: self.count(name) >= count, timeout, f"marker {name!r} x{count} in {self.path}")


@dataclass
class Stack:
    portal: Portal
    postgres: Postgres
    redis: Redis
    s3: S3
    web: Process
    worker: Process
    poller: Process
    seed: dict
    clean: dict[str, list[str]]
    workdir: Path
    worker_marks: Marks
    poller_marks: Marks
    contacts: list[str] = field(default_factory=list)
    ingest_db: str = "ingest"

    @property
    def base_url(self) -> str:
        return self.web.base_url  # type: ignore[attr-defined]

    def server(self, service: str):
        return {"postgres": self.postgres, "redis": self.redis, "s3": self.s3, "worker": self.worker}[service]

    def next_contact(self) -> str:
        return self.contacts.pop()

    def ensure_up(self) -> None:
        """Whatever an earlier case left down or paused comes back before the next one."""
        for server in (self.postgres, self.redis, self.s3, self.web, self.worker, self.poller):
            server.ensure_up()

    def forget_sign_in_attempts(self) -> None:
        """Each case signs in afresh: the suite signs in more often from one address than
        the login rate limit allows a person (30 a minute)."""
        import redis

        client = redis.Redis.from_url(self.redis.url, socket_timeout=2)
        try:
            keys = list(client.scan_iter(match="*allauth:rl:*", count=1000))
            if keys:
                client.delete(*keys)
        finally:
            client.close()

    def start_worker(self, visibility: int) -> None:
        """Start the (stopped or killed) fetch and deletion worker with this visibility timeout."""
        self.worker._env["FAULT_VISIBILITY_TIMEOUT"] = str(visibility)  # type: ignore[attr-defined]
        self.worker.start()

    def restore_worker(self) -> None:
        """Back to the suite's visibility timeout, if a case started the worker with another."""
        env = self.worker._env  # type: ignore[attr-defined]
        if env["FAULT_VISIBILITY_TIMEOUT"] != str(VISIBILITY_TIMEOUT):
            env["FAULT_VISIBILITY_TIMEOUT"] = str(VISIBILITY_TIMEOUT)
            if self.worker.running:
                self.worker.stop()
                self.worker.start()

    def wait_healthy(self, timeout: float = 30) -> None:
        """Until /healthz is green: every process has found its way back to every service."""

        def healthy() -> bool:
            try:
                return requests.get(f"{self.base_url}/healthz", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        wait_until(healthy, timeout, "/healthz to report every service up", step=0.5)

    def api(self, method: str, path: str, *, timeout: float = 10, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.seed['token']}"}
        return requests.request(method, f"{self.base_url}/api/v1{path}", headers=headers, timeout=timeout, **kwargs)

    def sql(self, query: str, params=None, database: str = "portal") -> list[tuple]:
        return self.postgres.execute(database, query, params)

    def send_task(self, name: str, queue: str, *args) -> None:
        """Publish as Celery beat would, to this stack's Redis."""
        from celery import Celery

        app = Celery(broker=self.redis.url)
        app.conf.broker_transport_options = {"socket_connect_timeout": 2, "socket_timeout": 2}
        try:
            app.send_task(name, args=args, queue=queue)
        finally:
            app.close()

    def manage(self, *args: str, database: str = "portal", timeout: float = 60):
        return self.portal.manage(*args, database=database, timeout=timeout)

    def ingest_process(self, sources: list[str], marks: Path, **pace: str) -> subprocess.Popen:
        env = self.portal.env(self.ingest_db, FAULT_MARK_FILE=str(marks), **pace)
        return subprocess.Popen(
            [sys.executable, "-m", "tests.faults.ingest_main", *sources], cwd=REPO, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip


def _migrate_template(portal: Portal) -> None:
    portal.postgres.execute("postgres", "CREATE DATABASE template")
    done = portal.manage("migrate", "--no-input", "-v0", database="template", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("portal", "ingest", "clean"):
        portal.postgres.execute("postgres", f"CREATE DATABASE {name} TEMPLATE template")


def _seed(portal: Portal, bucket: str) -> dict:
    done = portal.manage("shell", "-c", f"from tests.faults.seed import main; import json; "
                         f"print('SEED ' + json.dumps(main({bucket!r}, {MEDIA_CONTACTS})))", timeout=120)  # fmt: skip
    found = re.search(r"^SEED (.*)$", done.stdout, re.M)
    assert done.returncode == 0 and found, done.stdout[-2000:] + done.stderr[-3000:]
    return json.loads(found.group(1))


def _start_all(*servers) -> None:
    errors: list[BaseException] = []

    def start(server) -> None:
        try:
            server.start()
        except BaseException as error:  # noqa: BLE001 - re-raised below, after the others started
            errors.append(error)

    threads = [threading.Thread(target=start, args=(server,)) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("faults")
    # PostgreSQL runs as another user when the suite runs as root, and pytest keeps its
    # temp root private (0700, reset by every pytest run): its data lives in /tmp itself.
    pg_dir = Path(tempfile.mkdtemp(prefix="portal-faults-pg-"))
    started: list = []
    try:
        postgres = Postgres(pg_dir)
        redis = Redis(_mkdir(workdir / "redis"))
        s3 = S3(_mkdir(workdir / "s3"))
        started += [s3, postgres, redis]
        _start_all(s3, postgres, redis)
        portal = Portal(postgres, redis, s3, workdir, bucket="faults-connect",
                        extra={"REDIS_BREAKER_SECONDS": str(BREAKER_SECONDS)})  # fmt: skip
        _migrate_template(portal)
        client = s3.client()
        data.upload(client, portal.bucket)
        s3.probe = (portal.bucket, "ctr/2026/11/01/part-0.json")
        seed = _seed(portal, "faults-media")
        clean_run = portal.manage("ingest", f"s3://{portal.bucket}/ctr/", f"s3://{portal.bucket}/Analysis/",
                                  database="clean")  # fmt: skip
        assert clean_run.returncode == 0, clean_run.stdout + clean_run.stderr
        clean = data.snapshot(postgres, "clean")
        assert len(clean["contacts"]) == data.CTR_FILES * data.RECORDS_PER_FILE and clean["turns"]
        worker_marks, poller_marks = Marks(workdir / "worker.marks"), Marks(workdir / "poller.marks")
        # The web process publishes fetches and deletions to the worker's queue.
        portal.extra["CELERY_QUEUE"] = queue = f"faults-main-{uuid.uuid4().hex[:8]}"
        web = web_process(portal, workdir)
        worker = worker_process(portal, workdir, queue, FAULT_MARK_FILE=str(worker_marks.path), **WORKER_PACE)
        poller_portal = Portal(postgres, redis, s3, workdir, bucket=portal.bucket, database="ingest",
                               extra={"REDIS_BREAKER_SECONDS": str(BREAKER_SECONDS)})  # fmt: skip
        poller = worker_process(poller_portal, workdir, FAULT_MARK_FILE=str(poller_marks.path), **POLLER_PACE)
        started += [web, worker, poller]
        _start_all(web, worker, poller)
        yield Stack(portal, postgres, redis, s3, web, worker, poller, seed, clean, workdir, worker_marks,
                    poller_marks, contacts=list(seed["contacts"]))  # fmt: skip
    finally:
        # Nothing is kept: no graceful stop (SeaweedFS alone takes up to 15 s for one).
        for server in reversed(started):
            with contextlib.suppress(Exception):
                server.destroy()
        shutil.rmtree(pg_dir, ignore_errors=True)


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


@pytest.fixture
def up(stack, request):
    """The stack with every server running, and markers counted from now."""
    stack.ensure_up()
    stack.wait_healthy()
    stack.forget_sign_in_attempts()
    stack.worker_marks.skip_existing()
    stack.poller_marks.skip_existing()
    started = time.monotonic()
    yield stack
    # A case must leave nothing paused: a paused server would stall the next case's set-up.
    for server in (stack.postgres, stack.redis, stack.s3, stack.worker, stack.poller):
        if server.paused:
            server.resume()
    stack.restore_worker()
    if "redis-" in request.node.name:
        # /healthz asks Redis directly; publishing waits out the web process's breaker.
        time.sleep(BREAKER_SECONDS)
    if request.node.get_closest_marker("xfail"):
        # A known failure may leave a worker that no longer consumes: start the next case afresh.
        for worker in (stack.worker, stack.poller):
            worker.stop()
            worker.start()
    assert time.monotonic() - started < 90, "a fault case ran for more than 90 s"
