"""Benchmark: Open Badges 3.0 credentials issued per second through the real issuing service, the
plain path beside the fast one in the same run.

Builds a throw-away SQLite database with the demo site, makes 2 × N awards (``BENCH_AWARDS``,
default 1000) of one achievement to 2 × N learners and issues them with
``badges.issuing.services.issue_credential``, alternating batches of the two paths so that the
machine's load falls on both alike:

- plain: every document canonicalised in full (``jsonld.canonicalize``) and the stacking check as it
  was before issue 21 (the proposal loaded lazily, the certificates queried even where none exist);
- fast: the per-shape canonicalisation template (``jsonld.canonicalize_credential``) and the trimmed
  stacking check, as the product runs.

Prints, per path, the end-to-end rate split into canonicalisation, signing, the stacking check,
image baking and everything else, then canonicalise + sign alone on the issued credentials.
Run with ``make bench-awards`` (``BENCH_DATABASE_URL=postgres://...`` for PostgreSQL).
"""

import json
import logging
import os
import time

from benchdb import throwaway_environment

folder = throwaway_environment()

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

N = int(os.environ.get("BENCH_AWARDS", "1000"))
BATCH = 50
PATHS = ("plain", "fast")
STAGES = ("canonicalisation", "signing", "stacking check", "image baking", "everything else")


def plain_stacking_check(component_award):
    """The stacking check as it was before issue 21, for the plain column: the proposal read on
    its own, then the certificates queried whether or not any contains the achievement."""
    from badges.awarding import stacking
    from proposals.choices import Form
    from proposals.models import Proposal
    from proposals.policy import State

    component_award.achievement._state.fields_cache.pop("proposal", None)
    certificates = Proposal.objects.filter(
        pk__in=Proposal.components.through.objects.filter(
            to_proposal__in=[p.pk for p in stacking._revised(component_award.achievement.proposal)]
        ).values("from_proposal_id"),
        state=State.PUBLISHED,
        form=Form.MICRO_CERTIFICATE,
    )
    if list(certificates):
        raise SystemExit("The benchmark's achievement is part of a micro-certificate: pick another.")
    return []


