"""Demo data of the review app: the unit curriculum committees, the active profile's review bodies
with chairs, members and the office's staff, and demo proposals walked through the real workflow.
Every write is get-or-create, so running it again changes nothing. Called by the project's
``seed_demo`` after ``proposals.demo``."""

import contextlib
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.quiet import quietly
from proposals.choices import Form, Kind, Level, OutcomeKind
from proposals.models import Competency
from proposals.policy import VOTE, BodyKind, active_profile

from .models import Membership, NotificationPreference, ReviewBody

# The chair, then the two members, of each voting body: people's names, so that the vote's progress,
# the reminders and the history read as they will on a real site.
MEMBER_NAMES = {
    "omc": (("Helen", "Marsh"), ("Tomás", "Herrera"), ("Aisha", "Bello")),
    "gc": (("Margaret", "Holloway"), ("Daniel", "Kowalski"), ("Priya", "Raman")),
    "eppc": (("Robert", "Lindgren"), ("Grace", "Okonkwo"), ("Marco", "Bianchi")),
    "fsec": (("Susan", "Whitfield"), ("Kenji", "Tanaka"), ("Fatou", "Diallo")),
    "fscc": (("Carmen", "Delgado"), ("Michael", "Brennan"), ("Yuki", "Sato")),
}
FALLBACK_NAMES = (("Jordan", "Ellis"), ("Sofia", "Marin"), ("Noah", "Fischer"))


def _member(body, user, role):
    Membership.objects.get_or_create(body=body, user=user, defaults={"role": role})


def seed_bodies(site):
    """The curriculum committees of the demo department and school, with a chair each, and every
    university-wide body of the active profile with its chair, two members and the office's staff."""
    profile = active_profile()
    dept, school = site.department, site.school
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
    reviewer = site.user("unitreviewer", "Uma", "Reyes", f"Unit reviewer, {committees[dept.code].name}")
    _member(committees[dept.code], reviewer, Membership.Role.CHAIR)
    school_reviewer = site.user(
        "schoolreviewer", "Sam", "Okafor", f"Unit reviewer, {committees[school.code].name}"
    )
    _member(committees[school.code], school_reviewer, Membership.Role.CHAIR)

    voting_kinds = {stage.body_kind for stage in profile.stages if stage.decided_by == VOTE}
    for spec in profile.bodies:
        body, _ = ReviewBody.objects.get_or_create(
            slug=spec.slug, defaults={"name": spec.label, "kind": spec.kind, "profile": profile.key}
        )
        if spec.kind == profile.office_body:
            staff = site.user("office", "Olivia", "Stone", f"{profile.office_name} staff")
            _member(body, staff, Membership.Role.STAFF)
        if spec.kind not in voting_kinds:
            continue  # decided by its staff, not by a vote
        label = body.name
        (chair_first, chair_last), *members = MEMBER_NAMES.get(spec.slug, FALLBACK_NAMES)
        chair = site.user(f"{spec.slug}-chair", chair_first, chair_last, f"Committee chair, {label}")
        _member(body, chair, Membership.Role.CHAIR)
        for n, (first, last) in enumerate(members, start=1):
            member = site.user(f"{spec.slug}-member{n}", first, last, f"Committee member, {label}")
            _member(body, member, Membership.Role.MEMBER)


# People who read their emails in a daily digest (``review.services.digests``), to try it with.
DEMO_DIGEST_READERS = ("unitreviewer", "coauthor")


def seed_preferences():
    """A daily digest for ``DEMO_DIGEST_READERS``; everyone else gets each email at once. Chosen a
    day ago, so that the digest job run now (``send_digests``) already has their digest to send."""
    for user in get_user_model().objects.filter(username__in=DEMO_DIGEST_READERS):
        preference, created = NotificationPreference.objects.get_or_create(
            user=user, defaults={"delivery": NotificationPreference.Delivery.DAILY}
        )
        if created:
            NotificationPreference.objects.filter(pk=preference.pk).update(
                chosen_at=timezone.now() - timedelta(days=1)
            )


# --- demo proposals: a living pipeline --------------------------------------------------------

# Non-credit, professional, no new course, no fee beyond tuition: two review stages in either profile.
_NON_CREDIT = (Kind.NON_CREDIT, Level.PROFESSIONAL, False, Decimal(0))

