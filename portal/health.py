"""`GET /healthz`: the state of every service the portal needs, 503 naming what is down.

Every check runs at once in its own thread and the answer waits at most
`HEALTH_CHECK_TIMEOUT` for them, so a service that accepts connections and never
answers (a paused process, a network partition) is reported as such instead of
holding the probe, and the load balancer, past its own timeout. A check still running
at the deadline ends on its own: each has socket timeouts of about the same length.
"""

from __future__ import annotations

import threading
import time

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()  # this thread's own connection: the thread ends here
    return "ok"


def _redis_client(url: str) -> redis.Redis:
    timeout = settings.HEALTH_CHECK_TIMEOUT
    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def _redis() -> str:
    # Straight to Redis, not through the cache, which hides an outage by design.
    client = _redis_client(settings.CACHES["default"]["LOCATION"])
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def _s3() -> str:
    from recordings import storage

    storage.check_bucket(settings.CONNECT_BUCKET)
    return "ok"


def _workers() -> str:
    """Ask the workers over a connection of its own: the broker first (a short PING, so a
    paused broker is found at once), then the workers, only if the broker answered."""
    from portal.celery import app

    # A short BRPOP (polling_interval) for the replies, or closing the connection waits
    # for a whole second's BRPOP to come back.
    options = {**app.conf.broker_transport_options, "polling_interval": 0.1}
    with app.connection_for_write(transport_options=options) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=settings.HEALTH_CHECK_TIMEOUT)
        broker.default_channel  # noqa: B018 - opening a Redis channel PINGs the broker
        # Workers answer a ping in milliseconds; inspect() waits this long for all of them.
        wait = settings.HEALTH_CHECK_TIMEOUT / 2
        replies = app.control.inspect(timeout=wait, connection=broker).ping() or {}
    if not replies:
        raise RuntimeError("no Celery worker answered")
    return f"ok ({len(replies)})"


CHECKS = {"database": _database, "redis": _redis, "s3": _s3, "workers": _workers}


def _run(check, name: str, report: dict[str, str]) -> None:
    try:
        report[name] = check()
    except Exception as error:  # noqa: BLE001 - any failure means "down", reported by name
        report[name] = f"down: {type(error).__name__}: {error}"[:300]


def run_checks(checks: dict = CHECKS) -> dict[str, str]:
    """Each check's answer, or "down: …" for one that failed or missed the deadline."""
    report: dict[str, str] = {}
    threads = []
    for name, check in checks.items():
        thread = threading.Thread(target=_run, args=(check, name, report), name=f"healthz-{name}", daemon=True)
        thread.start()
        threads.append(thread)
    deadline = time.monotonic() + settings.HEALTH_CHECK_TIMEOUT
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    late = f"down: no answer within {settings.HEALTH_CHECK_TIMEOUT:g} s"
    return {name: report.get(name, late) for name in checks}


def healthz(request):
    report = run_checks()
    down = [name for name, answer in report.items() if answer.startswith("down")]
    status = 503 if down else 200
    return JsonResponse({"status": "down: " + ", ".join(down) if down else "ok", "services": report}, status=status)
