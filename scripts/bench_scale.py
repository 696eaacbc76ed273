"""Benchmark: every main page at demo size and at the size of a large university, in one run.

Creates a throw-away PostgreSQL database (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/microcred_bench_scale, dropped and created), migrates, seeds the
demo site and times each main page as the person who uses it (Django test client, ``BENCH_REPEAT``
runs after two warm-ups). Then it fills the database with a large university by bulk inserts
(200 units, 20,000 proposals over every state with their versions, ballots, votes and audit trail,
200,000 awards and 100,000 transcript records; ``BENCH_SCALE=0.1`` for a tenth), runs VACUUM
ANALYZE (as autovacuum would soon after), times the same pages again and prints, per page, p50/p95 at both sizes, the queries and the p95 ratio.
The database is left in place for ``make bench-load``. Run with ``make bench-scale``.

The large rows are realistic in shape, not made through the services: awards are written issued
without signing (only the demo awards carry a real credential, and the public page timed is one of
them); ballots, votes and audit events follow each proposal's route up to its state.
"""

import csv
import io
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg2
from benchdb import collect_static, serve

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/microcred_bench_scale")
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))
WARMUP = 2
UNITS = int(200 * SCALE)
PROPOSALS = int(20_000 * SCALE)
AWARDS = int(200_000 * SCALE)
RECORDS = int(100_000 * SCALE)
AWARDS_PER_LEARNER = 4
ENROLMENTS = int(20_000 * SCALE)

name = URL.rsplit("/", 1)[1]
DEMO_URL = os.environ.get("BENCH_DEMO_DATABASE_URL", URL.rsplit("/", 1)[0] + "/microcred_bench_demo")
LOAD_USERS = [int(n) for n in os.environ.get("BENCH_LOAD_USERS", "1,8,32").split(",")]
LOAD_SECONDS = os.environ.get("BENCH_LOAD_TIME", "30s")