DEMO_PROPOSALS = [
    # code, title, kind, level, new course, fee, how far it goes
    (
        "MC-DEMO-1",
        "Data Storytelling for Public Health",
        Kind.CREDIT_BEARING,
        Level.UNDERGRADUATE,
        False,
        None,
        "unit_review",
    ),
    (
        "MC-DEMO-2",
        "Applied Machine Learning Practice",
        Kind.CREDIT_BEARING,
        Level.GRADUATE,
        True,
        None,
        "revised_vote",
    ),
    (
        "MC-DEMO-3",
        "Inclusive Team Leadership",
        Kind.NON_CREDIT,
        Level.PROFESSIONAL,
        False,
        Decimal(150),
        "returned",
    ),
    ("MC-DEMO-4", "Cloud Foundations", Kind.CREDIT_BEARING, Level.UNDERGRADUATE, False, None, "approved"),
    (
        "MC-DEMO-5",
        "Professional Writing in Tech",
        Kind.NON_CREDIT,
        Level.UNDERGRADUATE,
        False,
        Decimal(0),
        "published",
    ),
    (
        "MC-DEMO-6",
        "Cybersecurity Essentials",
        Kind.CREDIT_BEARING,
        Level.UNDERGRADUATE,
        False,
        None,
        "draft",
    ),
    (
        "MC-DEMO-7",
        "Data Analytics Foundations",
        Kind.CREDIT_BEARING,
        Level.UNDERGRADUATE,
        False,
        None,
        "published_first",
    ),
    (
        "MC-DEMO-8",
        "Public Speaking Essentials",
        Kind.NON_CREDIT,
        Level.PROFESSIONAL,
        False,
        Decimal(0),
        "published_later",
    ),
    (
        "MC-DEMO-9",
        "Workplace Communication Micro-certificate",
        Kind.NON_CREDIT,
        Level.UNDERGRADUATE,
        False,
        Decimal(0),
        "published_certificate",
    ),
]
# A micro-certificate is a collection of related micro-credentials: its code -> its components.
DEMO_CERTIFICATES = {"MC-DEMO-9": ("MC-DEMO-5", "MC-DEMO-7")}

# How far each demo proposal goes, and when: the history of the last twelve months, so that the
# dashboard's trends show micro-credentials submitted, returned, resubmitted, approved, rejected and
# published in different months. Each step is (days ago, action, comment), taken by the real
# services (``_step``) and then dated (``_dated``).
_RUBRIC = (
    "Each project is assessed with the department's four-level rubric by the instructor and the evaluator."
)
DEMO_STEPS = {
    "draft": ((3, "ask", ""),),
    "unit_review": ((15, "consult", ""), (8, "submit", "")),
    "returned": (
        (45, "consult", ""),
        (38, "submit", ""),
        (30, "return", "Please state the fee for non-credit learners more precisely and add a rubric."),
    ),
    "approved": ((75, "consult", ""), (68, "submit", ""), (60, "through", "")),
    "published": ((150, "consult", ""), (144, "submit", ""), (130, "through", ""), (120, "publish", "")),
    "published_first": (
        (262, "consult", ""),
        (252, "submit", ""),
        (240, "through", ""),
        (218, "publish", ""),
    ),
    "published_later": (
        (200, "consult", ""),
        (190, "submit", ""),
        (180, "through", ""),
        (168, "publish", ""),
    ),
    "published_certificate": (
        (110, "consult", ""),
        (104, "submit", ""),
        (95, "through", ""),
        (88, "publish", ""),
    ),
    # At its first committee vote after a revision at unit review (two versions to compare): the
    # chair and one member have voted, the other member (``-member1``) not yet.
    "revised_vote": (
        (24, "consult", ""),
        (21, "submit", ""),
        (16, "return", "Please say how the studio projects are assessed and who evaluates them."),
        (14, "revise", _RUBRIC),
        (10, "submit", ""),
        (6, "approve", ""),
        (2, "votes", "Strong proposal; the alignment matrix is clear."),
    ),
    "approved_early": (
        (320, "consult", ""),
        (316, "submit", ""),
        (303, "approve", ""),
        (288, "approve", ""),
        (284, "publish", ""),
    ),
    "returned_twice": (
        (280, "consult", ""),
        (274, "submit", ""),
        (262, "return", "Please add how the clinical partners take part in the assessment."),
        (246, "revise", "Clinical partners review each learner's final case study with the instructor."),
        (241, "submit", ""),
        (232, "approve", ""),
        (211, "return", "The committee asks for a second assessment of the data-privacy outcome."),
        (196, "revise", "A short privacy-impact exercise now assesses the data-privacy outcome."),
        (190, "submit", ""),
        (176, "approve", ""),
        (170, "publish", ""),
    ),
    "published_summer": (
        (232, "consult", ""),
        (225, "submit", ""),
        (214, "approve", ""),
        (199, "approve", ""),
        (150, "publish", ""),
    ),
    "rejected": (
        (160, "consult", ""),
        (151, "submit", ""),
        (141, "reject", "It overlaps the graduate school's workshop series; please build on that instead."),
    ),
    "back_at_the_office": (
        (124, "consult", ""),
        (112, "submit", ""),
        (101, "approve", ""),
        (84, "return", "Please align the reflection with the portfolio rubric."),
        (47, "revise", "The reflection now answers the portfolio rubric's four criteria."),
        (40, "submit", ""),
    ),
    "published_recently": (
        (78, "consult", ""),
        (70, "submit", ""),
        (57, "approve", ""),
        (43, "approve", ""),
        (36, "publish", ""),
    ),
    "revised_at_unit": (
        (33, "consult", ""),
        (27, "submit", ""),
        (13, "return", "Please name the employers who asked for this and add their letters."),
        (7, "revise", "Letters from two regional employers are attached to the employer evidence."),
        (5, "submit", ""),
    ),
}
DEMO_PROPOSALS += [
    ("MC-DEMO-10", "Geospatial Analysis for Urban Planning", *_NON_CREDIT, "approved_early"),
    ("MC-DEMO-11", "Healthcare Informatics Essentials", *_NON_CREDIT, "returned_twice"),
    ("MC-DEMO-12", "Sustainable Supply Chain Practice", *_NON_CREDIT, "published_summer"),
    ("MC-DEMO-13", "Grant Writing for Researchers", *_NON_CREDIT, "rejected"),
    ("MC-DEMO-14", "User Experience Research Methods", *_NON_CREDIT, "back_at_the_office"),
    ("MC-DEMO-15", "Project Management Fundamentals", *_NON_CREDIT, "published_recently"),
    ("MC-DEMO-16", "Introduction to Data Ethics", *_NON_CREDIT, "revised_at_unit"),
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
        total_credits=Decimal(6) if kind == Kind.CREDIT_BEARING else None,
        fee_amount=fee,
        evidence_submission="A portfolio of two projects and a short presentation.",
        evidence_evaluators="The department's program evaluator with the course instructors.",
        evidence_criteria="A published four-level rubric; every outcome must reach 'proficient'.",
        reflective_experience="A closing reflection on how the competencies serve the learner's own goals.",
        advising_plan="The department's undergraduate advisor.",
        progress_tracking_plan="Progress is recorded each term in the degree audit.",
        instructor_qualification_plan="Instructors hold a graduate degree in the field.",
        stacks_into="The department's certificate program.",
        # Non-credit ones are open to learners from outside the university too.
        open_to_non_matriculated=kind == Kind.NON_CREDIT,
        non_matriculated_terms="Non-matriculated and non-enrolled learners register online and join "
        "through continuing education."
        if kind == Kind.NON_CREDIT
        else "",
    )
    nace = list(Competency.objects.filter(framework__slug="nace").order_by("position"))
    proposal.competencies.set(nace[:3])
    if kind == Kind.CREDIT_BEARING:
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
            (OutcomeKind.SLO, "Apply the core methods to a realistic problem."),
            (OutcomeKind.PO, "Communicate results to a non-specialist audience."),
        ]
    ):
        outcome = LearningOutcome.objects.create(proposal=proposal, position=n, kind=kind_, text=text)
        outcome.competencies.set(nace[n : n + 1])
        outcome.activities.set([activity])
        outcome.assessments.set([assessment])
    return proposal


