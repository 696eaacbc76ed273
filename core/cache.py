"""A shared cache whose outage costs speed, never a page.

The cache holds what can be made again: the dashboard's trends, the counts behind rate limits.
Django's Redis backend raises when Redis cannot be reached, and every page that touches the cache
answered 500 (the office dashboard among them). ``ResilientRedisCache`` answers as an empty cache
instead (a read finds nothing, a write keeps nothing, a counter starts again) and logs the outage
at most once a minute; the pages then compute what they would have read, and rate limits let
requests through until Redis is back. The readiness check (``/readyz``) reports it.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
LOG_EVERY_SECONDS = 60
_last_logged = [0.0]


def _outage(error):
    now = time.monotonic()
    if now - _last_logged[0] > LOG_EVERY_SECONDS:
        _last_logged[0] = now
        logger.warning("The cache (Redis) cannot be reached; answering as an empty cache: %s", error)


class ResilientRedisCache(RedisCache):
    def _or(self, default, method, *args, **kwargs):
        try:
            return getattr(super(), method)(*args, **kwargs)
        except UNREACHABLE as error:
            _outage(error)
            return default

    def get(self, key, default=None, version=None):
        return self._or(default, "get", key, default, version)

    def get_many(self, keys, version=None):
        return self._or({}, "get_many", keys, version)

    def has_key(self, key, version=None):
        return self._or(False, "has_key", key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(None, "set", key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(list(data), "set_many", data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, "add", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, "touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._or(False, "delete", key, version)

    def delete_many(self, keys, version=None):
        return self._or(None, "delete_many", keys, version)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as error:
            _outage(error)
            raise ValueError(f"Key '{key}' not found (the cache cannot be reached).") from None
