"""The throw-away set-up the benchmarks share: the project importable, development settings, and a
fresh database (SQLite in a temporary folder, or ``BENCH_DATABASE_URL=postgres://…/name`` dropped and
made anew) with its own key and media folders. Call before ``django.setup()``. And the pieces that
serve a site for a load test: static files collected, gunicorn in production mode."""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def recreate_postgres(url):
    """Drop and create the PostgreSQL database ``url`` names."""
    import psycopg2

    server, name = url.rsplit("/", 1)
    admin = psycopg2.connect(server + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def throwaway_environment():
    """Point the settings at a fresh database and folders; returns the temporary folder."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcred.settings")
    os.environ.setdefault("DEBUG", "1")
    folder = tempfile.mkdtemp()
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url.startswith("postgres"):
        recreate_postgres(url)
    os.environ["DATABASE_URL"] = url or f"sqlite:///{folder}/bench.sqlite3"
    os.environ["ISSUER_KEY_DIR"] = f"{folder}/keys"
    os.environ["MEDIA_ROOT"] = f"{folder}/media"
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    return folder


def collect_static(static_root):
    """Collect the static files a production-mode server (DEBUG=0) serves from ``static_root``."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=dict(
            os.environ,
            DEBUG="0",
            SECRET_KEY="collectstatic-only",  # noqa: S106 - no server runs with it
            STATIC_ROOT=static_root,
        ),
        check=True,
    )


def serve(url, static_root, secret_key, *, workers=3, env=None, quiet=False):
    """Start gunicorn (``workers`` sync workers) on a free port of 127.0.0.1 in production mode
    against the database ``url``; returns the process and the port once ``/healthz`` answers.
    ``env`` adds or overrides settings; ``quiet`` drops the server's own log."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server_env = dict(
        os.environ,
        DEBUG="0",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=url,
        STATIC_ROOT=static_root,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        # Plain HTTP on the loopback: no redirect to HTTPS, cookies without the Secure flag.
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        LOG_LEVEL="WARNING",
        **(env or {}),
    )
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "microcred.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
        ],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.DEVNULL if quiet else None,
        stderr=subprocess.DEVNULL if quiet else None,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server, port
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer on /healthz")