# --- the workflow's steps, as the demo takes them ---------------------------------------------


def _step(proposal, action, users, comment=""):
    """One step of the real workflow, by whoever takes it: ``ask`` (the authors ask the office for
    a consultation), ``consult`` (they ask, and the office completes the consultation), ``submit`` (the lead author; a resubmission after a
    return), ``revise`` (the authors add ``comment`` to their purpose, so the versions differ), ``approve``,
    ``return`` or ``reject`` (the stage's deciders: the unit reviewer, the office's staff, or the
    body's voting members and then its chair) and ``publish`` (the office). Returns the proposal."""
    from proposals import services as proposal_services
    from proposals.forms import PurposeForm

    from . import selectors, services

    if action in ("ask", "consult"):
        proposal_services.request_consultation(
            proposal=proposal, user=proposal.lead_author, message="Could you look at our assessment plan?"
        )
        if action == "ask":  # the office has not answered yet
            return proposal
        services.complete_consultation(
            proposal=proposal,
            user=users["office"],
            rigor="Upper-division undergraduate rigor: each outcome assessed with a published rubric.",
        )
        return proposal
    if action == "submit":
        return services.submit(proposal=proposal, user=proposal.lead_author)[0]
    if action == "revise":
        fields = PurposeForm._meta.fields
        data = {name: getattr(proposal, name) for name in fields}
        data["purpose"] = f"{proposal.purpose} {comment}"
        data["employer_evidence"] = f"{proposal.employer_evidence} Two employers have since written letters."
        form = PurposeForm(data, instance=proposal)
        if not form.is_valid():
            raise ValueError(f"The demo's revision does not validate: {form.errors.as_text()}")
        proposal_services.save_section(proposal=proposal, user=proposal.lead_author, forms=[form])
        proposal.refresh_from_db()
        return proposal
    if action == "publish":
        return services.publish(proposal=proposal, user=users["office"])
    ballot = selectors.open_ballot(proposal)
    if ballot is None:  # a decision stage: the unit review, or the office's own (FIU: ASA review)
        decider = users["unitreviewer"] if proposal.state == "unit_review" else users["office"]
        return services.decide(
            proposal=proposal, user=decider, decision=action, comment=comment, expected_state=proposal.state
        )
    choice = {"approve": "approve", "return": "request_changes", "reject": "reject"}[action]
    for voter in _voters(ballot):
        services.cast_vote(proposal=proposal, user=voter, choice=choice, comment=comment)
    closers = ballot.body.memberships.filter(role__in=[Membership.Role.CHAIR, Membership.Role.STAFF])
    chair = next(m.user for m in closers)
    return services.close_vote(proposal=proposal, user=chair, ballot_id=ballot.pk)[0]


