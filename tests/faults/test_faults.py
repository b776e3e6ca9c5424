"""Kill (SIGKILL) and pause (SIGSTOP, then SIGCONT) PostgreSQL, Redis, S3 and the
Celery worker during an ingest, a recording fetch, a deletion, a search and a login.

Every case says what it expects in its id and in EXPECT. What all of them hold to:
a request answers within a few seconds, with the page or a clear message (never a
hang, never a server error page), and once the service is back the work finishes by
itself: the ingested rows equal a clean run's, a fetch ends READY (or FAILED with a
message, and a new fetch succeeds), a deletion ends DELETED only after S3 has nothing
left, and the audit log holds each event exactly once.
"""

from __future__ import annotations

import json
import re
import time

import pytest
import requests

from tests.faults import data
from tests.faults.conftest import BREAKER_SECONDS, KILL_VISIBILITY_TIMEOUT
from tests.faults.services import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.timeout(120)]

SERVICES = ("postgres", "redis", "s3", "worker")
FAULTS = ("kill", "pause")
PAUSE_SECONDS = 2.5
REQUEST_BOUND = 5.0  # the slowest answer a user may wait for while a service is down
INGEST_SOURCES = ("ctr/", "Analysis/")


def cases(
    expectations: dict[str, str], known: dict[str, str] | None = None, undiagnosed: dict[str, str] | None = None
) -> list:
    """One case per service and fault. `known`: the portal does not meet the expectation
    yet, for the reason given (strict: a fix turns the case green). `undiagnosed`: seen
    failing, cause not yet found (not strict)."""
    params = []
    for service in SERVICES:
        for fault in FAULTS:
            name = f"{service}-{fault}"
            marks = []
            if name in (known or {}):
                marks.append(pytest.mark.xfail(strict=True, reason=known[name]))
            elif name in (undiagnosed or {}):
                marks.append(pytest.mark.xfail(strict=False, reason=undiagnosed[name]))
            params.append(pytest.param(service, fault, id=name, marks=marks))
    return [param for param in params if param.id in expectations]


# --- Striking and healing ------------------------------------------------------------


def strike(stack, service: str, fault: str, server=None) -> None:
    server = server or stack.server(service)
    server.kill() if fault == "kill" else server.pause()


def heal(stack, service: str, fault: str, server=None) -> None:
    """A killed server is started again on the same data and port; a paused one resumes."""
    server = server or stack.server(service)
    if fault == "pause":
        server.resume()
    elif server is stack.worker:
        # It looks for the messages its killed predecessor held (see KILL_VISIBILITY_TIMEOUT).
        stack.start_worker(KILL_VISIBILITY_TIMEOUT)
    else:
        server.start()


def timed(call, *args, **kwargs):
    started = time.monotonic()
    try:
        answer = call(*args, **kwargs)
    except requests.Timeout as error:
        raise AssertionError(f"no answer within {kwargs.get('timeout')} s (the request hung)") from error
    return answer, time.monotonic() - started


def assert_clear(response: requests.Response, elapsed: float, *, ok: tuple[int, ...] = (200,)) -> None:
    """The page or a clear "unavailable" message, quickly; never a server error."""
    body = response.text
    assert elapsed < REQUEST_BOUND, f"answered after {elapsed:.1f} s"
    assert "Traceback" not in body and "Server Error (500)" not in body, body[:500]
    if response.status_code in ok:
        return
    assert response.status_code == 503, f"{response.status_code}: {body[:500]}"
    assert re.search(r"unavailable|try again|not answering|could not be reached", body, re.I), body[:500]


# --- Ingest ------------------------------------------------------------------------

INGEST_EXPECT = {
    "postgres-kill": "manage.py ingest fails fast with batch 2 half-written; no half contact is left; the rerun "
    "completes the batch and the rows equal a clean run's",
    "postgres-pause": "manage.py ingest waits for PostgreSQL and completes by itself; rows equal a clean run's",
    "s3-kill": "manage.py ingest ends within seconds, unread objects not marked read; after S3 is back the "
    "rerun completes and the rows equal a clean run's",
    "s3-pause": "manage.py ingest waits for S3 and completes by itself; rows equal a clean run's",
    "redis-kill": "the poll in the worker finishes its batch without Redis; after the restart the next poll "
    "runs and the rows equal a clean run's",
    "redis-pause": "the poll finishes its batch; the next poll runs; rows equal a clean run's",
    "worker-kill": "the poll killed mid-batch leaves no half contact; the next poll (after the worker restarts) "
    "completes the batch: rows equal a clean run's",
    "worker-pause": "the paused poll resumes and completes the batch; rows equal a clean run's",
}


