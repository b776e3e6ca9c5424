"""Every wait is bounded: with Redis paused (SIGSTOP, what a network partition looks like
to a client) or killed, with S3 accepting connections and never answering, and with a
search that outlives its statement timeout, each request answers within seconds with a
clear message, the rest of the portal keeps working, and work resumes by itself.

Redis here is a private `redis-server` on its own port (pausing the shared one would
stall every other suite), with its own Celery worker; S3's stand-in for a hung server
is a real TCP listener that accepts and never replies.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from portal.celery import app, broker_breaker
from portal.devstack.redis import find_server, ping
from recordings import storage
from recordings.models import Recording
from tests.factories import make_contact
from tests.recordings.conftest import (
    _fast_passwords,  # noqa: F401 - an autouse fixture
    _reset_producer,
    closed_port,
    make_media,
    start_worker_process,
    unique_queue,
    wait_for,
)

pytestmark = pytest.mark.worker

BOUND = 2.0  # seconds: what every request must answer within


# --- A private Redis, paused, killed and restarted at will ----------------------------


@dataclass
class PrivateRedis:
    port: int
    directory: Path
    pid: int = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        config = self.directory / "redis.conf"
        config.write_text(
            f"bind 127.0.0.1\nport {self.port}\ndaemonize yes\npidfile {self.directory / 'redis.pid'}\n"
            f'logfile {self.directory / "redis.log"}\ndir {self.directory}\nsave ""\nappendonly no\n'
        )
        subprocess.run([str(find_server()), str(config)], check=True, timeout=15, start_new_session=True)
        wait_for(lambda: ping(self.port, 0.2), timeout=10, what="the private redis-server")
        self.pid = int((self.directory / "redis.pid").read_text())

    def signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, sig)

    def pause(self) -> None:
        self.signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.signal(signal.SIGCONT)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        wait_for(lambda: not ping(self.port, 0.1), timeout=5, what="redis to die")

    def stop(self) -> None:
        self.resume()
        self.signal(signal.SIGTERM)


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory) -> Iterator[PrivateRedis]:
    server = PrivateRedis(port=closed_port(), directory=tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def redis_worker(private_redis, django_db_setup, django_db_blocker, tmp_path_factory):
    """A real worker whose broker is the private Redis."""
    cache_dir = tmp_path_factory.mktemp("worker-cache")
    with django_db_blocker.unblock():
        worker = start_worker_process(
            queue=unique_queue(), cache_dir=cache_dir, log_dir=tmp_path_factory.mktemp("logs"),
            env={"REDIS_URL": private_redis.url, "REDIS_BREAKER_SECONDS": "1"},
        )  # fmt: skip
    yield worker, cache_dir
    worker.stop()


@pytest.fixture
def on_private_redis(settings, private_redis, redis_worker):
    """This process's cache and broker on the private Redis, publishing to its worker."""
    worker, cache_dir = redis_worker
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": private_redis.url}}
    settings.REDIS_BREAKER_SECONDS = 1.0
    settings.RECORDING_CACHE_DIR = cache_dir
    previous = app.conf.broker_url, app.conf.task_default_queue
    app.conf.broker_url, app.conf.task_default_queue = private_redis.url, worker.queue
    _reset_producer(app)
    broker_breaker().reset()
    yield private_redis
    private_redis.resume()
    if not ping(private_redis.port, 0.2):
        private_redis.start()
    broker_breaker().reset()
    app.conf.broker_url, app.conf.task_default_queue = previous
    _reset_producer(app)


def timed(call, *args, **kwargs):
    started = time.monotonic()
    answer = call(*args, **kwargs)
    return answer, time.monotonic() - started


def healthz(client):
    response, seconds = timed(client.get, "/healthz")
    return response.status_code, response.json(), seconds


