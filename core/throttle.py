"""How often one client may do something costly, counted in the shared cache: with Redis as the
cache (``CACHE_URL``) the count holds across every web process; with the embedded in-memory cache,
per process. Clients are told apart by ``core.clients.client_address`` (behind a trusted proxy, the
address the proxy received the request from).

A fixed window: at most ``limit`` times in each ``seconds``-long window of the clock, so a client
may do up to twice ``limit`` across the turn of a window, never more.
"""

import time

from django.core.cache import cache

from .clients import client_address


def seconds_to_wait(request, action, *, limit, seconds):
    """Count one more ``action`` by the request's client; 0 when it is within ``limit`` per
    ``seconds``, otherwise the seconds until the client may do it again."""
    now = time.time()
    window = int(now // seconds)
    key = f"throttle:{action}:{client_address(request)}:{window}"
    cache.add(key, 0, timeout=seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=seconds + 1)
        count = 1
    if count <= limit:
        return 0
    return max(1, int((window + 1) * seconds - now) + 1)