def recreate_database(url):
    """Drop and create the database of ``url`` (only ever a benchmark's own database)."""
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}"')
        cursor.execute(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"')
    admin.close()


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcred.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["DATABASE_URL"] = URL
# Kept beside the database so that ``make bench-load`` serves the same issuer.
os.environ["ISSUER_KEY_DIR"] = os.environ.get("BENCH_KEY_DIR", f"/tmp/{name}-keys")  # noqa: S108
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.pop("CELERY_BROKER_URL", None)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

User = get_user_model()
rng = random.Random(13)


# --- timing -----------------------------------------------------------------------------------------


def measure(client, path):
    started = time.perf_counter()
    for _ in range(WARMUP):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    # A page that takes seconds is timed fewer times (at least 5) so that the run stays short.
    each = (time.perf_counter() - started) / WARMUP
    samples, queries = [], 0
    for _ in range(max(5, min(REPEAT, int(10 / max(each, 0.001))))):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        queries = len(captured)
    samples.sort()
    return statistics.median(samples), samples[round(0.95 * (len(samples) - 1))], queries


def pages(ctx):
    """(label, username or None for anonymous, path): each main page as the person who uses it."""
    from proposals.selectors import search_proposals

    office = User.objects.get(username="office")
    deep = max(1, int(search_proposals(user=office).count() / 25 * 0.8))
    return [
        ("home", "faculty", "/"),
        ("my proposals", "faculty", "/proposals/"),
        ("search", "faculty", "/proposals/search/"),
        ("search ?q=", "faculty", "/proposals/search/?q=analytics"),
        (f"search deep (p{deep})", "office", f"/proposals/search/?page={deep}"),
        ("queue", "unitreviewer", "/review/queue/"),
        ("queue", "gc-member1", "/review/queue/"),
        ("queue", "gc-chair", "/review/queue/"),
        ("queue", "office", "/review/queue/"),
        ("dashboard", "office", "/review/dashboard/"),
        ("proposal", "gc-member1", f"/proposals/{ctx['proposal']}/"),
        ("proposal diff", "gc-member1", f"/proposals/{ctx['proposal']}/versions/"),
        ("meeting agenda", "gc-chair", f"/review/meetings/{ctx['meeting']}/"),
        ("evidence queue", "evaluator", "/badges/evidence/"),
        ("my awards", "learner", "/badges/mine/"),
        ("public award", None, f"/badges/awards/{ctx['award']}/"),
        ("registrar queue", "registrar", "/registrar/"),
    ]


def time_pages(ctx):
    results = {}
    users = User.objects.in_bulk(field_name="username")
    for label, username, path in pages(ctx):
        client = Client()
        if username:
            client.force_login(users[username])
        # The deep search page differs by size: key it by its position, not its page number.
        key = (label.split(" (")[0], username)
        results[key] = (label, measure(client, path))
    return results


# --- demo size --------------------------------------------------------------------------------------


def demo_context():
    """The demo objects the pages are timed on: a proposal at the Graduate Council with an open
    ballot (given a second version, so that its diff page has something to compare), a meeting of
    the Council with it on the agenda, and one of the demo learner's issued awards."""
    from badges.models import Award
    from proposals.models import Proposal, ProposalVersion
    from proposals.policy import State
    from review.models import AgendaItem, Meeting, ReviewBody

    proposal = Proposal.objects.filter(state=State.GRADUATE_COUNCIL).order_by("pk").first()
    latest = proposal.versions.order_by("-number").first()
    data = dict(latest.data, summary=latest.data.get("summary", "") + " Revised after the unit's comments.")
    ProposalVersion.objects.create(
        proposal=proposal, number=latest.number + 1, data=data, created_by=proposal.lead_author
    )
    body = ReviewBody.objects.get(slug="gc")
    meeting = Meeting.objects.create(
        body=body, date=timezone.now() + timedelta(days=7), created_by=User.objects.get(username="gc-chair")
    )
    AgendaItem.objects.create(meeting=meeting, proposal=proposal, position=1)
    award = Award.objects.filter(learner__username="learner", state=Award.State.ISSUED).first()
    return {"proposal": proposal.pk, "meeting": meeting.pk, "award": award.public_id}


# --- large size -------------------------------------------------------------------------------------


def copy_rows(table, columns, rows):
    """COPY rows (tuples; dicts and lists become JSON, None becomes NULL) into ``table``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(
            [
                "\\N"
                if value is None
                else json.dumps(value)
                if isinstance(value, dict | list)
                else value.isoformat()
                if hasattr(value, "isoformat")
                else value
                for value in row
            ]
        )
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
        )


def sql(statement, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params if params is not None else ())
        return cursor.rowcount


def max_id(model):
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


TOPICS = [
    "Data Analytics",
    "Cybersecurity",
    "Public Health",
    "Project Management",
    "Machine Learning",
    "Supply Chain",
    "Digital Marketing",
    "Clinical Research",
    "Sustainability",
    "Grant Writing",
    "UX Research",
    "Financial Modelling",
    "Community Leadership",
    "Bioinformatics",
    "Technical Writing",
    "Cloud Computing",
    "Entrepreneurship",
    "Conflict Resolution",
    "GIS Mapping",
    "Quality Assurance",
]
SUFFIXES = ["Foundations", "Essentials", "in Practice", "for Professionals", "Studio", "Advanced Topics"]


def fill_people_and_units():
    from django.contrib.auth.models import Group

    from core import roles
    from proposals.models import Unit, UnitRole

    root = Unit.objects.get(parent__isnull=True, kind=Unit.Kind.UNIVERSITY)
    schools = Unit.objects.bulk_create(
        [
            Unit(name=f"School of {TOPICS[n % 20]} {n}", code=f"bs{n}", kind=Unit.Kind.SCHOOL, parent=root)
            for n in range(max(1, UNITS // 10))
        ]
    )
    departments = Unit.objects.bulk_create(
        [
            Unit(
                name=f"Department of {TOPICS[n % 20]} {n}",
                code=f"bd{n}",
                kind=Unit.Kind.DEPARTMENT,
                parent=schools[n % len(schools)],
            )
            for n in range(UNITS - len(schools))
        ]
    )
    now = timezone.now()
    faculty_count = len(departments) * 10
    sql(
        """INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
        is_staff, is_active, date_joined)
        SELECT '!', false, 'bf' || g, 'Faculty' || g, (ARRAY['Nguyen','Smith','García','Okafor','Müller',
        'Kowalski','Tanaka','O''Brien','Silva','Ahmed'])[1 + g %% 10], 'bf' || g || '@example.edu',
        false, true, %s FROM generate_series(0, %s) g""",
        [now, faculty_count - 1],
    )
    learners = max(1, AWARDS // AWARDS_PER_LEARNER)
    sql(
        """INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
        is_staff, is_active, date_joined)
        SELECT '!', false, 'bl' || g, 'Learner' || g, (ARRAY['Nguyen','Smith','García','Okafor','Müller',
        'Kowalski','Tanaka','O''Brien','Silva','Ahmed'])[1 + g %% 10], 'bl' || g || '@example.edu',
        false, true, %s FROM generate_series(0, %s) g""",
        [now, learners - 1],
    )
    faculty_ids = list(
        User.objects.filter(username__startswith="bf").order_by("pk").values_list("pk", flat=True)
    )
    UnitRole.objects.bulk_create(
        [
            UnitRole(unit=departments[n // 10], user_id=pk, role=UnitRole.Role.FACULTY)
            for n, pk in enumerate(faculty_ids)
        ]
    )
    group = Group.objects.get(name=roles.FACULTY)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=pk, group_id=group.pk) for pk in faculty_ids], batch_size=10_000
    )
    # Learners: most are enrolled students with an ID.
    sql(
        """INSERT INTO badges_learner (user_id, student_id, created_at)
        SELECT id, CASE WHEN id %% 5 = 0 THEN '' ELSE 'B' || (80000000 + id) END, %s
        FROM auth_user WHERE username LIKE 'bl%%'""",
        [now],
    )
    return departments, faculty_ids


def route_of(proposal):
    from proposals.models import Unit
    from proposals.policy import route

    proposal._prefetched_objects_cache = {"co_sponsors": Unit.objects.none()}
    return route(proposal)


STATE_WEIGHTS = {
    "draft": 10,
    "review": 10,
    "returned": 3,
    "approved": 2,
    "published": 55,
    "retired": 10,
    "rejected": 5,
    "withdrawn": 5,
}


def fill_proposals(departments, faculty_ids):
    """20,000 proposals over every state, with co-authors, competencies, versions, ballots, votes
    and the audit trail of each one's route so far."""
    from proposals.choices import Kind, Level
    from proposals.models import Competency, Proposal
    from proposals.policy import VOTE, State, route_keys
    from review.models import AuditEvent, Membership, ReviewBody

    users = User.objects.in_bulk(field_name="username")
    demo_faculty = [users["faculty"].pk, users["coauthor"].pk]
    demo_dept = users["faculty"].unit_roles.first().unit
    units = [*departments, demo_dept]
    now = timezone.now()
    made = []
    for n in range(PROPOSALS):
        unit_index = rng.randrange(len(units))
        unit = units[unit_index]
        # The demo faculty lead one proposal in 100 (about 200 of their own at full size).
        if n % 100 == 0:
            lead = demo_faculty[0]
        elif unit is demo_dept:
            lead = rng.choice(demo_faculty)
        else:
            lead = faculty_ids[unit_index * 10 + rng.randrange(10)]
        kind = Kind.CREDIT_BEARING if rng.random() < 0.6 else Kind.NON_CREDIT
        topic = f"{rng.choice(TOPICS)} {rng.choice(SUFFIXES)}"
        proposal = Proposal(
            title=f"{topic} {n}",
            code=f"MC-{n:05d}",
            kind=kind,
            level=rng.choice([Level.UNDERGRADUATE, Level.GRADUATE, Level.PROFESSIONAL]),
            unit=unit,
            lead_author_id=lead,
            summary=f"{topic}: a stackable credential that documents a skill employers ask for.",
            purpose="Prepares learners for roles that ask for this skill, and documents it with evidence.",
            target_learners="Students in any major, and professionals returning to study.",
            employer_evidence="The advisory board named this skill among its top hiring needs.",
            total_credits=6 if kind == Kind.CREDIT_BEARING else None,
            fee_amount=None if kind == Kind.CREDIT_BEARING else rng.choice([0, 150, 300]),
            evidence_submission="A portfolio of two projects and a short presentation.",
            evidence_criteria="A published four-level rubric.",
            reflective_experience="A closing reflection.",
            advising_plan="The department's advisor.",
            open_to_non_matriculated=kind == Kind.NON_CREDIT,
        )
        stages = route_of(proposal)
        bucket = rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()))[0]
        if bucket == "review":
            at = rng.randrange(len(stages))
            state, passed = stages[at].state, stages[:at]
        elif bucket in ("approved", "published", "retired"):
            state, passed = bucket, stages
        elif bucket in ("returned", "rejected", "withdrawn"):
            at = rng.randrange(len(stages))
            state, passed = bucket, stages[:at]
            if bucket == "returned":
                proposal.returned_from = stages[at].state
        else:
            state, passed = State.DRAFT, []
        # The state field is protected (only transitions change it); the route had to be known first.
        proposal.__dict__["state"] = state
        created = now - timedelta(days=rng.uniform(30, 3650))
        if state != State.DRAFT:
            proposal.submitted_at = created + timedelta(days=rng.uniform(5, 20))
        proposal.stage_entered_at = (
            proposal.submitted_at + timedelta(days=14 * len(passed)) if proposal.submitted_at else None
        )
        if proposal.stage_entered_at and proposal.stage_entered_at > now:
            proposal.stage_entered_at = now - timedelta(days=rng.uniform(0, 30))
        made.append((proposal, created, stages, passed))
    Proposal.objects.bulk_create([m[0] for m in made], batch_size=2000)
    # auto_now fields were set to "now": spread them over the years the proposals were written.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_dates (id int, created_at timestamptz, updated_at timestamptz)"
        )
    copy_rows(
        "bench_dates",
        ["id", "created_at", "updated_at"],
        [(p.pk, c, p.stage_entered_at or c + timedelta(days=3)) for p, c, _s, _p in made],
    )
    sql(
        """UPDATE proposals_proposal p SET created_at = d.created_at, updated_at = d.updated_at
        FROM bench_dates d WHERE d.id = p.id"""
    )

    first_id = made[0][0].pk
    # Co-authors (one proposal in three), co-sponsors (one in twenty), three competencies each.
    co_authors = Proposal.co_authors.through
    co_authors.objects.bulk_create(
        [
            co_authors(proposal_id=p.pk, user_id=rng.choice(faculty_ids))
            for p, *_ in made
            if rng.random() < 0.33
        ],
        batch_size=10_000,
        ignore_conflicts=True,
    )
    co_sponsors = Proposal.co_sponsors.through
    co_sponsors.objects.bulk_create(
        [
            co_sponsors(proposal_id=p.pk, unit_id=rng.choice(units).pk)
            for p, *_ in made
            if rng.random() < 0.05
        ],
        batch_size=10_000,
        ignore_conflicts=True,
    )
    nace = list(Competency.objects.values_list("pk", flat=True))
    competencies = Proposal.competencies.through
    competencies.objects.bulk_create(
        [
            competencies(proposal_id=p.pk, competency_id=c)
            for p, *_ in made
            for c in rng.sample(nace, min(3, len(nace)))
        ],
        batch_size=10_000,
    )

    # Versions: one per submission (one to three), each a full snapshot like the demo's.
    template = Proposal.objects.get(code="MC-DEMO-2").versions.order_by("number").first().data
    sql(
        """INSERT INTO proposals_proposalversion (proposal_id, number, data, created_by_id, created_at)
        SELECT p.id, n, jsonb_set(jsonb_set(%s::jsonb, '{title}', to_jsonb(p.title)),
            '{summary}', to_jsonb(p.summary || ' Revision ' || n)),
            p.lead_author_id, p.submitted_at + n * interval '10 days'
        FROM proposals_proposal p CROSS JOIN generate_series(1, 3) n
        WHERE p.id >= %s AND p.state <> 'draft' AND n <= 1 + p.id %% 3""",
        [json.dumps(template), first_id],
    )

    # Ballots and the audit trail along each proposal's route.
    bodies = {b.kind: b for b in ReviewBody.objects.filter(unit__isnull=True)}
    chairs = {m.body_id: m.user_id for m in Membership.objects.filter(role__in=[Membership.Role.CHAIR])}
    unit_reviewer, office = users["unitreviewer"].pk, users["office"].pk
    ballots, events = [], []
    A = AuditEvent.Action
    for proposal, _created, stages, passed in made:
        if proposal.submitted_at is None:
            continue
        keys = route_keys(proposal, stages)
        moment = proposal.submitted_at
        version = 1 + proposal.pk % 3
        events.append(
            (proposal.pk, proposal.lead_author_id, A.SUBMITTED, State.DRAFT, stages[0].state, 1, moment, keys)
        )
        for i, stage in enumerate(passed):
            following = stages[i + 1].state if i + 1 < len(stages) else State.APPROVED
            opened, moment = moment, moment + timedelta(days=14)
            if stage.decided_by == VOTE:
                body = bodies[stage.body_kind]
                chair = chairs[body.pk]
                ballots.append(
                    (
                        proposal.pk,
                        body.pk,
                        stage.state,
                        version,
                        opened,
                        moment,
                        chair,
                        "approve",
                        {"approve": 3},
                    )
                )
                events.append(
                    (proposal.pk, chair, A.VOTE_CLOSED, stage.state, stage.state, version, moment, keys)
                )
                actor = chair
            else:
                actor = unit_reviewer
            events.append((proposal.pk, actor, A.APPROVED, stage.state, following, version, moment, keys))
        state = proposal.state
        if state in State.REVIEW_STAGES:
            stage = stages[len(passed)]
            if stage.decided_by == VOTE:
                body = bodies[stage.body_kind]
                ballots.append((proposal.pk, body.pk, stage.state, version, moment, None, None, "", {}))
        elif state in (State.PUBLISHED, State.RETIRED):
            events.append(
                (proposal.pk, office, A.PUBLISHED, State.APPROVED, State.PUBLISHED, version, moment, keys)
            )
            if state == State.RETIRED:
                events.append(
                    (proposal.pk, office, A.RETIRED, State.PUBLISHED, State.RETIRED, version, moment, keys)
                )
        elif state in (State.RETURNED, State.REJECTED):
            stage = stages[len(passed)]
            action = A.RETURNED if state == State.RETURNED else A.REJECTED
            events.append((proposal.pk, unit_reviewer, action, stage.state, state, version, moment, keys))
        elif state == State.WITHDRAWN:
            events.append(
                (proposal.pk, proposal.lead_author_id, A.WITHDRAWN, "", state, version, moment, keys)
            )
    copy_rows(
        "review_ballot",
        [
            "proposal_id",
            "body_id",
            "stage",
            "version_number",
            "opened_at",
            "closed_at",
            "closed_by_id",
            "outcome",
            "tally",
        ],
        ballots,
    )
    copy_rows(
        "review_auditevent",
        [
            "proposal_id",
            "actor_id",
            "action",
            "from_state",
            "to_state",
            "version_number",
            "created_at",
            "route",
            "comment",
            "tally",
        ],
        [(*e, "", {}) for e in events],
    )
    # Votes: every voting member on a closed ballot; on open ballots the chair and the second
    # member have voted, so the first member still has to.
    votes = sql(
        """INSERT INTO review_vote (ballot_id, voter_id, choice, comment, cast_at, changed_at)
        SELECT b.id, m.user_id, 'approve', '', b.opened_at + interval '2 days', b.opened_at + interval '2 days'
        FROM review_ballot b JOIN review_membership m ON m.body_id = b.body_id AND m.role IN ('chair', 'member')
        JOIN proposals_proposal p ON p.id = b.proposal_id
        WHERE p.id >= %s AND (b.closed_at IS NOT NULL OR m.user_id NOT IN
            (SELECT id FROM auth_user WHERE username LIKE '%%-member1'))""",
        [first_id],
    )
    sql(
        """INSERT INTO review_auditevent (proposal_id, actor_id, action, from_state, to_state,
            version_number, comment, tally, route, created_at)
        SELECT b.proposal_id, v.voter_id, 'vote_cast', b.stage, b.stage, b.version_number, '', '{}',
            '[]', v.cast_at
        FROM review_vote v JOIN review_ballot b ON b.id = v.ballot_id WHERE b.proposal_id >= %s""",
        [first_id],
    )
    return len(made), len(ballots), votes, len(events)


