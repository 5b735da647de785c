"""The cache: Redis, falling back to this process's memory when Redis cannot be reached.

The cache holds nothing the site cannot do without: rate-limit counters (allauth's sign-in,
sign-up and password-reset limits, the membership-check throttle) and the like. Django's Redis
cache raises when Redis is down, which turned every sign-in into a 500; this one answers from a
memory cache of its own process instead. So while Redis is down the site keeps working and the
rate limits still hold, in each web process rather than across them (with three workers, an
attacker gets at most three times the limit). After a failure Redis is left alone for
`REST_SECONDS`, so a request makes at most one attempt to reach it instead of one per cache
call. What was counted in memory is not carried back to Redis when it returns.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REST_SECONDS = 10.0
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class FailOpenRedisCache(RedisCache):
    # Shared by every thread's instance: when Redis is down for one, it is down for all.
    _resting_until: dict[str, float] = {}

    def __init__(self, server, params):
        super().__init__(server, params)
        self._location = str(server)
        # Named by the location: every thread's instance shares the same memory.
        self._memory = LocMemCache(
            f"redis-fallback:{self._location}", {"TIMEOUT": params.get("TIMEOUT", 300)}
        )

    def _call(self, name, *args):
        if time.monotonic() < self._resting_until.get(self._location, 0.0):
            return getattr(self._memory, name)(*args)
        try:
            return getattr(super(), name)(*args)
        except _UNREACHABLE as exc:
            self._resting_until[self._location] = time.monotonic() + REST_SECONDS
            logger.warning(
                "Cache unreachable (%s); answering from this process's memory, so rate limits "
                "hold per process, for the next %s seconds",
                exc,
                REST_SECONDS,
            )
            return getattr(self._memory, name)(*args)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")
