"""Per-user limits kept in Redis: the API's request rate and concurrent CSV exports.

API rate (`API_RATE_LIMIT`, default ``10/s,burst=20``)
    A token bucket per user, run as GCRA (the generic cell rate algorithm): one Lua
    script per request reads and moves a single "theoretical arrival time" key, so the
    check is one atomic round trip (~0.1 ms on loopback) and needs no clean-up. The
    syntax is ``COUNT/PERIOD[,burst=B]``: PERIOD is ``s``, ``m``, ``h`` or a number with
    one of them (``10s``); COUNT per PERIOD is the sustained rate and B requests may
    arrive at once after a quiet spell (B defaults to COUNT). ``off`` disables the limit.
    The default lets a person's browser (a search, a contact with its transcript, a
    player fetching ranges) never notice it, while a script is held to ten calls a
    second. Beyond it the API answers 429 ``ThrottlingException`` with ``Retry-After``
    in whole seconds, which AWS SDKs treat as "back off and retry".

Concurrent exports (`EXPORT_CONCURRENCY_PER_USER`, default 2)
    A CSV export holds a database connection and a worker thread for its whole run;
    each user may have this many at once. A slot is a member of a sorted set scored by
    its lease's end (`EXPORT_LEASE_SECONDS`, default 120, longer than the web server's
    request timeout), so a slot whose process died frees itself. 0 disables the limit.

Both fail open: when Redis does not answer within `RATE_LIMIT_REDIS_TIMEOUT_MS`
(default 200 ms) the request goes through, one warning is logged, and Redis is left
alone for `RATE_LIMIT_RETRY_SECONDS` (default 5) so a paused server costs each web
process one timeout per interval rather than one per request.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

log = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smh])\s*(?:,\s*burst\s*=\s*(\d+)\s*)?$")

# KEYS[1]: the user's arrival-time key. ARGV: interval (µs between requests at the
# sustained rate), burst. Answers {1, 0} when allowed, {0, µs to wait} when not.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local capacity = interval * tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local next_tat = tat + interval
if next_tat - now > capacity then
  return {0, next_tat - capacity - now}
end
redis.call('SET', KEYS[1], string.format('%d', next_tat), 'PX', math.ceil((next_tat - now) / 1000))
return {1, 0}
"""

# KEYS[1]: the user's export slots. ARGV: limit, lease (ms), slot id.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
"""


class Throttled(Exception):
    """Beyond a limit: the API answers 429 ThrottlingException, a page says `message`."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rate:
    interval_us: int
    burst: int


def parse_rate(value: str) -> Rate | None:
    """`API_RATE_LIMIT` read strictly (None = no limit); a typo fails at start-up."""
    if value.strip().lower() in {"off", "0", ""}:
        return None
    match = _RATE.match(value.lower())
    if not match or int(match[1]) == 0:
        raise ImproperlyConfigured(f"API_RATE_LIMIT must look like '10/s' or '600/m,burst=20', got {value!r}")
    count, multiple, unit, burst = int(match[1]), int(match[2] or 1), match[3], match[4]
    period_us = multiple * _PERIODS[unit] * 1_000_000
    return Rate(interval_us=max(1, period_us // count), burst=max(1, int(burst) if burst else count))


class _RedisGate:
    """The limiter's own Redis client (short timeouts) and its fail-open state."""

    def __init__(self, url: str = "") -> None:
        self.url = url
        self._lock = threading.Lock()
        self._skip_until = 0.0
        self._failing = False

    @functools.cached_property
    def client(self) -> redis.Redis:
        timeout = settings.RATE_LIMIT_REDIS_TIMEOUT_MS / 1000
        return redis.Redis.from_url(
            self.url or settings.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout
        )

    @functools.cached_property
    def scripts(self) -> dict:
        return {"gcra": self.client.register_script(_GCRA), "acquire": self.client.register_script(_ACQUIRE)}

    def run(self, name: str, keys: list[str], args: list) -> object | None:
        """The script's answer, or None when Redis is unavailable (the caller lets the request through)."""
        if time.monotonic() < self._skip_until:
            return None
        try:
            answer = self.scripts[name](keys=keys, args=args)
        except (redis.RedisError, OSError) as error:
            self._failed(error)
            return None
        if self._failing:
            with self._lock:
                self._failing = False
            log.warning("Rate limits enforced again: Redis answers.")
        return answer

    def release(self, key: str, member: str) -> None:
        try:
            self.client.zrem(key, member)
        except (redis.RedisError, OSError) as error:
            self._failed(error)  # the lease frees the slot on its own

    def _failed(self, error: Exception) -> None:
        with self._lock:
            self._skip_until = time.monotonic() + settings.RATE_LIMIT_RETRY_SECONDS
            first, self._failing = not self._failing, True
        if first:
            log.warning("Rate limits not enforced, requests let through: Redis did not answer (%s).", error)


_gate = _RedisGate()


def _key(kind: str, user) -> str:
    return f"{settings.RATE_LIMIT_KEY_PREFIX}:{kind}:{user.pk}"


@functools.lru_cache(maxsize=8)
def _rate(value: str) -> Rate | None:
    return parse_rate(value)


def api_rate_check(user) -> None:
    """Count one API call of `user`; `Throttled` beyond `API_RATE_LIMIT`."""
    rate = _rate(settings.API_RATE_LIMIT)
    if rate is None:
        return
    answer = _gate.run("gcra", [_key("api", user)], [rate.interval_us, rate.burst])
    if answer is None or int(answer[0]) == 1:
        return
    retry_after = max(1, math.ceil(int(answer[1]) / 1_000_000))
    raise Throttled(_("Rate exceeded: too many requests from this user. Retry after %(seconds)s s.")
                    % {"seconds": retry_after}, retry_after)  # fmt: skip


@contextmanager
def export_slot(user) -> Iterator[None]:
    """Hold one of the user's `EXPORT_CONCURRENCY_PER_USER` export slots; `Throttled` when all are taken."""
    limit = settings.EXPORT_CONCURRENCY_PER_USER
    if limit <= 0:
        yield
        return
    key, member = _key("exports", user), uuid.uuid4().hex
    lease_ms = settings.EXPORT_LEASE_SECONDS * 1000
    answer = _gate.run("acquire", [key], [limit, lease_ms, member])
    if answer is not None and int(answer) == 0:
        raise Throttled(
            ngettext(
                "You already have %(count)s export running. Wait for it to finish, then try again.",
                "You already have %(count)s exports running. Wait for one to finish, then try again.",
                limit,
            )
            % {"count": limit},
            retry_after=5,
        )
    try:
        yield
    finally:
        if answer is not None:
            _gate.release(key, member)
