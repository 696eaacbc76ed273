"""Benchmark: time and SQL queries of the main pages as the pipeline grows.

Builds a throw-away SQLite database, seeds the demo organisation, adds N proposals spread over the
review stages, and requests each page several times as the person who would use it. Prints the
median time per request and the number of queries. Run with ``make bench``.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcred.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "10,100,500").split(",")]
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))


def measure(client, path):
    timings, queries = [], 0
    reset_queries()  # DEBUG keeps a log of queries; start each page from an empty one
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        queries = len(captured)
    return statistics.median(timings), queries


def main():
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from microcred.demo import seed_demo
    from proposals.choices import Kind, Level
    from proposals.models import Proposal
    from proposals.policy import State
    from review import services
    from review.demo import _demo_proposal

    seed_demo(with_proposals=False)
    users = get_user_model().objects.in_bulk(field_name="username")
    author = users["faculty"]
    unit = author.unit_roles.first().unit
    stages = [State.UNIT_REVIEW, State.GRADUATE_COUNCIL, State.EPPC, State.APPROVED]
    made = 0
    print(f"{'proposals':>9}  {'page':<28} {'user':<13} {'median ms':>9}  {'queries':>7}")
    for size in SIZES:
        while made < size:
            proposal = _demo_proposal(
                f"B-{made}", f"Bench {made}", Kind.CREDIT_BEARING, Level.GRADUATE, False, None, author, unit
            )
            Proposal.objects.filter(pk=proposal.pk).update(
                state=stages[made % 4], stage_entered_at=timezone.now()
            )
            proposal.refresh_from_db()
            services.enter_stage(proposal)
            made += 1
        sample = Proposal.objects.filter(state=State.GRADUATE_COUNCIL).first()
        pages = [
            ("/", "faculty"),
            ("/proposals/", "faculty"),
            (f"/proposals/{sample.pk}/", "gc-member1"),
            ("/review/queue/", "unitreviewer"),
            ("/review/queue/", "gc-member1"),
            ("/review/dashboard/", "office"),
        ]
        for path, username in pages:
            client = Client()
            client.force_login(users[username])
            ms, queries = measure(client, path)
            label = path if "/proposals/" not in path or path == "/proposals/" else "/proposals/<pk>/"
            print(f"{size:>9}  {label:<28} {username:<13} {ms:>9.1f}  {queries:>7}")


if __name__ == "__main__":
    main()
