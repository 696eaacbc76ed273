"""Benchmark: Open Badges 3.0 credentials issued per second through the real issuing service.

Builds a throw-away SQLite database with the demo site, makes N awards (``BENCH_AWARDS``, default
1000) of one achievement to N learners, issues each with ``badges.issuing.services.issue_credential`` and
prints the end-to-end rate, split into canonicalisation, signing, image baking and everything else,
beside the raw rate of canonicalise + sign alone on the same credential in the same run.
Run with ``make bench-awards``.
"""

import os
import time

from benchdb import throwaway_environment

folder = throwaway_environment()

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

N = int(os.environ.get("BENCH_AWARDS", "1000"))


def main():
    call_command("migrate", verbosity=0)
    from badges.issuing import images, keys, services, signing
    from badges.models import Achievement, Award
    from core.quiet import quietly
    from microcred.demo import seed_demo

    seed_demo()
    achievement = Achievement.objects.filter(credit_bearing=True).first()
    User = get_user_model()
    learners = User.objects.bulk_create(
        [
            User(username=f"bench-{n}", email=f"bench-{n}@example.edu", first_name="Bench", last_name=str(n))
            for n in range(N)
        ]
    )
    baking = {"seconds": 0.0}
    for name in ("bake_png", "bake_svg"):
        original = getattr(images, name)

        def timed(*args, _original=original, **kwargs):
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                baking["seconds"] += time.perf_counter() - started

        setattr(images, name, timed)

    # Make the awards without queueing their issuing (with no broker, tasks run at once): the timed
    # loop below issues them, through the same service the task calls.
    import logging

    logging.getLogger("celery").setLevel(logging.WARNING)
    queue_issue, services._enqueue_issue = services._enqueue_issue, lambda award_id: None
    awards = []
    with quietly():
        for learner in learners:
            awards.append(services.award(learner=learner, achievement=achievement))
    services._enqueue_issue = queue_issue
    # Issued awards are handed to other tasks (the registrar's record) through the broker; with no
    # broker they would run inline here, so they are collected instead, as a queue would.
    handed_over = []
    send, services._send = services._send, lambda name, pk: handed_over.append((name, pk))
    signing.TIMINGS.canonicalize = signing.TIMINGS.sign = 0.0
    started = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        with quietly():
            cProfile.runctx(
                "for made in awards: services.issue_credential(award_id=made.pk)",
                globals(),
                locals(),
                f"{folder}/issue.prof",
            )
        pstats.Stats(f"{folder}/issue.prof").sort_stats("tottime").print_stats(25)
    else:
        with quietly():
            for made in awards:
                services.issue_credential(award_id=made.pk)
    total = time.perf_counter() - started
    services._send = send
    print(f"handed to other tasks through the queue: {len(handed_over)}")
    assert Award.objects.filter(state=Award.State.ISSUED, learner__in=learners).count() == N

    canon, sign = signing.TIMINGS.canonicalize, signing.TIMINGS.sign
    rest = total - canon - sign - baking["seconds"]
    print(f"end to end: {N} credentials in {total:.2f} s = {N / total:.1f} credentials/s")
    for label, seconds in (
        ("canonicalisation", canon),
        ("signing", sign),
        ("image baking", baking["seconds"]),
        ("everything else", rest),
    ):
        print(f"  {label:<18} {seconds:7.2f} s  {seconds / total:6.1%}  {seconds / N * 1000:6.2f} ms each")

    # The raw rate: canonicalise + sign alone, on the same (unsigned) credential.
    import json

    from badges.issuing.documents import iso
    from badges.models import IssuerKey

    sample = json.loads(awards[0].__class__.objects.get(pk=awards[0].pk).credential.json)
    unsigned = {k: v for k, v in sample.items() if k != "proof"}
    key = IssuerKey.objects.filter(retired_at__isnull=True).first()
    private = keys.load_private(key.name)
    from django.utils import timezone

    created = iso(timezone.now())
    rounds = min(N, 300)
    started = time.perf_counter()
    for _ in range(rounds):
        signing.sign(unsigned, private_key=private, verification_method=key.url, created=created)
    raw = rounds / (time.perf_counter() - started)
    print(f"raw canonicalise + sign: {raw:.1f} credentials/s ({rounds} rounds)")
    print(f"end to end / raw: {N / total / raw:.2f}")


if __name__ == "__main__":
    main()