def fill_awards():
    """Achievements for the published proposals, 200,000 issued awards (unsigned), enrolments
    with evidence waiting, and 100,000 transcript records."""
    from transcripts.models import Batch, Term

    now = timezone.now()
    sql(
        """INSERT INTO badges_achievement (uuid, proposal_id, version, proposal_version, name,
            achievement_type, credit_bearing, credits, credly_template_id, data, image_png, image_svg, created_at)
        SELECT gen_random_uuid(), p.id, 1, 1, p.title, 'Badge', p.kind = 'credit_bearing', p.total_credits,
            '', t.data, t.image_png, t.image_svg, p.stage_entered_at
        FROM proposals_proposal p, (SELECT data, image_png, image_svg FROM badges_achievement LIMIT 1) t
        WHERE p.state IN ('published', 'retired') AND p.code LIKE 'MC-0%%'"""
    )
    sql("CREATE TEMP TABLE bench_ach AS SELECT array_agg(id ORDER BY id) ids FROM badges_achievement")
    sql(
        """CREATE TEMP TABLE bench_learner AS
        SELECT array_agg(id ORDER BY id) ids FROM auth_user WHERE username LIKE 'bl%%'"""
    )
    learners = max(1, AWARDS // AWARDS_PER_LEARNER)
    awards = sql(
        """INSERT INTO badges_award (public_id, credential_uuid, learner_id, achievement_id, state,
            status_index, source, narrative, evidence_url, evidence_public, listed, created_at, issued_at,
            revoked_at, revoked_reason, issue_attempts, last_error)
        SELECT gen_random_uuid(), gen_random_uuid(), l.ids[1 + g %% %(n)s],
            a.ids[1 + ((g %% %(n)s) * 31 + g / %(n)s) %% cardinality(a.ids)],
            CASE WHEN g %% 97 = 0 THEN 'revoked' WHEN g %% 499 = 1 THEN 'pending' ELSE 'issued' END,
            1000000 + g, 'evidence', '', '', false, g %% 3 = 0, t, t,
            CASE WHEN g %% 97 = 0 THEN t + interval '30 days' END,
            CASE WHEN g %% 97 = 0 THEN 'Awarded in error.' ELSE '' END, 1, ''
        FROM generate_series(0, %(total)s) g, bench_ach a, bench_learner l,
            LATERAL (SELECT %(now)s::timestamptz - (g %% 1500) * interval '1 day' AS t) w""",
        {"n": learners, "total": AWARDS - 1, "now": now},
    )
    # Enrolments in a fifth micro-credential, with their reflection submitted or accepted.
    sql(
        """INSERT INTO badges_enrolment (learner_id, achievement_id, joined_at, evidence_public, listed)
        SELECT l.ids[1 + g %% %(n)s], a.ids[1 + ((g %% %(n)s) * 31 + 4) %% cardinality(a.ids)],
            %(now)s::timestamptz - (g %% 200) * interval '1 day', false, false
        FROM generate_series(0, %(total)s) g, bench_ach a, bench_learner l
        ON CONFLICT DO NOTHING""",
        {"n": learners, "total": ENROLMENTS - 1, "now": now},
    )
    sql(
        """INSERT INTO badges_evidence (enrolment_id, part, part_title, text, link, file, original_name,
            content_type, state, feedback, submitted_at)
        SELECT e.id, 'reflection', 'Culminating reflection', 'My reflection on the projects.', '', '', '',
            '', CASE WHEN e.id %% 3 = 0 THEN 'submitted' ELSE 'accepted' END, '', e.joined_at + interval '20 days'
        FROM badges_enrolment e JOIN auth_user u ON u.id = e.learner_id WHERE u.username LIKE 'bl%%'"""
    )
    registrar = User.objects.get(username="registrar")
    terms = list(Term.objects.order_by("start"))
    batch = Batch.objects.create(
        term=terms[0], created_by=registrar, csv="", csv_sha256="", json="", json_sha256=""
    )
    sql("CREATE TEMP TABLE bench_terms AS SELECT array_agg(id ORDER BY start) ids FROM transcripts_term")
    records = sql(
        """INSERT INTO transcripts_transcriptrecord (award_id, kind, state, learner_id, given_name,
            family_name, email, student_id, credential_code, credential_title, credits, level, unit,
            unit_ref_id, award_date, term_id, batch_id, reason, created_at, updated_at)
        SELECT a.id, 'award', s.state, u.id, u.first_name, u.last_name, u.email, bl.student_id, p.code,
            ac.name, ac.credits, p.level, un.name, un.id, a.issued_at::date,
            t.ids[1 + a.id %% cardinality(t.ids)], CASE WHEN s.state = 'posted' THEN %(batch)s END,
            CASE WHEN s.state IN ('rejected', 'withdrawn') THEN 'Not on the roster.' ELSE '' END,
            a.issued_at, a.issued_at
        FROM (SELECT * FROM badges_award WHERE state = 'issued' AND status_index >= 1000000
              ORDER BY id LIMIT %(limit)s) a
        JOIN auth_user u ON u.id = a.learner_id
        JOIN badges_learner bl ON bl.user_id = u.id
        JOIN badges_achievement ac ON ac.id = a.achievement_id
        JOIN proposals_proposal p ON p.id = ac.proposal_id
        JOIN proposals_unit un ON un.id = p.unit_id
        CROSS JOIN bench_terms t,
        LATERAL (SELECT CASE WHEN a.id %% 100 < 15 THEN 'pending' WHEN a.id %% 100 < 25 THEN 'verified'
            WHEN a.id %% 100 < 28 THEN 'rejected' WHEN a.id %% 100 < 30 THEN 'withdrawn'
            ELSE 'posted' END AS state) s""",
        {"batch": batch.pk, "limit": RECORDS},
    )
    # The status list hands new indices after the bulk ones.
    sql("UPDATE badges_statuslist SET next_index = 1000000 + %s", [AWARDS])
    return awards, records


def fill_meetings():
    """Meetings of the university bodies over the years, with decided ballots tied to them."""
    from review.models import Meeting, Membership, ReviewBody

    made = []
    now = timezone.now()
    for body in ReviewBody.objects.filter(unit__isnull=True):
        chair = Membership.objects.filter(body=body, role=Membership.Role.CHAIR).first()
        creator = chair.user_id if chair else User.objects.get(username="office").pk
        made += [
            Meeting(body=body, date=now - timedelta(days=30 * n), created_by_id=creator)
            for n in range(1, int(120 * max(SCALE, 0.1)))
        ]
    Meeting.objects.bulk_create(made)
    sql(
        """UPDATE review_ballot b SET meeting_id = m.id FROM review_meeting m
        WHERE m.body_id = b.body_id AND b.closed_at IS NOT NULL AND b.meeting_id IS NULL
        AND date_trunc('month', m.date) = date_trunc('month', b.closed_at)"""
    )


def fill_large():
    started = time.perf_counter()
    steps = []

    def step(label, function):
        begun = time.perf_counter()
        result = function()
        steps.append(f"{label} {time.perf_counter() - begun:.1f} s")
        return result

    departments, faculty_ids = step("people and units", fill_people_and_units)
    proposals, ballots, votes, events = step("proposals", lambda: fill_proposals(departments, faculty_ids))
    step("meetings", fill_meetings)
    awards, records = step("awards", fill_awards)
    # What autovacuum does on a live database within minutes of a bulk load: statistics for the
    # planner and the visibility map that lets counts read an index alone.
    step("VACUUM ANALYZE", lambda: sql("VACUUM ANALYZE"))
    total = time.perf_counter() - started
    print(
        f"filled {UNITS} units, {proposals} proposals, {ballots} ballots, {votes} votes, "
        f"{events}+ audit events, {awards} awards, {records} transcript records in {total:.1f} s"
    )
    print("  " + "; ".join(steps))
    return total


def main():
    import logging

    sys.stdout.reconfigure(line_buffering=True)

    for logger in ("celery", "axes", "django.request"):
        logging.getLogger(logger).setLevel(logging.ERROR)
    recreate_database(URL)
    call_command("migrate", verbosity=0)
    from microcred.demo import seed_demo

    seed_demo()
    ctx = demo_context()
    sql("ANALYZE")
    demo = time_pages(ctx)
    fill_large()
    large = time_pages(ctx)
    header = (
        f"{'page':<22} {'who':<13} {'demo p50':>8} {'p95':>7} {'large p50':>9} {'p95':>7} "
        f"{'queries':>9} {'ratio p95':>9}"
    )
    print(
        f"\nscale {SCALE:g}, up to {REPEAT} runs per page (at least 5) after {WARMUP} warm-ups, times in ms"
    )
    print(header)
    print("-" * len(header))
    for key, (label, (d50, d95, dq)) in demo.items():
        large_label, (l50, l95, lq) = large[key]
        if large_label != label:
            label = f"{label.split(' (')[0]} ({large_label.split(' (')[1]}"
        print(
            f"{label:<22} {key[1] or 'anonymous':<13} {d50:8.1f} {d95:7.1f} {l50:9.1f} {l95:7.1f} "
            f"{f'{dq}/{lq}':>9} {l95 / d95:9.1f}"
        )
    print(f"\ndatabase left for make bench-load: {URL}")


# --- load: gunicorn and Locust ------------------------------------------------------------------------


def make_sessions(path):
    """``bench_scale.py sessions PATH``: sign every load-test login in on this database (the
    server's SECRET_KEY in the environment) and write username -> session id to ``path``."""
    import re

    # Read from the journeys' source: importing Locust here would monkey-patch this process.
    journeys = (ROOT / "scripts/locustfile.py").read_text()
    usernames = {
        name
        for group in re.findall(r"usernames = \((.*?)\)", journeys)
        for name in re.findall(r'"([^"]+)"', group)
    }
    kept = {}
    for user in User.objects.filter(username__in=usernames):
        client = Client()
        client.force_login(user)
        kept[user.username] = client.cookies["sessionid"].value
    with open(path, "w") as out:
        json.dump(kept, out)


def locust(port, users, folder):
    import subprocess

    prefix = f"{folder}/u{users}"
    subprocess.run(  # noqa: S603
        [
            str(ROOT / ".venv/bin/locust"),
            "-f",
            str(ROOT / "scripts/locustfile.py"),
            "--headless",
            "-u",
            str(users),
            # Started a few a second, as people arrive: not all at the same instant.
            "-r",
            str(max(1, users // 4)),
            "-t",
            LOAD_SECONDS,
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            prefix,
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        check=False,
        stdout=subprocess.DEVNULL,
        env=dict(
            os.environ, BENCH_AWARD_IDS=f"{folder}/awards.txt", BENCH_SESSIONS=f"{folder}/sessions.json"
        ),
    )
    with open(f"{prefix}_stats.csv") as stats:
        return list(csv.DictReader(stats))


def load():
    """``make bench-load``: the demo-size database (made fresh) and the large one ``make bench-scale``
    left, each served by gunicorn and loaded by Locust at 1, 8 and 32 users."""
    import secrets
    import subprocess
    import tempfile

    folder = tempfile.mkdtemp(prefix="bench-load-")
    static_root = f"{folder}/static"
    python = str(ROOT / ".venv/bin/python")
    recreate_database(DEMO_URL)
    demo_env = dict(os.environ, DATABASE_URL=DEMO_URL, DEBUG="1")
    for command in (["migrate", "--no-input", "-v0"], ["seed_demo"]):
        subprocess.run(  # noqa: S603
            [python, "manage.py", *command], cwd=ROOT, env=demo_env, check=True, stdout=subprocess.DEVNULL
        )
    collect_static(static_root)
    sizes = [("demo", DEMO_URL)]
    try:
        psycopg2.connect(URL).close()
        sizes.append(("large", URL))
    except psycopg2.OperationalError:
        print(f"no large database at {URL}: run make bench-scale first; demo size only")
    rows = []
    for size, url in sizes:
        with psycopg2.connect(url) as db, db.cursor() as cursor:
            # Issued awards with a real credential first (the demo's), then bulk ones.
            cursor.execute(
                "SELECT public_id FROM badges_award WHERE state = 'issued' "
                "ORDER BY credential_id IS NULL, random() LIMIT 500"
            )
            with open(f"{folder}/awards.txt", "w") as ids:
                ids.writelines(f"{row[0]}\n" for row in cursor.fetchall())
        secret_key = secrets.token_urlsafe(50)
        subprocess.run(  # noqa: S603
            [python, str(ROOT / "scripts/bench_scale.py"), "sessions", f"{folder}/sessions.json"],
            cwd=ROOT,
            env=dict(os.environ, BENCH_DATABASE_URL=url, SECRET_KEY=secret_key),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        server, port = serve(url, static_root, secret_key)
        try:
            for users in LOAD_USERS:
                stats = locust(port, users, f"{folder}")
                total = next(row for row in stats if row["Name"] == "Aggregated")
                worst = max(
                    (row for row in stats if row["Name"] != "Aggregated"),
                    key=lambda row: float(row["95%"] or 0),
                )
                rows.append((size, users, total, worst))
        finally:
            server.terminate()
            server.wait(timeout=30)
    header = f"{'size':<6} {'users':>5} {'requests':>8} {'fails':>5} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>7}  slowest p95"
    print(f"\nLocust, {LOAD_SECONDS} per run, gunicorn -w 3 on 127.0.0.1 (DEBUG=0)")
    print(header)
    print("-" * len(header))
    for size, users, total, worst in rows:
        print(
            f"{size:<6} {users:>5} {total['Request Count']:>8} {total['Failure Count']:>5} "
            f"{total['Median Response Time']:>7} {total['95%']:>7} {float(total['Requests/s']):7.1f}  "
            f"{worst['Name']} {worst['95%']} ms"
        )
    print(f"CSV files in {folder}")


if __name__ == "__main__":
    if sys.argv[1:] == ["load"]:
        load()
    elif sys.argv[1:2] == ["sessions"]:
        make_sessions(sys.argv[2])
    else:
        main()
