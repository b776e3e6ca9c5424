"""Django's Redis cache with bounded waits and a circuit breaker.

Socket timeouts bound each call; after one failure the breaker skips Redis for
`REDIS_BREAKER_SECONDS`, so a paused Redis costs a request thread one timeout, not one
per cache call. While Redis does not answer:

- reads miss (`get` returns the default): a cache may always forget;
- `set`, `set_many` and `touch` are dropped: the next read recomputes the value;
- `add`, `incr`, `decr`, `delete`, `delete_many` and `clear` raise `CacheUnavailable`:
  they coordinate (locks, counters, used codes) or invalidate, and pretending either
  happened would be wrong in a way the caller must decide about.
"""

from __future__ import annotations

import logging
from functools import cached_property

import redis.exceptions
from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.backoff import NoBackoff
from redis.retry import Retry

from portal.breaker import CircuitBreaker, breaker_for

logger = logging.getLogger(__name__)

_FAILURES = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
_RAISE = object()


class CacheUnavailable(redis.exceptions.ConnectionError):
    """Redis did not answer (now, or recently enough that the breaker is open)."""


def _breaker_seconds() -> float:
    return settings.REDIS_BREAKER_SECONDS


class _BoundedClient(RedisCacheClient):
    def __init__(self, servers, **options) -> None:
        # One quick retry on a dropped connection (a restarted Redis leaves stale pooled
        # sockets) but none on a timeout: a silent server would only double the wait.
        options.setdefault("retry", Retry(NoBackoff(), 1, supported_errors=(redis.exceptions.ConnectionError,)))
        super().__init__(servers, **options)
        self.breaker = breaker_for(servers[0])

    def _call(self, operation, *args, fallback=_RAISE):
        if not self.breaker.allows():
            if fallback is _RAISE:
                raise CacheUnavailable("the cache is not answering; retrying shortly")
            return fallback
        try:
            result = operation(*args)
        except _FAILURES as error:
            self.breaker.failed()
            logger.warning("cache unavailable, skipping it for %ss: %s", _breaker_seconds(), error)
            if fallback is _RAISE:
                raise CacheUnavailable(str(error)) from error
            return fallback
        self.breaker.succeeded()
        return result

    def get(self, key, default):
        return self._call(super().get, key, default, fallback=default)

    def get_many(self, keys):
        return self._call(super().get_many, keys, fallback={})

    def has_key(self, key):
        return self._call(super().has_key, key, fallback=False)

    def set(self, key, value, timeout):
        self._call(super().set, key, value, timeout, fallback=None)

    def set_many(self, data, timeout):
        self._call(super().set_many, data, timeout, fallback=None)

    def touch(self, key, timeout):
        return self._call(super().touch, key, timeout, fallback=False)

    def add(self, key, value, timeout):
        return self._call(super().add, key, value, timeout)

    def incr(self, key, delta):
        return self._call(super().incr, key, delta)

    def delete(self, key):
        return self._call(super().delete, key)

    def delete_many(self, keys):
        return self._call(super().delete_many, keys)

    def clear(self):
        return self._call(super().clear)


class BoundedRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _BoundedClient

    @cached_property
    def breaker(self) -> CircuitBreaker:
        return self._cache.breaker

    def get_or_set(self, key, default, timeout=DEFAULT_TIMEOUT, version=None):
        # Computing the value is always right; only sharing it needs Redis.
        value = self.get(key, self._missing_key, version=version)
        if value is not self._missing_key:
            return value
        if callable(default):
            default = default()
        try:
            self.add(key, default, timeout=timeout, version=version)
        except CacheUnavailable:
            return default
        return self.get(key, default, version=version)