def _sources(stack) -> list[str]:
    return [f"s3://{stack.portal.bucket}/{prefix}" for prefix in INGEST_SOURCES]


def _no_half_contact(stack) -> None:
    """Whatever was committed is whole: a stored contact has every row a clean run gives it."""
    got = data.snapshot(stack.postgres, stack.ingest_db)
    assert set(got["contacts"]) <= set(stack.clean["contacts"]), "a contact differs from the clean run's"
    for contact in got["contacts"]:
        cid = json.loads(contact)["contact_id"]
        for table in ("attribute_index", "recordings"):
            missing = [row for row in stack.clean[table] if f'"{cid}"' in row and row not in got[table]]
            assert not missing, f"contact {cid} is half-written: {table} lacks {missing[:1]}"


def _equals_clean(stack) -> bool:
    return not data.differences(data.snapshot(stack.postgres, stack.ingest_db), stack.clean)


def _assert_equals_clean(stack) -> None:
    problems = data.differences(data.snapshot(stack.postgres, stack.ingest_db), stack.clean)
    if problems:
        rejected = stack.sql("SELECT source, reason FROM search_ingestrejection LIMIT 5", database=stack.ingest_db)
        problems.append(f"rejections recorded: {rejected}")
    assert not problems, "\n".join(problems)


def _rerun(stack) -> None:
    done = stack.portal.manage("ingest", *_sources(stack), database=stack.ingest_db)
    assert done.returncode == 0, done.stdout[-1500:] + done.stderr[-1500:]


@pytest.mark.parametrize(("service", "fault"), cases(INGEST_EXPECT))
def test_ingest(up, service, fault, tmp_path):
    """See INGEST_EXPECT[service-fault]."""
    stack = up
    data.reset(stack.postgres, stack.ingest_db)
    if service in ("postgres", "s3"):
        _ingest_by_command(stack, service, fault, tmp_path)
    else:
        _ingest_by_poller(stack, service, fault)


def _ingest_by_command(stack, service: str, fault: str, tmp_path) -> None:
    marks = tmp_path / "ingest.marks"
    if service == "postgres":
        pace, point = {"FAULT_BATCH": "2", "FAULT_FLUSH_DELAY": "2.0"}, ("flush", 2)
    else:
        pace, point = {"FAULT_BATCH": "2", "FAULT_READ_DELAY": "0.1"}, ("read", 3)
    run = stack.ingest_process(_sources(stack), marks, **pace)
    try:
        from tests.faults.conftest import Marks

        Marks(marks).wait(*point, timeout=30)
        strike(stack, service, fault)
        if fault == "pause":
            time.sleep(PAUSE_SECONDS)
            heal(stack, service, fault)
            output, _ = run.communicate(timeout=40)
            assert run.returncode == 0, output[-3000:]
            _assert_equals_clean(stack)
            _rerun(stack)  # the next run finds nothing left to do and changes nothing
        else:
            output, _ = run.communicate(timeout=30)  # bounded: fails, does not hang
            heal(stack, service, fault)
            _no_half_contact(stack)
            assert not _equals_clean(stack), "the fault struck too late to test anything"
            _rerun(stack)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    _assert_equals_clean(stack)


