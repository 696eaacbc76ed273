"""Reads for learners and evaluators: the catalog, what a micro-credential asks a learner to submit,
their progress, and the evidence waiting for an evaluator."""

from django.db.models import Exists, OuterRef, Q

from proposals.models import Proposal, UnitRole
from proposals.policy import State, active_profile
from review import permissions as review_permissions

from ..models import Achievement, Award, Enrolment, Evidence
from ..permissions import evaluates_centrally
from ..selectors import current_achievement

REFLECTION_TITLE = "Culminating reflection"


def reflection_required():
    """Whether the active profile requires a culminating reflective experience (FIU) of every
    learner, whether they submit their evidence or are awarded from a spreadsheet."""
    return active_profile().enforces("reflection")


def required_parts(achievement):
    """(part key, title) for every assessment of the micro-credential, then the culminating
    reflection where the active profile requires one."""
    parts = [(f"assessment:{a.pk}", a.title) for a in achievement.proposal.assessments.all()]
    if reflection_required():
        parts.append((Evidence.REFLECTION, REFLECTION_TITLE))
    return parts


def evaluation_queue(user):
    """Evidence waiting for this evaluator, oldest first."""
    waiting = Evidence.objects.filter(state=Evidence.State.SUBMITTED).exclude(enrolment__learner=user)
    if evaluates_centrally():
        if not review_permissions.is_office_staff(user):
            return waiting.none()
    else:
        units = UnitRole.objects.filter(user=user, role=UnitRole.Role.PROGRAM_EVALUATOR).values("unit_id")
        waiting = waiting.filter(enrolment__achievement__proposal__unit_id__in=units)
    return waiting.select_related("enrolment__learner__learner", "enrolment__achievement").order_by(
        "submitted_at", "id"
    )


def catalog(*, q="", who="", kind="", level="", unit=None, competency=None, fee=""):
    """The current version of every published micro-credential in force, for the public catalog: a
    published revision appears from its effective date, in place of the one it revises. Filtered by
    words in its name, code or summary, who may join, credit, level, unit, a competency and fee."""
    current = {}
    for pk, proposal_id in (
        Achievement.objects.filter(proposal__in=Proposal.objects.in_force())
        .order_by("proposal_id", "-version")
        .values_list("pk", "proposal_id")
    ):
        current.setdefault(proposal_id, pk)
    found = Achievement.objects.filter(pk__in=current.values())
    for word in q.split()[:5]:
        found = found.filter(
            Q(name__icontains=word) | Q(proposal__code__icontains=word) | Q(proposal__summary__icontains=word)
        )
    if who:
        found = found.filter(proposal__open_to_non_matriculated=(who == "anyone"))
    if kind:
        found = found.filter(proposal__kind=kind)
    if level:
        found = found.filter(proposal__level=level)
    if unit:
        found = found.filter(proposal__unit_id=unit)
    if competency:
        found = found.filter(proposal__competencies=competency)
    if fee == "none":
        found = found.filter(Q(proposal__fee_amount__isnull=True) | Q(proposal__fee_amount=0))
    elif fee == "fee":
        found = found.filter(proposal__fee_amount__gt=0)
    return sorted(found.select_related("proposal", "proposal__unit").distinct(), key=lambda a: a.name.lower())


def catalog_units():
    """The units with a published micro-credential in force, for the catalog's filter."""
    from proposals.models import Unit

    return Unit.objects.filter(proposals__in=Proposal.objects.in_force()).distinct().order_by("name")


def enrolments_of(user):
    return (
        Enrolment.objects.filter(learner=user)
        .select_related("achievement", "achievement__proposal")
        .prefetch_related("evidence")
    )


def in_progress(user):
    """The person's enrolments with no award yet, most recently joined first, each with its parts'
    evidence and the assessments that make its parts: three queries however many there are."""
    awarded = Award.objects.filter(learner=OuterRef("learner"), achievement=OuterRef("achievement"))
    return (
        Enrolment.objects.filter(learner=user)
        .exclude(Exists(awarded))
        .select_related("achievement", "achievement__proposal")
        .prefetch_related("evidence", "achievement__proposal__assessments")
        .order_by("-joined_at", "-pk")
    )


def progress(enrolment):
    """Each required part with its evidence (or None), in order."""
    by_part = {e.part: e for e in enrolment.evidence.all()}
    return [(part, title, by_part.get(part)) for part, title in required_parts(enrolment.achievement)]


def related_versions(achievement):
    """(what it replaced, what replaces it or will): the current achievements of the micro-credential
    this one's proposal revises and of its published revision, each None when there is none."""
    proposal = achievement.proposal
    before = current_achievement(proposal.revision_of) if proposal.revision_of_id else None
    revision = proposal.revisions.filter(state__in=[State.PUBLISHED, State.RETIRED]).order_by("-pk").first()
    return before, current_achievement(revision) if revision is not None else None
