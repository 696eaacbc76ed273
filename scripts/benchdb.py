"""The throw-away set-up the benchmarks share: the project importable, development settings, and a
fresh database (SQLite in a temporary folder, or ``BENCH_DATABASE_URL=postgres://…/name`` dropped and
made anew) with its own key and media folders. Call before ``django.setup()``."""

import os
import sys
import tempfile
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