def _voters(ballot):
    """The ballot's recorded voters who may vote now."""
    from . import selectors

    return [u for u in selectors.recorded_voters(ballot) if u.member_now and u.is_active]


# Rows each step writes, and the time fields they carry: a dated step sets them to its moment.
DATED_FIELDS = (
    ("review.AuditEvent", ("created_at",)),
    ("review.Ballot", ("opened_at", "closed_at")),
    ("review.Vote", ("cast_at", "changed_at")),
    ("proposals.ProposalVersion", ("created_at",)),
    ("proposals.Consultation", ("created_at", "closed_at")),
    ("proposals.Comment", ("created_at",)),
    ("proposals.Proposal", ("created_at", "updated_at", "submitted_at", "stage_entered_at")),
)


@contextlib.contextmanager
def _dated(days_ago):
    """Whatever the block writes happened ``days_ago`` days back: the demo's history is made by the
    real services now, then its time fields are moved to the moment it is said to have happened
    (only rows the block wrote: those whose time is the block's own)."""
    from django.apps import apps
    from django.utils import timezone

    began = timezone.now()
    yield
    moment = began - timedelta(days=days_ago)
    for label, fields in DATED_FIELDS:
        model = apps.get_model(label)
        for name in fields:
            model.objects.filter(**{f"{name}__gte": began}).update(**{name: moment})


def _walk(proposal, steps, users):
    """Take a demo proposal through ``steps``: (days ago, action, comment), oldest first. Two
    steps are the demo's own: ``through`` approves stage after stage until approved (five days
    apart, whatever the number of stages on the profile's route), and ``votes`` casts, at the
    body's open vote, the votes of its chair and of every member but the first (``-member1``, the
    demo's committee member, is left to vote)."""
    from django.utils import timezone

    from proposals.models import Proposal
    from proposals.policy import State

    from . import selectors, services

    # Drafted a few days before its first step (and untouched since, until a step changes it).
    drafted = timezone.now() - timedelta(days=steps[0][0] + 3)
    Proposal.objects.filter(pk=proposal.pk).update(created_at=drafted, updated_at=drafted)
    for days_ago, action, comment in steps:
        if action == "through":
            while proposal.state in State.REVIEW_STAGES:
                with _dated(days_ago):
                    proposal = _step(proposal, "approve", users)
                days_ago -= 5
            continue
        with _dated(days_ago):
            if action == "votes":
                ballot = selectors.open_ballot(proposal)
                for voter in _voters(ballot):
                    if not voter.username.endswith("-member1"):
                        services.cast_vote(proposal=proposal, user=voter, choice="approve", comment=comment)
                continue
            proposal = _step(proposal, action, users, comment=comment)
    return proposal


def seed_demo_proposals(users):
    """Proposals at several stages, walked through the real workflow, created once each."""
    from proposals.models import Proposal

    users = get_user_model().objects.in_bulk(list(users), field_name="username")
    author = users["faculty"]
    unit = author.unit_roles.first().unit
    with quietly():
        for code, title, kind, level, new_course, fee, goal in DEMO_PROPOSALS:
            if Proposal.objects.filter(code=code).exists():
                continue
            if code in DEMO_CERTIFICATES and active_profile().enforces("badge_only"):
                continue  # this profile's policy has no micro-certificates
            proposal = _demo_proposal(code, title, kind, level, new_course, fee, author, unit)
            if code == "MC-DEMO-2":
                proposal.co_authors.add(users["coauthor"])
            if code in DEMO_CERTIFICATES:
                proposal.form, proposal.theme = Form.MICRO_CERTIFICATE, "Communicating at work"
                proposal.save(update_fields=["form", "theme"])
                proposal.components.set(Proposal.objects.filter(code__in=DEMO_CERTIFICATES[code]))
            _walk(proposal, DEMO_STEPS[goal], users)
