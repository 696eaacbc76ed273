"""Shared fixtures: demo roles and the service layer (PostgreSQL, Redis, a real Celery worker); the
browser layer (Playwright driving Debian's Chromium) is in ``tests/browser/conftest.py``.

Marked tests skip with a message naming what is missing, unless ``REQUIRE_SERVICES=1``, which turns
a missing service into a failure: CI sets it so that nothing is silently skipped.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def shared_dir():
    """The team's shared folder (policies, Open Badges 3.0 reference data): ``MICROCRED_SHARED_DIR``,
    else ``../shared`` beside the checkout or above it, else ``/work/shared``."""
    candidates = [os.environ.get("MICROCRED_SHARED_DIR", "")]
    candidates += [str(parent / "shared") for parent in ROOT.parents]
    candidates.append("/work/shared")
    return next((Path(c) for c in candidates if c and (Path(c) / "ob3").is_dir()), ROOT.parent / "shared")


REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TEST_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/15"


def missing(reason):
    """Skip, or fail when the run requires every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _reachable(url, default_port):
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


# --- demo roles ----------------------------------------------------------------------------------


@pytest.fixture
def demo(db):
    """The demo organisation of the active profile; returns users by username."""
    from django.contrib.auth import get_user_model

    from microcred.demo import seed_demo

    logins = seed_demo(with_proposals=False)
    users = get_user_model().objects.in_bulk([login.username for login in logins], field_name="username")
    return users


@pytest.fixture
def fiu_demo(settings, db):
    """The demo organisation of the FIU profile; returns users by username."""
    from django.contrib.auth import get_user_model

    from microcred.demo import seed_demo

    settings.MICROCRED_POLICY = "fiu"
    logins = seed_demo(with_proposals=False)
    return get_user_model().objects.in_bulk([login.username for login in logins], field_name="username")


# --- services -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def services_available():
    if connection.vendor != "postgresql":
        missing(
            "service tests need PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/microcred "
            f"(the configured database is {connection.vendor})"
        )
    if not _reachable(TEST_BROKER_URL, 6379):
        missing(f"service tests need Redis at {TEST_BROKER_URL}, which does not answer")


@pytest.fixture(scope="session")
def worker_issuer_keys(tmp_path_factory):
    """The issuer key folder the worker reads; service tests that issue awards point the settings here."""
    return tmp_path_factory.mktemp("worker-issuer-keys")


def start_celery_worker(queue, log, **env):
    """Start a real ``celery worker`` process (solo pool) on the test database, consuming ``queue``
    only, writing to ``log``; ``env`` adds to its environment. Returns the process once it is ready."""
    db = connection.settings_dict
    db_url = (
        f"postgres://{db['USER'] or 'postgres'}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": db_url,
        "CELERY_BROKER_URL": TEST_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        **env,
    }
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                celery,
                "-A",
                "microcred",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
                "-n",
                f"{queue}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the Celery worker did not start:\n{log.read_text()}", pytrace=False)
        time.sleep(0.2)
    return proc


def stop_celery_worker(proc):
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextlib.contextmanager
def tasks_sent_to(queue):
    """Tasks queued in this process go through Redis to ``queue`` (not run in-process)."""
    from microcred.celery import app

    previous = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "task_default_queue")}
    app.conf.update(task_always_eager=False, broker_url=TEST_BROKER_URL, task_default_queue=queue)
    try:
        yield
    finally:
        app.conf.update(previous)


@pytest.fixture(scope="session")
def celery_worker_process(
    services_available, django_db_setup, django_db_blocker, tmp_path_factory, worker_issuer_keys
):
    """A real ``celery worker`` process on the test database and a private Redis queue."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    with django_db_blocker.unblock():
        proc = start_celery_worker(queue, log, ISSUER_KEY_DIR=str(worker_issuer_keys))
    with tasks_sent_to(queue):
        yield proc, log
    stop_celery_worker(proc)


def wait_for(predicate, timeout=30, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return predicate()


def at_the_same_time(*calls):
    """Run each call in its own thread (so on its own database connection), all released at the
    same moment; returns their results in order (None for a call that raised)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        finally:
            connection.close()  # this thread's connection

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: the rate limits django-allauth keeps there (sign-ups,
    logins, password resets per address) must not carry over from earlier tests."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ISSUER_KEY_DIR = tmp_path / "issuer-keys"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _no_did_web_lookups(settings):
    # The verify page never reaches the network in tests; the did:web tests turn this on for a
    # server of their own on 127.0.0.1.
    settings.DID_WEB_RESOLVE = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Demo users are many; the real hasher is deliberately slow. Tests don't measure it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_tasks_outside_service_tests(request):
    """Fast and browser tests run tasks in-process even when CI sets CELERY_BROKER_URL; only the
    service tests send them through Redis to the real worker."""
    if request.node.get_closest_marker("services"):
        yield
        return
    from microcred.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
