"""Per-user limits against the real Redis: the API's token bucket (429 ThrottlingException
with Retry-After, per user, refilling), AWS SDKs backing off by themselves, failing open
when Redis does not answer, and the cap on concurrent CSV exports."""

from __future__ import annotations

import json
import logging
import socket
import statistics
import time
import uuid
from contextlib import ExitStack

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from django.http import JsonResponse
from django.test import Client, RequestFactory

from portal import ratelimit
from portal.accounts.tokens import token_create
from portal.api import api_view
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/search-contacts"
BODY = {"TimeRange": {"Type": "INITIATION_TIMESTAMP", "StartTime": "2026-09-01T00:00:00Z",
                      "EndTime": "2026-12-01T00:00:00Z"}}  # fmt: skip


@pytest.fixture(autouse=True)
def own_keys(settings):
    """Keys of this test alone: suites running side by side share the Redis server."""
    settings.RATE_LIMIT_KEY_PREFIX = f"test-ratelimit:{uuid.uuid4().hex}"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def searcher(name: str = "searcher"):
    return make_user(name, permissions=["ContactSearch.View"])


def caller(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)}")


def search(client: Client):
    return client.post(URL, json.dumps(BODY), content_type="application/json")


def test_burst_then_429_throttling_exception_with_retry_after(settings):
    settings.API_RATE_LIMIT = "1/m,burst=3"
    client = caller(searcher())
    assert [search(client).status_code for _ in range(3)] == [200, 200, 200]
    refused = search(client)
    assert refused.status_code == 429
    assert refused.json() == {
        "Type": "ThrottlingException",
        "Message": "Rate exceeded: too many requests from this user. Retry after 60 s.",
    }
    assert refused["x-amzn-ErrorType"] == "ThrottlingException"
    assert refused["Retry-After"] == "60"
    # Every endpoint draws on the same allowance.
    assert client.get("/api/v1/contacts/missing").status_code == 429


def test_limit_is_per_user(settings):
    settings.API_RATE_LIMIT = "1/m,burst=2"
    first, second = caller(searcher("first")), caller(searcher("second"))
    assert [search(first).status_code for _ in range(3)] == [200, 200, 429]
    assert [search(second).status_code for _ in range(3)] == [200, 200, 429]


def test_unauthenticated_calls_are_refused_before_counting(settings):
    settings.API_RATE_LIMIT = "1/m,burst=1"
    anonymous = Client()
    assert [search(anonymous).status_code for _ in range(3)] == [401, 401, 401]
    assert search(caller(searcher())).status_code == 200


def test_allowance_refills_at_the_sustained_rate(settings):
    settings.API_RATE_LIMIT = "4/s,burst=2"  # one more call every 250 ms
    client = caller(searcher())
    assert [search(client).status_code for _ in range(3)] == [200, 200, 429]
    assert search(client)["Retry-After"] == "1"  # whole seconds, rounded up
    time.sleep(0.3)
    assert [search(client).status_code for _ in range(2)] == [200, 429]
    time.sleep(0.6)  # two intervals: two calls, and no more than the burst
    assert [search(client).status_code for _ in range(3)] == [200, 200, 429]


def test_check_costs_well_under_a_millisecond(settings):
    settings.API_RATE_LIMIT = "100000/s"
    user = searcher()
    timings = []
    for _ in range(300):
        started = time.perf_counter()
        ratelimit.api_rate_check(user)
        timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 0.001


def test_api_view_answers_throttled_work_as_connect_does(rf: RequestFactory):
    @api_view(["GET"], authenticated=False)
    def busy(request):
        raise ratelimit.Throttled("Too many exports.", retry_after=5)

    @api_view(["GET"], authenticated=False)
    def fine(request):
        return JsonResponse({})

    response = busy(rf.get("/api/v1/anything"))
    assert (response.status_code, response["Retry-After"], response["x-amzn-ErrorType"]) == (
        429,
        "5",
        "ThrottlingException",
    )
    assert json.loads(response.content) == {"Type": "ThrottlingException", "Message": "Too many exports."}
    assert fine(rf.get("/api/v1/anything")).status_code == 200


# --- AWS SDKs -------------------------------------------------------------------------


def connect_client(live_server, token: str, *, attempts: int):
    client = boto3.client(
        "connect",
        endpoint_url=f"{live_server.url}/api/v1",
        region_name="ap-northeast-1",
        aws_access_key_id="unused",
        aws_secret_access_key="unused",
        config=Config(retries={"mode": "standard", "total_max_attempts": attempts}),
    )
    sent: list[int] = []

    def bearer(request, **kwargs) -> None:
        request.headers["Authorization"] = f"Bearer {token}"
        sent.append(1)

    client.meta.events.register("before-send.connect.*", bearer)
    return client, sent


