"""Demo data of the review app: the unit curriculum committees, the active profile's review bodies
with chairs, members and the office's staff, and demo proposals walked through the real workflow.
Every write is get-or-create, so running it again changes nothing. Called by the project's
``seed_demo`` after ``proposals.demo``."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from proposals.choices import Form, Kind, Level, OutcomeKind
from proposals.models import Competency
from proposals.policy import VOTE, BodyKind, active_profile

from .models import Membership, NotificationPreference, ReviewBody


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
        chair = site.user(f"{spec.slug}-chair", "Chair of", spec.slug.upper(), f"Committee chair, {label}")
        _member(body, chair, Membership.Role.CHAIR)
        for n in (1, 2):
            member = site.user(
                f"{spec.slug}-member{n}", f"Member {n} of", spec.slug.upper(), f"Committee member, {label}"
            )
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
        "first_vote",
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
        "published",
    ),
    (
        "MC-DEMO-8",
        "Public Speaking Essentials",
        Kind.NON_CREDIT,
        Level.PROFESSIONAL,
        False,
        Decimal(0),
        "published",
    ),
    (
        "MC-DEMO-9",
        "Workplace Communication Micro-certificate",
        Kind.NON_CREDIT,
        Level.UNDERGRADUATE,
        False,
        Decimal(0),
        "published",
    ),
]
# A micro-certificate is a collection of related micro-credentials: its code -> its components.
DEMO_CERTIFICATES = {"MC-DEMO-9": ("MC-DEMO-5", "MC-DEMO-7")}


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


def _walk(proposal, goal, users):
    """Take a demo proposal through the real workflow services up to ``goal``."""
    from proposals import services as proposal_services
    from proposals.policy import State

    from . import selectors, services

    # Every demo proposal was developed in consultation with the office (FIU requires it).
    proposal_services.request_consultation(
        proposal=proposal, user=proposal.lead_author, message="Could you look at our assessment plan?"
    )
    if goal == "draft":
        return
    services.complete_consultation(
        proposal=proposal,
        user=users["office"],
        rigor="Upper-division undergraduate rigor: each outcome assessed with a published rubric.",
    )
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
        ballot = selectors.open_ballot(proposal)
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
        closers = ballot.body.memberships.filter(role__in=[Membership.Role.CHAIR, Membership.Role.STAFF])
        chair = next(m.user for m in closers)
        proposal, _ballot = services.close_vote(proposal=proposal, user=chair, ballot_id=ballot.pk)
    if goal == "published":
        services.publish(proposal=proposal, user=users["office"])


def seed_demo_proposals(users):
    """Proposals at several stages, walked through the real workflow, created once each."""
    from proposals.models import Proposal

    from . import services

    users = get_user_model().objects.in_bulk(list(users), field_name="username")
    author = users["faculty"]
    unit = author.unit_roles.first().unit
    with services.quietly():
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
            _walk(proposal, goal, users)