def _ingest_by_poller(stack, service: str, fault: str) -> None:
    poller = stack.poller
    stack.send_task("search.tasks.poll_sources", poller.queue)
    stack.poller_marks.wait("flush", 2, timeout=30)
    target = poller if service == "worker" else stack.redis
    strike(stack, service, fault, target)
    if fault == "pause":
        time.sleep(PAUSE_SECONDS)
    elif service == "worker":
        _no_half_contact(stack)
    heal(stack, service, fault, target)
    if not (service == "worker" and fault == "kill"):
        wait_until(lambda: _equals_clean(stack), 30, "the interrupted poll to finish its batch")
    # The next poll, as beat sends it: the worker takes it over the (restarted) broker.
    offset = poller.log_size()
    stack.send_task("search.tasks.poll_sources", poller.queue)
    wait_until(lambda: re.search(r"poll_sources\[[^\]]+\] succeeded", poller.log_since(offset)), 30,
               "the next poll to run")  # fmt: skip
    wait_until(lambda: _equals_clean(stack), 30, "the rows of a clean run")
    _assert_equals_clean(stack)


# --- Recording fetch -------------------------------------------------------------

FETCH_EXPECT = {
    "postgres-kill": "the fetch under way survives: after the restart the job ends READY (or FAILED with a "
    "message, and a new fetch succeeds); the player's status request answers within seconds",
    "postgres-pause": "the fetch waits for PostgreSQL and ends READY after it resumes",
    "redis-kill": "the fetch under way ends READY; Play while Redis is down answers within seconds with a "
    "message; after the restart the worker reconnects and a new fetch ends READY",
    "redis-pause": "the fetch under way ends READY; Play while Redis is paused answers within seconds with a "
    "message; after it resumes a new fetch ends READY",
    "s3-kill": "the job says storage is retrying; after S3 restarts it ends READY (or FAILED with a message, "
    "and a new fetch succeeds)",
    "s3-pause": "the fetch waits for S3 and ends READY after it resumes",
    "worker-kill": "the job is taken over after the worker restarts (late acknowledgement) and ends READY",
    "worker-pause": "the job waits while the worker is paused and ends READY after it resumes",
}


def _play(stack, contact: str, timeout: float = 10) -> tuple[requests.Response, float]:
    body = {"Version": "ORIGINAL", "Reason": "fault suite"}
    return timed(stack.api, "POST", f"/contacts/{contact}/recording/fetch", json=body, timeout=timeout)


def _job(stack, job_id: str, wait: float = 0, timeout: float = REQUEST_BOUND) -> tuple[requests.Response, float]:
    return timed(stack.api, "GET", f"/recording-jobs/{job_id}?wait={wait}", timeout=timeout)


def _finished(stack, job_id: str, timeout: float = 40) -> dict:
    def done():
        answer, _ = _job(stack, job_id, wait=2, timeout=10)
        body = answer.json() if answer.status_code == 200 else {}
        return body if body.get("Status") in ("READY", "FAILED") else None

    return wait_until(done, timeout, f"fetch job {job_id} to finish")


def _ends_ready(stack, contact: str, job_id: str) -> None:
    """READY, or FAILED with a message and then a new fetch is READY. Right after an
    outage the web process skips the queue for REDIS_BREAKER_SECONDS (each Play is
    refused at once, with the message), so the user's next Play may need that long."""
    body = _finished(stack, job_id)
    deadline = time.monotonic() + BREAKER_SECONDS + 10
    while body["Status"] == "FAILED" and time.monotonic() < deadline:
        assert body["Message"], body
        time.sleep(1)
        answer, _ = _play(stack, contact)
        body = _finished(stack, answer.json()["JobId"])
    assert body["Status"] == "READY" and body["AudioUrl"], body
    audio = requests.get(stack.base_url + body["AudioUrl"], headers={"Authorization": f"Bearer {stack.seed['token']}"},
                         timeout=10)  # fmt: skip
    assert audio.status_code == 200 and len(audio.content) == body["BytesTotal"] > 4 * 1024 * 1024 - 100


@pytest.mark.parametrize(("service", "fault"), cases(FETCH_EXPECT))
def test_fetch(up, service, fault):
    """See FETCH_EXPECT[service-fault]."""
    stack = up
    contact = stack.next_contact()
    answer, elapsed = _play(stack, contact)
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["JobId"]
    stack.worker_marks.wait("chunk", 1)
    strike(stack, service, fault)
    if service == "redis":
        # Play pressed while the queue is unreachable: a quick, clear refusal.
        other, elapsed = _play(stack, stack.next_contact(), timeout=REQUEST_BOUND)
        assert_clear(other, elapsed, ok=(202,))
        if other.status_code == 202:
            assert other.json()["Status"] == "FAILED" and other.json()["Message"], other.text
    else:
        status, elapsed = _job(stack, job_id)
        assert_clear(status, elapsed)
    if fault == "pause":
        time.sleep(PAUSE_SECONDS)
    heal(stack, service, fault)
    _ends_ready(stack, contact, job_id)
    if service in ("redis", "postgres"):
        # Every process found its way back to the restarted server by itself.
        fresh = stack.next_contact()
        answer, _ = _play(stack, fresh)
        _ends_ready(stack, fresh, answer.json()["JobId"])