def play(client, contact_id: str):
    response, seconds = timed(
        client.post, f"/api/v1/contacts/{contact_id}/recording/fetch", {"Version": "REDACTED"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 202, response.content
    return response.json(), seconds


def delete(client, contact_id: str):
    return timed(client.delete, f"/api/v1/contacts/{contact_id}/recording", {"Reason": "erasure request"},
                 content_type="application/json")  # fmt: skip


def job_when_done(client, job_id: str) -> dict:
    def done():
        body = client.get(f"/api/v1/recording-jobs/{job_id}?wait=2").json()
        return body if body["Status"] in ("READY", "FAILED") else None

    return wait_for(done, timeout=30, what=f"job {job_id}")


def healthy_again(client) -> dict:
    def answers():
        status, body, _seconds = healthz(client)
        return body if status == 200 else None

    return wait_for(answers, timeout=20, step=0.3, what="/healthz to answer 200")


# --- Redis paused ----------------------------------------------------------------------


def test_a_paused_redis_is_reported_and_refused_within_bounds_then_work_resumes(
    client, transactional_db, settings, on_private_redis, s3_bucket, org, people
):
    redis_server = on_private_redis
    first, second, kept = (make_media(s3_bucket, agent=org.alice) for _ in range(3))
    client.force_login(people.admin)
    healthy_again(client)

    redis_server.pause()
    status, body, seconds = healthz(client)
    assert status == 503 and seconds < BOUND, (seconds, body)
    assert body["services"]["redis"].startswith("down") and body["services"]["workers"].startswith("down")
    assert body["services"]["database"] == "ok" and body["services"]["s3"] == "ok"
    assert "redis" in body["status"] and "workers" in body["status"]

    answer, seconds = play(client, first.contact_id)
    assert seconds < BOUND and answer["Status"] == "FAILED", (seconds, answer)
    assert "recording service is unavailable" in answer["Message"]
    # The next click in the same process does not wait for Redis again.
    answer, seconds = play(client, second.contact_id)
    assert seconds < 0.5 and answer["Status"] == "FAILED", (seconds, answer)

    response, seconds = delete(client, kept.contact_id)
    assert seconds < BOUND and response.status_code == 503, (seconds, response.content)
    assert response.json()["Type"] == "ServiceUnavailableException"
    assert "Deletions are unavailable right now" in response.json()["Message"]
    assert Recording.objects.get(contact=kept.contact).status == "AVAILABLE"  # nothing half-done
    page, seconds = timed(client.post, f"/contacts/{kept.contact_id}/recording/delete", {"reason": "erasure"},
                          follow=True)  # fmt: skip
    assert seconds < BOUND and "Deletions are unavailable right now" in page.content.decode()

    for url in ("/", "/?channel=VOICE", f"/contacts/{kept.contact_id}/", "/search/export.csv?channel=VOICE"):
        response, seconds = timed(client.get, url)
        assert response.status_code == 200 and seconds < BOUND, (url, response.status_code, seconds)
    transcript, seconds = timed(client.get, f"/api/v1/contacts/{kept.contact_id}/transcript")
    assert transcript.status_code == 200 and transcript.json()["Transcript"] and seconds < BOUND

    redis_server.resume()
    body = healthy_again(client)  # no restart of anything: the breakers close by themselves
    time.sleep(settings.REDIS_BREAKER_SECONDS)
    assert body["services"]["redis"] == "ok" and body["services"]["workers"].startswith("ok")
    answer, _seconds = play(client, first.contact_id)
    assert job_when_done(client, answer["JobId"])["Status"] == "READY"
    response, _seconds = delete(client, kept.contact_id)
    assert response.status_code == 202
    assert wait_for(lambda: Recording.objects.get(contact=kept.contact).status == "DELETED", what="the deletion")


def test_the_cache_degrades_to_misses_and_skips_a_paused_redis(settings, on_private_redis):
    from django.core.cache import cache

    from portal.cache import CacheUnavailable

    cache.set("bounded", "kept")
    on_private_redis.pause()
    value, seconds = timed(cache.get, "bounded", "missed")
    assert value == "missed" and seconds < 1.5
    value, seconds = timed(cache.get, "bounded", "missed")
    assert value == "missed" and seconds < 0.05  # the breaker is open: Redis is not asked
    with pytest.raises(CacheUnavailable):
        cache.add("lock", 1)  # coordination cannot be faked
    on_private_redis.resume()
    time.sleep(settings.REDIS_BREAKER_SECONDS + 0.1)
    assert cache.get("bounded") == "kept"


def test_signing_in_with_redis_paused_says_so_within_bounds_then_works(
    client, transactional_db, settings, on_private_redis
):
    """allauth's login rate limit needs Redis: without it, sign-in is refused with a
    named cause and a 503 (never a server error), and works again once Redis answers."""
    from tests.factories import make_user

    user = make_user("signer", profiles=["QualityAnalyst"])
    user.set_password("a long demo passphrase")
    user.save(update_fields=["password"])
    credentials = {"login": "signer", "password": "a long demo passphrase"}

    on_private_redis.pause()
    response, seconds = timed(client.post, "/accounts/login/", credentials)
    page = response.content.decode()
    assert response.status_code == 503 and seconds < BOUND, (response.status_code, seconds)
    assert "Redis" in page and "Traceback" not in page and response["Retry-After"]
    api, seconds = timed(client.get, "/api/v1/audit-events", HTTP_AUTHORIZATION="Bearer nothing")
    assert seconds < BOUND and api["Content-Type"].startswith("application/json")

    on_private_redis.resume()
    time.sleep(settings.REDIS_BREAKER_SECONDS + 0.1)
    response = client.post("/accounts/login/", credentials)
    assert response.status_code == 302 and client.get("/").status_code == 200


# --- Redis killed and restarted -------------------------------------------------------


def test_a_killed_redis_is_reported_at_once_and_a_restart_is_picked_up(
    client, transactional_db, on_private_redis, s3_bucket, org, people
):
    redis_server = on_private_redis
    media = make_media(s3_bucket, agent=org.alice)
    client.force_login(people.qa)
    redis_server.kill()
    status, body, seconds = healthz(client)
    assert status == 503 and seconds < BOUND and "redis" in body["status"], (seconds, body)
    answer, seconds = play(client, media.contact_id)
    assert seconds < 0.5 and answer["Status"] == "FAILED" and "unavailable" in answer["Message"], (seconds, answer)
    response, seconds = timed(client.get, f"/contacts/{media.contact_id}/")
    assert response.status_code == 200 and seconds < BOUND

    redis_server.start()  # same port: pooled connections are now stale
    healthy_again(client)
    answer, _seconds = play(client, media.contact_id)
    assert answer["Status"] in ("QUEUED", "RUNNING", "READY")
    assert job_when_done(client, answer["JobId"])["Status"] == "READY"


# --- S3 that accepts and never answers -------------------------------------------------


@contextlib.contextmanager
def silent_s3_endpoint(settings) -> Iterator[str]:
    """A TCP server that accepts connections and never replies, as the S3 endpoint."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    working = settings.S3_ENDPOINT_URL
    settings.S3_ENDPOINT_URL = f"http://127.0.0.1:{listener.getsockname()[1]}"
    storage.reset_clients()
    try:
        yield settings.S3_ENDPOINT_URL
    finally:
        settings.S3_ENDPOINT_URL = working
        storage.reset_clients()
        stop.set()
        thread.join()
        for peer in held:
            peer.close()
        listener.close()


def test_a_hung_s3_is_reported_by_healthz_within_bounds(client, db, settings):
    with silent_s3_endpoint(settings):
        status, body, seconds = healthz(client)
    assert status == 503 and seconds < BOUND, (seconds, body)
    assert body["services"]["s3"].startswith("down") and "s3" in body["status"]
    assert body["services"]["database"] == "ok"


def test_the_contact_page_does_not_wait_on_a_hung_s3(client, db, settings, s3_bucket, org, people):
    media = make_media(s3_bucket, agent=org.alice)
    client.force_login(people.supervisor)
    with silent_s3_endpoint(settings):
        # The page reads the bucket's lifecycle rules (to show the storage expiry) from S3.
        response, seconds = timed(client.get, f"/contacts/{media.contact_id}/")
        assert response.status_code == 200 and seconds < BOUND, seconds
        response, seconds = timed(client.get, f"/contacts/{media.contact_id}/")
        assert response.status_code == 200 and seconds < 0.5, seconds  # the failure is remembered


# --- PostgreSQL: a search that outlives its statement timeout -------------------------


@contextlib.contextmanager
def table_locked(table: str) -> Iterator[None]:
    """Another session holds an exclusive lock, so statements on `table` wait on it."""
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}) as other:
        other.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        yield
        other.rollback()


def test_a_search_that_runs_out_of_time_asks_the_user_to_narrow_it(client, transactional_db, settings, org, people):
    from portal.accounts.tokens import token_create

    contact = make_contact(agent=org.alice)
    settings.SEARCH_STATEMENT_TIMEOUT_MS = settings.EXPORT_STATEMENT_TIMEOUT_MS = 300
    settings.CONTACT_STATEMENT_TIMEOUT_MS = 300
    client.force_login(people.admin)
    token = token_create(user=people.admin)
    body = {"TimeRange": {"Type": "INITIATION_TIMESTAMP", "StartTime": "2026-10-01T00:00:00Z",
                          "EndTime": "2026-12-01T00:00:00Z"}}  # fmt: skip
    with table_locked("search_contact"):
        page, seconds = timed(client.get, "/?channel=VOICE")
        assert page.status_code == 400 and seconds < BOUND, (page.status_code, seconds)
        assert "This search took too long. Narrow it" in page.content.decode()
        api, seconds = timed(client.post, "/api/v1/search-contacts", body, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip
        assert api.status_code == 400 and seconds < BOUND, (api.content, seconds)
        assert api.json()["Type"] == "InvalidRequestException" and "Narrow it" in api.json()["Message"]
        export, seconds = timed(client.get, "/search/export.csv?channel=VOICE")
        assert export.status_code == 400 and "Narrow it" in export.content.decode() and seconds < BOUND
        detail, seconds = timed(client.get, f"/contacts/{contact.contact_id}/")
        assert detail.status_code == 503 and "took too long" in detail.content.decode() and seconds < BOUND
    assert client.get("/?channel=VOICE").status_code == 200  # the limit ended with its transaction
    assert client.get(f"/contacts/{contact.contact_id}/").status_code == 200
