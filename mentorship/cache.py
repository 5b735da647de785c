"""The cache: Redis, failing open when Redis cannot be reached.

The cache holds nothing the site cannot do without: rate-limit counters (allauth's sign-in,
sign-up and password-reset limits, the membership-check throttle) and the like. Django's Redis
cache raises when Redis is down, which turned every sign-in into a 500; this one answers as an
empty cache instead: reads miss, writes are dropped, `add` succeeds and `incr` starts from zero.
So while Redis is down the rate limits do not hold, and the site keeps working. After a failure
Redis is left alone for `REST_SECONDS`, so a request makes at most one attempt to reach it
instead of one per cache call.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
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

    def _call(self, method, fallback, *args):
        if time.monotonic() < self._resting_until.get(self._location, 0.0):
            return fallback
        try:
            return method(*args)
        except _UNREACHABLE as exc:
            self._resting_until[self._location] = time.monotonic() + REST_SECONDS
            logger.warning(
                "Cache unreachable (%s); answering as an empty cache, so rate limits are off, "
                "for the next %s seconds",
                exc,
                REST_SECONDS,
            )
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        return self._call(super().incr, delta, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, [], data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, None, keys, version)

    def clear(self):
        return self._call(super().clear, False)
