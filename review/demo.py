"""Demo data for trying the product: units, the active profile's review bodies with members, and
one login per role. Every write is get-or-create, so running it again changes nothing."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from proposals import roles as global_roles
from proposals.models import Competency, CompetencyFramework, Unit, UnitRole
from proposals.nace import seed_nace
from proposals.policy import ROUTES, VOTE, BodyKind, active_profile

from .models import Membership, ReviewBody

DEMO_PASSWORD = "microcred-demo"  # noqa: S105 - printed to the operator; seed_demo refuses production

# (code, name, kind, parent code) per profile, parents first.
UNITS = {
    "binghamton": [
        ("binghamton", "Binghamton University", Unit.Kind.UNIVERSITY, None),
        ("harpur", "Harpur College of Arts and Sciences", Unit.Kind.SCHOOL, "binghamton"),
        (
            "watson",
            "Thomas J. Watson College of Engineering and Applied Science",
            Unit.Kind.SCHOOL,
            "binghamton",
        ),
        ("som", "School of Management", Unit.Kind.SCHOOL, "binghamton"),
        ("cs", "Department of Computer Science", Unit.Kind.DEPARTMENT, "watson"),
        ("english", "Department of English", Unit.Kind.DEPARTMENT, "harpur"),
        ("clt", "Center for Learning and Teaching", Unit.Kind.CENTRE, "binghamton"),
    ],
    "fiu": [
        ("fiu", "Florida International University", Unit.Kind.UNIVERSITY, None),
        ("cec", "College of Engineering and Computing", Unit.Kind.SCHOOL, "fiu"),
        ("business", "College of Business", Unit.Kind.SCHOOL, "fiu"),
        (
            "scis",
            "Knight Foundation School of Computing and Information Sciences",
            Unit.Kind.DEPARTMENT,
            "cec",
        ),
        ("marketing", "Department of Marketing and Logistics", Unit.Kind.DEPARTMENT, "business"),
        ("asa-office", "Academic and Student Affairs", Unit.Kind.OFFICE, "fiu"),
    ],
}

# The department where the demo faculty, unit reviewer and program evaluator work, and its school.
HOME_UNITS = {"binghamton": ("cs", "watson"), "fiu": ("scis", "cec")}

BODY_SLUGS = {
    BodyKind.OFFICE_COMMITTEE: "omc",
    BodyKind.GRADUATE_COUNCIL: "gc",
    BodyKind.EPPC: "eppc",
    BodyKind.FSEC: "fsec",
    BodyKind.FSCC: "fscc",
    BodyKind.ASA: "asa",
}


@dataclass
class DemoLogin:
    username: str
    name: str
    role: str


def _user(username, first, last, logins, role, **flags):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.invalid", **flags},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    logins.append(DemoLogin(username, f"{first} {last}", role))
    return user


def _member(body, user, role):
    Membership.objects.get_or_create(body=body, user=user, defaults={"role": role})


@transaction.atomic
def seed_demo(*, with_proposals=True):
    """Create (or find) the demo organisation and users of the active profile, and proposals at
    several stages of the pipeline (``with_proposals``); return the logins."""
    profile = active_profile()
    logins: list[DemoLogin] = []
    seed_nace(CompetencyFramework, Competency)

    units = {}
    for code, name, kind, parent in UNITS[profile.key]:
        units[code], _ = Unit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": units.get(parent)}
        )
    dept_code, school_code = HOME_UNITS[profile.key]
    dept, school = units[dept_code], units[school_code]

    committees = {}
    for unit in (dept, school):
        committees[unit.code], _ = ReviewBody.objects.get_or_create(
            slug=f"{unit.code}-curriculum",
            defaults={
                "name": f"{unit.name} curriculum committee",
                "kind": BodyKind.UNIT_COMMITTEE,
                "unit": unit,
            },
        )

    groups = {name: Group.objects.get_or_create(name=name)[0] for name in global_roles.GROUPS}

    _user("admin", "Ada", "Admin", logins, "Administrator", is_staff=True, is_superuser=True)
    for username, first, last in (("faculty", "Fatima", "Ortiz"), ("coauthor", "Chen", "Wei")):
        user = _user(username, first, last, logins, f"Faculty, {dept.name}")
        user.groups.add(groups[global_roles.FACULTY])
        UnitRole.objects.get_or_create(unit=dept, user=user, role=UnitRole.Role.FACULTY)

    reviewer = _user("unitreviewer", "Uma", "Reyes", logins, f"Unit reviewer, {committees[dept.code].name}")
    _member(committees[dept.code], reviewer, Membership.Role.CHAIR)
    school_reviewer = _user(
        "schoolreviewer", "Sam", "Okafor", logins, f"Unit reviewer, {committees[school.code].name}"
    )
    _member(committees[school.code], school_reviewer, Membership.Role.CHAIR)

    voting_kinds = {stage.body_kind for stage in ROUTES[profile.key] if stage.decided_by == VOTE}
    for kind in profile.bodies:
        slug = BODY_SLUGS[kind]
        body, _ = ReviewBody.objects.get_or_create(
            slug=slug, defaults={"name": profile.body_label(kind), "kind": kind, "profile": profile.key}
        )
        label = body.name
        if kind == profile.office_body:
            staff = _user("office", "Olivia", "Stone", logins, f"{profile.office_name} staff")
            _member(body, staff, Membership.Role.STAFF)
        if kind not in voting_kinds:
            continue  # decided by its staff, not by a vote
        chair = _user(f"{slug}-chair", "Chair of", slug.upper(), logins, f"Committee chair, {label}")
        _member(body, chair, Membership.Role.CHAIR)
        for n in (1, 2):
            member = _user(
                f"{slug}-member{n}", f"Member {n} of", slug.upper(), logins, f"Committee member, {label}"
            )
            _member(body, member, Membership.Role.MEMBER)

    evaluator = _user("evaluator", "Evan", "Brooks", logins, f"Program evaluator, {dept.name}")
    UnitRole.objects.get_or_create(unit=dept, user=evaluator, role=UnitRole.Role.PROGRAM_EVALUATOR)
    registrar = _user("registrar", "Rita", "Nguyen", logins, "Registrar")
    registrar.groups.add(groups[global_roles.REGISTRAR])
    learner = _user("learner", "Leo", "Martins", logins, "Learner")
    learner.groups.add(groups[global_roles.LEARNER])
    if with_proposals:
        seed_demo_proposals(login.username for login in logins)
    return logins


# --- demo proposals: a living pipeline --------------------------------------------------------

DEMO_PROPOSALS = [
    # code, title, kind, level, new course, fee, how far it goes
    (
        "MC-DEMO-1",
        "Data Storytelling for Public Health",
        "credit",
        "undergraduate",
        False,
        None,
        "unit_review",
    ),
    ("MC-DEMO-2", "Applied Machine Learning Practice", "credit", "graduate", True, None, "first_vote"),
    ("MC-DEMO-3", "Inclusive Team Leadership", "non_credit", "professional", False, Decimal(150), "returned"),
    ("MC-DEMO-4", "Cloud Foundations", "credit", "undergraduate", False, None, "approved"),
    (
        "MC-DEMO-5",
        "Professional Writing in Tech",
        "non_credit",
        "undergraduate",
        False,
        Decimal(0),
        "published",
    ),
    ("MC-DEMO-6", "Cybersecurity Essentials (draft)", "credit", "undergraduate", False, None, "draft"),
]


def _demo_proposal(code, title, kind, level, new_course, fee, author, unit):
    from proposals.models import Activity, Assessment, Course, LearningOutcome, Proposal

    proposal = Proposal.objects.create(
        code=code,
        title=title,
        kind=kind,
        level=level,
        unit=unit,
        lead_author=author,
        summary=f"{title}: a short, stackable credential for learners who want to show employers a skill.",
        purpose="Prepares learners for roles that ask for this skill, and documents it with evidence.",
        target_learners="Students in any major, and professionals returning to study.",
        employer_evidence="Regional employers' advisory board named this skill among its top hiring needs.",
        total_credits=Decimal(6) if kind == "credit" else None,
        fee_amount=fee,
        evidence_submission="A portfolio of two projects and a short presentation.",
        evidence_evaluators="The department's program evaluator with the course instructors.",
        evidence_criteria="A published four-level rubric; every outcome must reach 'proficient'.",
        reflective_experience="A closing reflection on how the competencies serve the learner's own goals.",
        advising_plan="The department's undergraduate advisor.",
        progress_tracking_plan="Progress is recorded each term in the degree audit.",
        instructor_qualification_plan="Instructors hold a graduate degree in the field.",
        stacks_into="The department's certificate program.",
    )
    nace = list(Competency.objects.filter(framework__slug="nace").order_by("position"))
    proposal.competencies.set(nace[:3])
    if kind == "credit":
        for n in range(2):
            Course.objects.create(
                proposal=proposal,
                position=n,
                subject="CS",
                number=str(410 + n),
                title=f"{title.split()[0]} Studio {n + 1}",
                credits=Decimal(3),
                is_new=new_course and n == 1,
            )
    activity = Activity.objects.create(proposal=proposal, title="Weekly project lab")
    assessment = Assessment.objects.create(proposal=proposal, title="Portfolio review")
    for n, (kind_, text) in enumerate(
        [
            ("slo", "Apply the core methods to a realistic problem."),
            ("po", "Communicate results to a non-specialist audience."),
        ]
    ):
        outcome = LearningOutcome.objects.create(proposal=proposal, position=n, kind=kind_, text=text)
        outcome.competencies.set(nace[n : n + 1])
        outcome.activities.set([activity])
        outcome.assessments.set([assessment])
    return proposal


def _walk(proposal, goal, users):
    """Take a demo proposal through the real workflow services up to ``goal``."""
    from proposals.policy import State

    from . import services

    if goal == "draft":
        return
    proposal, _version = services.submit(proposal=proposal, user=proposal.lead_author)
    if goal == "unit_review":
        return
    if goal == "returned":
        services.decide(
            proposal=proposal,
            user=users["unitreviewer"],
            decision="return",
            expected_state=proposal.state,
            comment="Please state the fee for non-credit learners more precisely and add a rubric.",
        )
        return
    proposal = services.decide(
        proposal=proposal, user=users["unitreviewer"], decision="approve", expected_state=proposal.state
    )
    while proposal.state in State.REVIEW_STAGES:
        stage = proposal.state
        ballot = services.open_ballot(proposal)
        if ballot is None:  # a decision stage after the unit (FIU: ASA review)
            proposal = services.decide(
                proposal=proposal, user=users["office"], decision="approve", expected_state=stage
            )
            continue
        voters = [m.user for m in ballot.body.memberships.filter(is_active=True) if m.votes]
        if goal == "first_vote":
            services.cast_vote(
                proposal=proposal,
                user=voters[0],
                choice="approve",
                comment="Strong proposal; the alignment matrix is clear.",
            )
            return
        for voter in voters[:2]:
            services.cast_vote(proposal=proposal, user=voter, choice="approve")
        chair = next(m.user for m in ballot.body.memberships.filter(role__in=["chair", "staff"]))
        proposal, _ballot = services.close_vote(proposal=proposal, user=chair, ballot_id=ballot.pk)
    if goal == "published":
        services.publish(proposal=proposal, user=users["office"])


def seed_demo_proposals(users):
    """Proposals at several stages, walked through the real workflow, created once each."""
    from django.contrib.auth import get_user_model

    from proposals.models import Proposal

    from . import services

    users = get_user_model().objects.in_bulk(list(users), field_name="username")
    author = users["faculty"]
    unit = author.unit_roles.first().unit
    with services.quietly():
        for code, title, kind, level, new_course, fee, goal in DEMO_PROPOSALS:
            if Proposal.objects.filter(code=code).exists():
                continue
            proposal = _demo_proposal(code, title, kind, level, new_course, fee, author, unit)
            if code == "MC-DEMO-2":
                proposal.co_authors.add(users["coauthor"])
            _walk(proposal, goal, users)
