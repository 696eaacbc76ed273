"""Benchmark: the registrar's queue with 100,000 transcript records on PostgreSQL.

Creates a throw-away PostgreSQL database (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/microcred_bench), loads N records (``BENCH_RECORDS``, default
100000) with their learners and awards by bulk inserts, then prints the median and 95th-percentile
server time of the queue's first page, a filtered page, a search by name and a search by student ID,
and the time to batch and export 5,000 records. Run with ``make bench-transcripts``.
"""

import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/microcred_bench")
N = int(os.environ.get("BENCH_RECORDS", "100000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))

name = URL.rsplit("/", 1)[1]
admin = psycopg2.connect(URL.rsplit("/", 1)[0] + "/postgres")
admin.autocommit = True
with admin.cursor() as cursor:
    cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    cursor.execute(f'CREATE DATABASE "{name}"')
admin.close()

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcred.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["DATABASE_URL"] = URL
os.environ["ISSUER_KEY_DIR"] = tempfile.mkdtemp()
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402


def timed(client, path, repeat=REPEAT):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main():
    import logging

    logging.getLogger("celery").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)
    from badges.models import Achievement, Award
    from microcred.demo import seed_demo
    from transcripts import services
    from transcripts.models import Term, TranscriptRecord

    seed_demo()
    achievement = Achievement.objects.filter(credit_bearing=True).first()
    proposal = achievement.proposal
    fall = Term.objects.get(code="202608")
    User = get_user_model()
    started = time.perf_counter()
    step = 10_000
    families = [
        "Nguyen",
        "Smith",
        "García",
        "Okafor",
        "Müller",
        "Kowalski",
        "Tanaka",
        "O'Brien",
        "Silva",
        "Ahmed",
    ]
    for offset in range(0, N, step):
        users = User.objects.bulk_create(
            [
                User(
                    username=f"bench{n}",
                    first_name=f"Learner{n}",
                    last_name=families[n % 10],
                    email=f"bench{n}@example.edu",
                )
                for n in range(offset, min(N, offset + step))
            ]
        )
        awards = Award.objects.bulk_create(
            [
                Award(
                    learner=u,
                    achievement=achievement,
                    state=Award.State.ISSUED,
                    status_index=100_000 + offset + i,
                    public_id=uuid.uuid4(),
                    credential_uuid=uuid.uuid4(),
                )
                for i, u in enumerate(users)
            ]
        )
        TranscriptRecord.objects.bulk_create(
            [
                TranscriptRecord(
                    award=a,
                    learner=a.learner,
                    given_name=a.learner.first_name,
                    family_name=a.learner.last_name,
                    email=a.learner.email,
                    student_id=f"B{90_000_000 + offset + i}",
                    credential_code=proposal.code,
                    credential_title=achievement.name,
                    credits=achievement.credits,
                    level="Undergraduate",
                    unit=proposal.unit.name,
                    unit_ref=proposal.unit,
                    award_date=date.fromisoformat("2026-10-01"),
                    term=fall,
                    state=TranscriptRecord.State.VERIFIED
                    if (offset + i) < 5000
                    else TranscriptRecord.State.PENDING,
                )
                for i, a in enumerate(awards)
            ]
        )
    with django.db.connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"loaded {N} records in {time.perf_counter() - started:.1f} s")
    client = Client()
    client.force_login(User.objects.get(username="registrar"))
    pages = [
        ("first page", "/registrar/"),
        ("filtered page", "/registrar/?state=pending&term=202608&sort=name&page=3"),
        ("search by name", "/registrar/?q=Okafor"),
        ("search by student ID", f"/registrar/?q=B{90_000_000 + N // 2}"),
    ]
    print(f"{'queue view':<22} {'p50 ms':>8} {'p95 ms':>8}")
    for label, path in pages:
        p50, p95 = timed(client, path)
        print(f"{label:<22} {p50:8.1f} {p95:8.1f}")
    registrar = User.objects.get(username="registrar")
    started = time.perf_counter()
    batch = services.create_batch(term=fall, user=registrar)
    batched = time.perf_counter() - started
    started = time.perf_counter()
    response = client.get(f"/registrar/batches/{batch.pk}/batch.csv")
    download = time.perf_counter() - started
    print(
        f"batch and export of {batch.records.count()} records: {batched:.2f} s; CSV download {download * 1000:.0f} ms ({len(response.content) // 1024} KB)"
    )


if __name__ == "__main__":
    main()