@pytest.mark.django_db(transaction=True)
def test_boto3_backs_off_and_succeeds(live_server, settings):
    settings.API_RATE_LIMIT = "4/s,burst=2"
    client, sent = connect_client(live_server, token_create(user=searcher()), attempts=10)
    instance = settings.CONNECT_INSTANCE_ARN.rsplit("/", 1)[-1]
    answers = [client.search_contacts(InstanceId=instance, TimeRange=BODY["TimeRange"]) for _ in range(6)]
    assert [a["TotalCount"] for a in answers] == [0] * 6
    retries = sum(a["ResponseMetadata"]["RetryAttempts"] for a in answers)
    assert retries > 0 and len(sent) == 6 + retries


@pytest.mark.django_db(transaction=True)
def test_boto3_without_retries_raises_throttling_exception(live_server, settings):
    settings.API_RATE_LIMIT = "1/m,burst=1"
    client, _ = connect_client(live_server, token_create(user=searcher()), attempts=1)
    instance = settings.CONNECT_INSTANCE_ARN.rsplit("/", 1)[-1]
    client.search_contacts(InstanceId=instance, TimeRange=BODY["TimeRange"])
    with pytest.raises(ClientError) as throttled:
        client.search_contacts(InstanceId=instance, TimeRange=BODY["TimeRange"])
    error = throttled.value.response
    assert error["Error"]["Code"] == "ThrottlingException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "60"


# --- Failing open ---------------------------------------------------------------------


@pytest.fixture
def silent_redis(monkeypatch, settings):
    """A server that accepts connections and never answers: a paused Redis, as a client sees it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    settings.RATE_LIMIT_REDIS_TIMEOUT_MS = 200
    settings.RATE_LIMIT_RETRY_SECONDS = 5
    monkeypatch.setattr(
        ratelimit, "_gate", ratelimit._RedisGate(url=f"redis://127.0.0.1:{listener.getsockname()[1]}/0")
    )
    yield
    listener.close()


def test_silent_redis_lets_requests_through_and_logs_once(silent_redis, settings, caplog):
    settings.API_RATE_LIMIT = "1/m,burst=1"
    client = caller(searcher())
    caplog.set_level(logging.WARNING, logger="portal.ratelimit")
    started = time.monotonic()
    assert search(client).status_code == 200
    first = time.monotonic() - started
    started = time.monotonic()
    assert [search(client).status_code for _ in range(5)] == [200] * 5
    rest = time.monotonic() - started
    assert 0.2 <= first < 2
    assert rest < first  # Redis is left alone for a while rather than waited on again
    warnings = [r for r in caplog.records if r.name == "portal.ratelimit"]
    assert len(warnings) == 1 and "let through" in warnings[0].getMessage()


def test_silent_redis_does_not_block_exports(silent_redis, settings):
    settings.EXPORT_CONCURRENCY_PER_USER = 1
    client = Client()
    client.force_login(searcher())
    assert [client.get("/search/export.csv").status_code for _ in range(2)] == [200, 200]


# --- Concurrent exports ---------------------------------------------------------------


def test_exports_beyond_the_users_concurrency_are_refused(settings):
    settings.EXPORT_CONCURRENCY_PER_USER = 2
    user, other = searcher("exporter"), searcher("other")
    client, other_client = Client(), Client()
    client.force_login(user)
    other_client.force_login(other)
    with ExitStack() as running:
        for _ in range(2):  # two exports of this user still running
            running.enter_context(ratelimit.export_slot(user))
        refused = client.get("/search/export.csv")
        assert refused.status_code == 429
        assert refused["Retry-After"] == "5"
        assert refused.content.decode() == (
            "You already have 2 exports running. Wait for one to finish, then try again."
        )
        assert other_client.get("/search/export.csv").status_code == 200
    allowed = client.get("/search/export.csv")
    assert allowed.status_code == 200 and allowed["Content-Type"].startswith("text/csv")
    # A finished export gives its slot back.
    assert [client.get("/search/export.csv").status_code for _ in range(3)] == [200, 200, 200]


def test_refusal_is_in_the_users_language(settings):
    settings.EXPORT_CONCURRENCY_PER_USER = 1
    user = searcher()
    user.language = "ja"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    with ratelimit.export_slot(user):
        refused = client.get("/search/export.csv")
    assert refused.status_code == 429
    assert "エクスポート" in refused.content.decode()


def test_slot_of_a_process_that_died_frees_itself(settings):
    settings.EXPORT_CONCURRENCY_PER_USER = 1
    settings.EXPORT_LEASE_SECONDS = 1
    user = searcher()
    abandoned = ratelimit.export_slot(user)
    abandoned.__enter__()  # never left, as when the worker is killed mid-export
    with pytest.raises(ratelimit.Throttled), ratelimit.export_slot(user):
        pass
    time.sleep(1.1)
    with ratelimit.export_slot(user):
        pass
