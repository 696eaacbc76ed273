"""Small builders for proposals: a complete, valid one per profile, and ways to break it."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from core.roles import FACULTY
from proposals.models import (
    Activity,
    Assessment,
    Competency,
    Consultation,
    Course,
    LearningOutcome,
    Proposal,
    Unit,
    UnitRole,
)


def faculty(username, unit=None):
    user = get_user_model().objects.create_user(username, email=f"{username}@example.edu", password="pw")
    user.groups.add(Group.objects.get(name=FACULTY))
    if unit:
        UnitRole.objects.create(unit=unit, user=user, role=UnitRole.Role.FACULTY)
    return user


def unit(code="dept", parent=None):
    return Unit.objects.get_or_create(
        code=code, defaults={"name": f"Unit {code}", "kind": Unit.Kind.DEPARTMENT, "parent": parent}
    )[0]


def curriculum_committee(unit, **fields):
    """The unit's own curriculum committee, which approves its proposals at unit review."""
    from review.models import ReviewBody

    return ReviewBody.objects.get_or_create(
        slug=f"{unit.code}-curriculum",
        defaults={
            "name": f"{unit.name} curriculum committee",
            "kind": "unit_committee",
            "unit": unit,
            **fields,
        },
    )[0]


def complete_proposal(
    *, author=None, kind=Proposal.Kind.CREDIT_BEARING, courses=2, outcomes=2, pos=1, **fields
):
    """A proposal that passes every rule of both profiles; ``fields`` override any attribute. Its
    unit, unless given, has a curriculum committee (each sponsoring unit needs one)."""
    home = fields.pop("unit", None)
    if home is None:
        home = unit()
        curriculum_committee(home)
    author = author or faculty(f"author{Proposal.objects.count() + 1}", home)
    values = {
        "title": "Data Storytelling",
        "code": "MC-DS-1",
        "kind": kind,
        "form": Proposal.Form.DIGITAL_BADGE,
        "level": Proposal.Level.UNDERGRADUATE,
        "summary": "Learners turn data into clear stories.",
        "purpose": "Prepares students to communicate with data at work.",
        "target_learners": "Juniors and seniors in any major.",
        "employer_evidence": "Regional employers list data communication among top needs.",
        "total_credits": Decimal(3 * courses) if kind == Proposal.Kind.CREDIT_BEARING else None,
        "fee_amount": Decimal("0") if kind == Proposal.Kind.NON_CREDIT else None,
        "evidence_submission": "A portfolio of three data stories.",
        "evidence_evaluators": "The program evaluator of the department.",
        "evidence_criteria": "A rubric with four criteria, each met at 'proficient'.",
        "reflective_experience": "A closing essay on how the competencies serve the learner's goals.",
        "advising_plan": "The department's undergraduate advisor.",
        "progress_tracking_plan": "Progress is recorded in the degree audit.",
        "instructor_qualification_plan": "Instructors hold a graduate degree in the field.",
    }
    values.update(fields)
    proposal = Proposal.objects.create(lead_author=author, unit=home, **values)
    nace = list(Competency.objects.filter(framework__slug="nace"))
    proposal.competencies.set(nace[:2])
    if kind == Proposal.Kind.CREDIT_BEARING:
        for n in range(courses):
            Course.objects.create(
                proposal=proposal,
                position=n,
                subject="DS",
                number=str(300 + n),
                title=f"Course {n}",
                credits=Decimal(3),
            )
    # Developed in consultation with the office, which recorded the level of rigor (FIU).
    Consultation.objects.create(
        proposal=proposal,
        requested_by=author,
        closed_at=timezone.now(),
        rigor="Upper-division undergraduate: rubric-scored portfolio.",
    )
    activity = Activity.objects.create(proposal=proposal, title="Weekly data clinic")
    assessment = Assessment.objects.create(proposal=proposal, title="Portfolio review")
    for n in range(outcomes):
        kind_ = LearningOutcome.Kind.PO if n < pos else LearningOutcome.Kind.SLO
        outcome = LearningOutcome.objects.create(
            proposal=proposal,
            position=n,
            kind=kind_,
            text=f"Outcome {n}: explain a finding to a lay audience.",
        )
        outcome.competencies.set(nace[:1])
        outcome.activities.set([activity])
        outcome.assessments.set([assessment])
    return proposal


def issued_awards(author, per_credential, alignment=()):
    """Awards issued at given moments, each micro-credential a published achievement of a complete
    proposal of ``author`` aligned with ``alignment`` (Open Badges alignment entries):
    ``{micro-credential name: [issued_at, …]}``."""
    from django.db.models import Max

    from badges.models import Achievement, Award

    learners = get_user_model().objects
    # Status-list bits far above those the issuing service hands out.
    index = (Award.objects.aggregate(top=Max("status_index"))["top"] or 0) + 100_000
    made = []
    for name, moments in per_credential.items():
        achievement = Achievement.objects.create(
            proposal=complete_proposal(author=author, title=name[:200]),
            version=1,
            proposal_version=1,
            name=name,
            achievement_type=Achievement.Type.BADGE,
            data={"alignment": [dict(a, targetName=a["targetName"].format(name=name)) for a in alignment]},
            image_png=b"",
            image_svg="",
        )
        for moment in moments:
            index += 1
            made.append(
                Award.objects.create(
                    learner=learners.create(username=f"awarded-{index}"),
                    achievement=achievement,
                    state=Award.State.ISSUED,
                    status_index=index,
                    issued_at=moment,
                )
            )
    return made