# --- Deletion --------------------------------------------------------------------

DELETE_EXPECT = {
    "postgres-kill": "the deletion resumes after the restart and ends DELETED, with S3 empty and one "
    "'requested' and one 'completed' audit event",
    "postgres-pause": "the deletion waits for PostgreSQL and ends DELETED; audit exactly once each",
    "redis-kill": "the deletion under way ends DELETED; a deletion asked while Redis is down is refused "
    "within seconds (503 with a message), nothing deleted, audited 'requested' then 'not_queued'; after the "
    "restart it is accepted and ends DELETED: one 'requested' per attempt, one 'completed'",
    "redis-pause": "the deletion under way ends DELETED; one asked while Redis is paused is refused within "
    "seconds (503, audited 'requested' then 'not_queued'); after it resumes a deletion is accepted and ends "
    "DELETED: one 'requested' per attempt, one 'completed'",
    "s3-kill": "the recording stays DELETING (never DELETED) while S3 is down; after the restart it ends "
    "DELETED with S3 empty; audit exactly once each",
    "s3-pause": "the deletion waits for S3 and ends DELETED with S3 empty; audit exactly once each",
    "worker-kill": "the deletion is redelivered to the restarted worker and ends DELETED; audit exactly once each",
    "worker-pause": "the deletion resumes with the worker and ends DELETED; audit exactly once each",
}


def _delete(stack, contact: str, timeout: float = 10) -> tuple[requests.Response, float]:
    return timed(stack.api, "DELETE", f"/contacts/{contact}/recording", json={"Reason": "fault suite"},
                 timeout=timeout)  # fmt: skip


def _keys_of(stack, contact: str) -> list[tuple[str, str]]:
    rows = stack.sql(
        "SELECT r.location, a.bucket, a.original_key, a.redacted_key, a.redacted_audio_key FROM recordings_recording r "
        "JOIN search_contact c ON c.id = r.contact_id JOIN search_contactanalysis a ON a.contact_id = c.contact_id "
        "WHERE c.contact_id = %s",
        [contact],
    )
    location, bucket, *keys = rows[0]
    first_bucket, _, first_key = location.partition("/")
    return [(first_bucket, first_key)] + [(bucket, key) for key in keys if key]


def _left_in_s3(stack, keys: list[tuple[str, str]]) -> int:
    client = stack.s3.client()
    left = 0
    for bucket, key in keys:
        page = client.list_object_versions(Bucket=bucket, Prefix=key)
        left += sum(1 for item in page.get("Versions", []) + page.get("DeleteMarkers", []) if item["Key"] == key)
    return left


def _status(stack, contact: str) -> str:
    return stack.sql(
        "SELECT r.status FROM recordings_recording r JOIN search_contact c ON c.id = r.contact_id "
        "WHERE c.contact_id = %s",
        [contact],
    )[0][0]


def _audit_stages(stack, contact: str) -> dict[str, int]:
    return dict(
        stack.sql(
            "SELECT details->>'stage', count(*) FROM audit_auditevent WHERE action = 'recording_delete' "
            "AND contact_id = %s GROUP BY 1 ORDER BY 1",
            [contact],
        )
    )


def _ends_deleted(stack, contact: str, keys: list[tuple[str, str]], refused: int = 0) -> None:
    """DELETED, and only once S3 has nothing of any key. Audited exactly once each: one
    'requested' per attempt (`refused` of them also 'not_queued'), one 'completed'."""

    def deleted() -> bool:
        if _status(stack, contact) != "DELETED":
            return False
        assert _left_in_s3(stack, keys) == 0, "DELETED while S3 still holds versions"
        return True

    wait_until(deleted, 30, f"the deletion of {contact} to complete", step=0.3)
    expected = {"completed": 1, "requested": 1 + refused} | ({"not_queued": refused} if refused else {})
    assert _audit_stages(stack, contact) == expected