class Clock:
    """Seconds per stage and path, summed over batches."""

    def __init__(self):
        self.seconds = {path: dict.fromkeys((*STAGES, "total"), 0.0) for path in PATHS}

    def wrap(self, module, name, stage):
        """Time every call of ``module.name`` into ``stage`` of the path running now."""
        original = getattr(module, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return getattr(self, "override", {}).get(name, original)(*args, **kwargs)
            finally:
                self.seconds[self.path][stage] += time.perf_counter() - started

        setattr(module, name, timed)


def use_path(path, clock):
    from badges.issuing import jsonld, signing

    clock.path = path
    signing.canonicalize_own = jsonld.canonicalize if path == "plain" else jsonld.canonicalize_credential
    clock.override = {"award_completed_certificates": plain_stacking_check} if path == "plain" else {}


def main():
    call_command("migrate", verbosity=0)
    from badges.awarding import stacking
    from badges.issuing import images, jsonld, keys, services, signing
    from badges.models import Achievement, Award
    from core.quiet import quietly
    from microcred.demo import seed_demo

    seed_demo()
    achievement = Achievement.objects.filter(credit_bearing=True).first()
    User = get_user_model()
    learners = User.objects.bulk_create(
        [
            User(username=f"bench-{n}", email=f"bench-{n}@example.edu", first_name="Bench", last_name=str(n))
            for n in range(2 * N)
        ]
    )
    clock = Clock()
    clock.path = "fast"
    for name in ("bake_png", "bake_svg"):
        clock.wrap(images, name, "image baking")
    clock.wrap(stacking, "award_completed_certificates", "stacking check")

    # Make the awards without queueing their issuing (with no broker, tasks run at once): the timed
    # loop below issues them, through the same service the task calls.
    logging.getLogger("celery").setLevel(logging.WARNING)
    queue_issue, services._enqueue_issue = services._enqueue_issue, lambda award_id: None
    with quietly():
        awards = [services.award(learner=learner, achievement=achievement) for learner in learners]
    services._enqueue_issue = queue_issue
    # Issued awards are handed to other tasks (the registrar's record) through the broker; with no
    # broker they would run inline here, so they are collected instead, as a queue would.
    handed_over = []
    services._send = lambda name, pk: handed_over.append((name, pk))

    # Warm both paths (imports, contexts, the template of the shape) outside the timing.
    with quietly():
        for path, made in zip(PATHS, awards[:2], strict=True):
            use_path(path, clock)
            services.issue_credential(award_id=made.pk)
    clock.seconds = Clock().seconds
    batches = {path: awards[2 + i :: 2] for i, path in enumerate(PATHS)}
    counts = dict.fromkeys(PATHS, 0)
    with quietly():
        for start in range(0, N, BATCH):
            for path in PATHS:
                use_path(path, clock)
                signing.TIMINGS.canonicalize = signing.TIMINGS.sign = 0.0
                batch = batches[path][start : start + BATCH]
                started = time.perf_counter()
                for made in batch:
                    services.issue_credential(award_id=made.pk)
                seconds = clock.seconds[path]
                seconds["total"] += time.perf_counter() - started
                seconds["canonicalisation"] += signing.TIMINGS.canonicalize
                seconds["signing"] += signing.TIMINGS.sign
                counts[path] += len(batch)
    assert Award.objects.filter(state=Award.State.ISSUED, learner__in=learners).count() == 2 * N

    print(
        f"issued {counts['plain']} (plain) + {counts['fast']} (fast) credentials, alternating batches of {BATCH}"
    )
    print(f"handed to other tasks through the queue: {len(handed_over)}")
    print(f"{'':<24}{'plain path':>22}{'fast path':>22}")
    rates = {path: counts[path] / clock.seconds[path]["total"] for path in PATHS}
    print(
        f"{'end to end':<24}"
        + "".join(f"{rates[p]:>15.1f} cred/s" for p in PATHS)
        + f"   {rates['fast'] / rates['plain']:.2f}×"
    )
    for stage in STAGES:
        cells = []
        for path in PATHS:
            seconds = clock.seconds[path]
            if stage == "everything else":
                spent = seconds["total"] - sum(seconds[s] for s in STAGES[:-1])
            else:
                spent = seconds[stage]
            cells.append(f"{spent / counts[path] * 1000:>9.2f} ms {spent / seconds['total']:>6.1%}")
        print(f"  {stage:<22}" + "".join(f"{cell:>22}" for cell in cells))

    # Canonicalise + sign alone, on the unsigned credentials just issued (each with its own values),
    # both paths in turn over the same documents.
    from django.utils import timezone

    from badges.issuing.documents import iso
    from badges.models import Credential, IssuerKey

    rounds = min(N, 300)
    unsigned = [
        {k: v for k, v in json.loads(text).items() if k != "proof"}
        for text in Credential.objects.order_by("-pk").values_list("json", flat=True)[:rounds]
    ]
    key = IssuerKey.objects.filter(retired_at__isnull=True).first()
    private = keys.load_private(key.name)
    created = iso(timezone.now())
    raw = dict.fromkeys(PATHS, 0.0)
    for _repeat in range(2):
        for path in PATHS:
            use_path(path, clock)
            started = time.perf_counter()
            for document in unsigned:
                signing.sign(document, private_key=private, verification_method=key.url, created=created)
            raw[path] += time.perf_counter() - started
    print(
        f"{'canonicalise + sign':<24}"
        + "".join(f"{2 * len(unsigned) / raw[p]:>15.1f} cred/s" for p in PATHS)
        + f"   {raw['plain'] / raw['fast']:.2f}×  ({len(unsigned)} credentials, twice)"
    )
    stats = jsonld.TEMPLATE_STATS
    print(
        f"template path: {stats.templated} canonicalised through a template ({stats.built} shapes built), "
        f"{stats.fallback} in full{': ' + str(stats.reasons) if stats.reasons else ''}"
    )


if __name__ == "__main__":
    main()
