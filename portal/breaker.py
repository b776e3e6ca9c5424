"""A circuit breaker for a service that may stop answering without closing connections.

A paused or partitioned Redis costs a full socket timeout per call. After one such
failure the breaker opens: callers skip the service at once for `seconds`, then one
caller probes it again (the others keep skipping) and a success closes the breaker.
State is per process; every process finds out for itself, at the price of one timeout.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import redis.exceptions


class CircuitBreaker:
    def __init__(self, name: str, seconds: Callable[[], float]) -> None:
        self.name = name
        self._seconds = seconds  # read on each failure, so settings overridden at run time apply
        self._lock = threading.Lock()
        self._retry_at = 0.0  # 0: closed

    def allows(self) -> bool:
        """Whether to call the service now. While open, one caller per period is let through to probe."""
        if not self._retry_at:
            return True
        now = time.monotonic()
        with self._lock:
            if not self._retry_at or now >= self._retry_at:
                if self._retry_at:
                    self._retry_at = now + self._seconds()
                return True
        return False

    @property
    def open(self) -> bool:
        return bool(self._retry_at) and time.monotonic() < self._retry_at

    def failed(self) -> None:
        with self._lock:
            self._retry_at = time.monotonic() + self._seconds()

    def succeeded(self) -> None:
        if self._retry_at:
            with self._lock:
                self._retry_at = 0.0

    def reset(self) -> None:
        self.succeeded()


_by_server: dict[str, CircuitBreaker] = {}
_registry_lock = threading.Lock()


def _redis_breaker_seconds() -> float:
    from django.conf import settings

    return settings.REDIS_BREAKER_SECONDS


def breaker_for(url: str, seconds: Callable[[], float] = _redis_breaker_seconds) -> CircuitBreaker:
    """The breaker of the server at `url` (host and port; a Redis database number does not
    matter): when the cache finds Redis silent, publishing to the same Redis skips it too,
    and every thread of the process learns from the first timeout. `seconds` applies
    when the breaker is first made."""
    parts = urlsplit(url)
    server = f"{parts.hostname}:{parts.port}" if parts.hostname else parts.path
    with _registry_lock:
        if server not in _by_server:
            _by_server[server] = CircuitBreaker(server, seconds)
        return _by_server[server]


def is_timeout(error: BaseException) -> bool:
    """A peer that accepted the connection but did not answer (as opposed to one that refused it)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, redis.exceptions.TimeoutError | TimeoutError):
            return True
        error = error.__cause__ or error.__context__
    return False


def give_up_after_timeout(error: BaseException, interval: float) -> None:
    """A kombu `errback`, called before each publish retry. A refused or reset connection
    is worth one more try (Redis restarted); a timeout is not: a silent broker stays
    silent, and a second wait would double what the user waits."""
    if is_timeout(error):
        raise error