@pytest.mark.parametrize(("service", "fault"), cases(DELETE_EXPECT))
def test_delete(up, service, fault):
    """See DELETE_EXPECT[service-fault]."""
    stack = up
    contact = stack.next_contact()
    keys = _keys_of(stack, contact)
    assert _left_in_s3(stack, keys) == len(keys) == 4
    answer, _ = _delete(stack, contact)
    assert answer.status_code == 202 and answer.json()["Status"] == "DELETING", answer.text
    stack.worker_marks.wait("delete", 2)
    strike(stack, service, fault)
    later = None
    if service == "redis":
        later = stack.next_contact()
        later_keys = _keys_of(stack, later)
        refused, elapsed = _delete(stack, later, timeout=REQUEST_BOUND)
        assert_clear(refused, elapsed, ok=())
        assert _status(stack, later) == "AVAILABLE" and _left_in_s3(stack, later_keys) == 4
        assert _audit_stages(stack, later) == {"requested": 1, "not_queued": 1}
    else:
        status, elapsed = timed(stack.api, "GET", f"/contacts/{contact}/recording", timeout=REQUEST_BOUND)
        assert_clear(status, elapsed)
        if service == "s3" and fault == "kill":
            time.sleep(2)  # the task has met the dead S3 and is retrying
            assert _status(stack, contact) == "DELETING"
    if fault == "pause":
        time.sleep(PAUSE_SECONDS)
    heal(stack, service, fault)
    _ends_deleted(stack, contact, keys)
    if later is not None:
        # The user asks again once the queue is back (a refused request deleted nothing).
        refusals = 1
        deadline = time.monotonic() + BREAKER_SECONDS + 10
        while _status(stack, later) == "AVAILABLE" and time.monotonic() < deadline:
            again, elapsed = _delete(stack, later)
            assert_clear(again, elapsed, ok=(202,))
            if again.status_code != 202:
                refusals += 1
                time.sleep(0.3)  # refused at once while the web process still skips the queue
        _ends_deleted(stack, later, later_keys, refused=refusals)


def test_lost_deletion_is_sent_again(up):
    """A deletion accepted, then lost with the queue (Redis restarted without its data
    before a worker took the message), stays DELETING until beat's resend task sends it
    again; then it ends DELETED, audited exactly once each."""
    stack = up
    contact = stack.next_contact()
    keys = _keys_of(stack, contact)
    stack.worker.pause()
    time.sleep(1.5)  # its pending BRPOP (1 s) times out: no message can reach it now
    try:
        answer, _ = _delete(stack, contact)
        assert answer.status_code == 202 and answer.json()["Status"] == "DELETING", answer.text
        stack.redis.kill()
        stack.redis.start()
    finally:
        stack.worker.resume()
    time.sleep(2)
    assert _status(stack, contact) == "DELETING" and _left_in_s3(stack, keys) == 4, "the message was not lost"
    stack.send_task("recordings.tasks.resend_stalled_deletions", stack.worker.queue)
    _ends_deleted(stack, contact, keys)


# --- Search and login --------------------------------------------------------------

WEB_EXPECT = {
    "postgres-kill": "answers within seconds with a clear 'unavailable' page; after the restart the next request "
    "succeeds on its own",
    "postgres-pause": "answers within seconds with a clear 'unavailable' page; after it resumes the next request "
    "succeeds",
    "redis-kill": "unaffected: answers normally within seconds; still fine after the restart",
    "redis-pause": "unaffected: answers normally within seconds (Redis is skipped after one short timeout)",
    "s3-kill": "unaffected: answers normally",
    "s3-pause": "unaffected: answers normally",
    "worker-kill": "unaffected: answers normally",
    "worker-pause": "unaffected: answers normally",
}


def _login(stack, session: requests.Session, timeout: float = 10) -> tuple[requests.Response, float]:
    page = session.get(f"{stack.base_url}/accounts/login/", timeout=10)
    assert page.status_code == 200, page.text[:500]
    return _post_login(stack, session, timeout)


