"""Readiness: whether this installation can do its work, dependency by dependency, for the
operator and the load balancer (``/readyz``; ``/healthz`` stays the cheap liveness probe).

- the database answers;
- the cache (Redis, when ``CACHE_URL`` is set) keeps what it is given;
- the broker accepts connections (unless tasks run in the web process);
- a worker ran beat's outbox sweep lately (it runs every two minutes: both beat and a worker live);
- a signing key is there and its private key file opens with the passphrase;
- no follow-up work (an email, an award, a registrar record …) has waited past the outbox's reach.
"""

import time
from dataclasses import asdict, dataclass

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection

HEARTBEAT_KEY = "health:outbox-sweep"
HEARTBEAT_LATE_SECONDS = 6 * 60  # three sweeps missed
BACKLOG_AGE_SECONDS = 15 * 60


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def record_heartbeat():
    """Called by the outbox sweep: the moment a worker last ran one of beat's jobs."""
    cache.set(HEARTBEAT_KEY, time.time(), None)


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any failure is the answer
        return Check("database", False, "The database cannot be reached.")
    return Check("database", True, f"{connection.vendor} answers.")


def _cache():
    probe = f"health:probe:{time.time()}"
    cache.set(probe, "ok", 10)
    if cache.get(probe) != "ok":
        return Check(
            "cache", False, "The cache keeps nothing: Redis cannot be reached (pages still work, slower)."
        )
    cache.delete(probe)
    shared = "locmem" not in settings.CACHES["default"]["BACKEND"]
    return Check("cache", True, "Redis, shared by every process." if shared else "In this process's memory.")


def _eager():
    return current_app.conf.task_always_eager


def _broker():
    if _eager():
        return Check("broker", True, "No broker: tasks run in the web process (the embedded default).")
    from kombu import Connection

    try:
        # A connection of its own, never one from the pool: an idle pooled connection to a broker
        # that has since gone would say nothing of the broker now.
        with Connection(current_app.conf.broker_url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception:
        return Check("broker", False, "The task broker cannot be reached: work waits in the outbox.")
    return Check("broker", True, "The task broker accepts connections.")


def _workers():
    if _eager():
        return Check("worker and beat", True, "Tasks run in the web process; no worker or beat to watch.")
    last = cache.get(HEARTBEAT_KEY)
    if last is None:
        return Check(
            "worker and beat", False, "No worker has run beat's outbox sweep yet (or the cache forgot it)."
        )
    ago = int(time.time() - last)
    if ago > HEARTBEAT_LATE_SECONDS:
        return Check("worker and beat", False, f"No worker has run beat's outbox sweep for {ago} s.")
    return Check("worker and beat", True, f"A worker ran beat's outbox sweep {ago} s ago.")


def _signing_key():
    from badges.issuing import keys
    from badges.models import IssuerKey

    key = IssuerKey.objects.filter(retired_at__isnull=True, revoked_at__isnull=True).first()
    if key is None:
        return Check("signing key", False, "No signing key: run `python manage.py create_issuer_key`.")
    try:
        keys.load_private(key.name)
    except Exception:
        return Check(
            "signing key", False, f"The private key {key.name} cannot be opened (file or passphrase)."
        )
    return Check("signing key", True, f"{key.name} signs.")


def _backlog():
    from . import outbox

    waiting = {kind.name: kind.due(BACKLOG_AGE_SECONDS).count() for kind in outbox.KINDS}
    late = {name: count for name, count in waiting.items() if count}
    if late:
        listed = ", ".join(f"{count} {name}" for name, count in late.items())
        return Check("outbox", False, f"Waiting over {BACKLOG_AGE_SECONDS // 60} minutes: {listed}.")
    return Check("outbox", True, "No follow-up work is late.")


def readiness():
    """Every check, in order; each one's failure is reported, never raised."""
    return [check() for check in (_database, _cache, _broker, _workers, _signing_key, _backlog)]


def as_json(checks):
    return {"ready": all(c.ok for c in checks), "checks": [asdict(c) for c in checks]}
