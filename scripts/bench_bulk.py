"""Benchmark: awarding a class from a spreadsheet, as the evaluator lives it.

Builds a throw-away SQLite database with the demo site (``BENCH_DATABASE_URL=postgres://…/name``
runs on a throw-away PostgreSQL database instead), writes a CSV of N learners (``BENCH_CLASS``,
default 300: a large lecture course), and times through the web layer, as the demo evaluator:
the upload and its preview (every row checked), the confirmation, and then the background work
(accounts made, awards written, credentials signed, baked and stored), which the evaluator does not
wait for. Prints each, the rows per second, and the evaluator's own time. Run with
``make bench-bulk``.
"""

import os
import time

from benchdb import throwaway_environment

throwaway_environment()
os.environ.pop("CELERY_BROKER_URL", None)  # tasks in-process: the background work is timed here

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

N = int(os.environ.get("BENCH_CLASS", "300"))


def main():
    import logging

    logging.getLogger("celery").setLevel(logging.WARNING)
    logging.getLogger("axes").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from badges.awarding import bulk
    from badges.models import Award, BulkAward
    from microcred.demo import seed_demo

    seed_demo()
    evaluator = get_user_model().objects.get(username="evaluator")
    achievement = bulk.awardable(evaluator)[0]
    body = "email,given name,family name,student ID,evidence URL,narrative,reflection\n" + "".join(
        f"student{n}@example.edu,Student,Number {n},S{n:06d},https://portfolio.example.edu/{n},Final project,"
        "What the project taught me\n"
        for n in range(N)
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(evaluator)

    # Upload and preview: what the evaluator waits for before they read the preview.
    started = time.perf_counter()
    response = client.post(
        reverse("badges:awarding"),
        {"achievement": achievement.pk, "file": SimpleUploadedFile("class.csv", body.encode())},
    )
    made = BulkAward.objects.get()
    page = client.get(response["Location"])
    preview = time.perf_counter() - started
    assert page.status_code == 200, page.status_code

    # Confirm: the evaluator's click; with no broker the background work runs right after it, in
    # the same process, so it is timed apart from the click itself.
    from badges import tasks

    queued = []
    delay, tasks.process_bulk_award.delay = tasks.process_bulk_award.delay, queued.append
    started = time.perf_counter()
    client.post(reverse("badges:bulk_confirm", args=[made.pk]))
    confirm = time.perf_counter() - started
    tasks.process_bulk_award.delay = delay

    started = time.perf_counter()
    bulk.process(made.pk)
    background = time.perf_counter() - started
    issued = Award.objects.filter(bulk=made, state=Award.State.ISSUED).count()
    assert issued == N, issued

    print(
        f"class of {N} learners, {len(body.encode()) / 1024:.0f} KB CSV, {os.environ['DATABASE_URL'].split(':')[0]}"
    )
    print(f"upload + preview page: {preview:.2f} s ({N / preview:.0f} rows/s checked)")
    print(f"confirm click:         {confirm * 1000:.0f} ms")
    print(
        f"background issuing:    {background:.2f} s ({N / background:.0f} learners/s: account, award, signed credential)"
    )
    print(f"evaluator's own wait:  {preview + confirm:.2f} s")


if __name__ == "__main__":
    main()