def _post_login(stack, session: requests.Session, timeout: float) -> tuple[requests.Response, float]:
    form = {"login": stack.seed["analyst"], "password": stack.seed["password"],
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")}  # fmt: skip
    return timed(session.post, f"{stack.base_url}/accounts/login/", data=form, allow_redirects=False,
                 headers={"Referer": f"{stack.base_url}/accounts/login/"}, timeout=timeout)  # fmt: skip


def _logged_in(answer: requests.Response) -> bool:
    return answer.status_code == 302 and "/accounts/login" not in answer.headers.get("Location", "")


def _search(stack, session: requests.Session, timeout: float) -> tuple[requests.Response, float]:
    return timed(session.get, f"{stack.base_url}/", params={"channel": "VOICE"}, timeout=timeout)


@pytest.mark.parametrize(("service", "fault"), cases(WEB_EXPECT))
def test_search(up, service, fault):
    """See WEB_EXPECT[service-fault]."""
    stack = up
    session = requests.Session()
    answer, _ = _login(stack, session)
    assert _logged_in(answer), answer.text[:500]
    strike(stack, service, fault)
    try:
        answer, elapsed = _search(stack, session, timeout=REQUEST_BOUND + 5)
        assert_clear(answer, elapsed)
        if service != "postgres":
            assert answer.status_code == 200, answer.text[:500]
    finally:
        heal(stack, service, fault)
    answer, elapsed = _search(stack, session, timeout=10)
    assert answer.status_code == 200 and elapsed < REQUEST_BOUND, answer.text[:500]


LOGIN_EXPECT = {
    **WEB_EXPECT,
    # Signing in counts attempts in Redis (the rate limit): without it, no sign-in.
    "redis-kill": "refused within seconds with a 503 page naming Redis (no server error, no traceback); after "
    "the restart signing in works again",
    "redis-pause": "refused within seconds with a 503 page naming Redis (no server error, no traceback); after "
    "it resumes signing in works again within SIGN_IN_LOCK_SECONDS (until then 503, or 429 'try again later')",
}
# allauth's rate limit takes a lock in Redis (cache.add, held 10 s) before counting an
# attempt. The paused Redis receives the lock of the attempt that timed out and sets it
# when it resumes; nobody releases it, so sign-in answers 429 until it expires.
SIGN_IN_LOCK_SECONDS = 10


@pytest.mark.parametrize(("service", "fault"), cases(LOGIN_EXPECT))
def test_login(up, service, fault):
    """See LOGIN_EXPECT[service-fault]."""
    stack = up
    session = requests.Session()
    page = session.get(f"{stack.base_url}/accounts/login/", timeout=10)
    assert page.status_code == 200
    strike(stack, service, fault)
    try:
        answer, elapsed = _post_login(stack, session, timeout=REQUEST_BOUND + 5)
        assert_clear(answer, elapsed, ok=(302,))
        if service == "redis":
            assert answer.status_code == 503 and "Redis" in answer.text, answer.text[:500]
        elif service != "postgres":
            assert _logged_in(answer), answer.text[:500]
    finally:
        heal(stack, service, fault)
    # The web process tries Redis again once its breaker lets it (BREAKER_SECONDS).
    locked = service == "redis" and fault == "pause"
    deadline = time.monotonic() + BREAKER_SECONDS + (SIGN_IN_LOCK_SECONDS if locked else 0) + 5
    while True:
        answer, elapsed = _login(stack, requests.Session())
        if _logged_in(answer) or time.monotonic() > deadline:
            break
        if locked and answer.status_code == 429:
            assert "try again" in answer.text, answer.text[:500]
        else:
            assert_clear(answer, elapsed, ok=(302,))
        time.sleep(0.3)
    assert _logged_in(answer), answer.text[:500]


def test_every_case_states_its_expectation():
    for expectations in (INGEST_EXPECT, FETCH_EXPECT, DELETE_EXPECT, WEB_EXPECT, LOGIN_EXPECT):
        assert set(expectations) == {f"{s}-{f}" for s in SERVICES for f in FAULTS}
