"""Learners and evaluators: joining a published micro-credential, submitting evidence for each
assessment (and, where the profile requires it, the culminating reflection), and evaluators
accepting or returning it. Accepting the last required piece makes the award, in the same
transaction, and its issuing follows on commit (``services.award``)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from proposals.models import Proposal, UnitRole
from proposals.policy import State, active_profile
from proposals.services import check_upload
from review import permissions

from . import services
from .models import Achievement, Award, Enrolment, Evidence, Learner


def email_verified(user):
    """Whether the person has verified their email address (django-allauth keeps the record)."""
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


def learner_of(user):
    return Learner.objects.filter(user=user).first() if user.is_authenticated else None


def may_join(user, achievement):
    """(whether this person may join, why not). Enrolled students join with their account; others
    join once their email is verified, and only where the proposal admits non-matriculated learners."""
    if not user.is_authenticated:
        return False, "Log in or register to join."
    if achievement.proposal.state != State.PUBLISHED:
        return False, "This micro-credential is not open to new learners."
    if achievement.proposal.awaits_effective_date:
        return False, (
            f"This revised micro-credential opens to new learners on "
            f"{achievement.proposal.effective_from:%-d %B %Y}; until then, join the current one."
        )
    learner = learner_of(user)
    if learner is None:
        return False, "Only learners join micro-credentials: register as a learner first."
    if learner.is_enrolled_student:
        return True, ""
    if not achievement.proposal.open_to_non_matriculated:
        return False, (
            "This micro-credential is open to enrolled students only. If you are one, ask the registrar "
            "to record your student ID on your account."
        )
    if not email_verified(user):
        return False, "Verify your email address first: follow the link we emailed you."
    return True, ""


@transaction.atomic
def join(*, user, achievement, evidence_public=False, listed=False):
    """Join a published micro-credential. Joining twice returns the first enrolment."""
    allowed, why = may_join(user, achievement)
    if not allowed:
        raise PermissionDenied(why)
    try:
        with transaction.atomic():
            return Enrolment.objects.create(
                learner=user, achievement=achievement, evidence_public=evidence_public, listed=listed
            )
    except IntegrityError:
        return Enrolment.objects.get(learner=user, achievement=achievement)


def required_parts(achievement):
    """(part key, title) for every assessment of the micro-credential, then the culminating
    reflection where the active profile requires one."""
    parts = [(f"assessment:{a.pk}", a.title) for a in achievement.proposal.assessments.all()]
    if active_profile().enforces("reflection"):
        parts.append((Evidence.REFLECTION, "Culminating reflection"))
    return parts


@transaction.atomic
def submit_evidence(*, enrolment, user, part, text="", link="", uploaded=None):
    """Submit (or resubmit after a return) the evidence for one part. A file is checked like a
    proposal attachment (size and real type). Accepted evidence is final."""
    if enrolment.learner_id != user.pk:
        raise PermissionDenied("Only the learner submits their own evidence.")
    titles = dict(required_parts(enrolment.achievement))
    if part not in titles:
        raise ValidationError({"part": "This is not one of the micro-credential's assessments."})
    text, link = (text or "").strip(), (link or "").strip()
    if not (text or link or uploaded):
        raise ValidationError({"text": "Give your evidence: write it, link to it or attach a file."})
    evidence = Evidence.objects.select_for_update().filter(enrolment=enrolment, part=part).first()
    if evidence is not None and evidence.state == Evidence.State.ACCEPTED:
        raise ValidationError("This evidence has been accepted already.")
    evidence = evidence or Evidence(enrolment=enrolment, part=part)
    evidence.part_title = titles[part]
    evidence.text, evidence.link = text, link
    if uploaded is not None:
        content_type, name = check_upload(uploaded)
        evidence.content_type, evidence.original_name = content_type, name
        evidence.file.save(name, uploaded, save=False)
    # The last feedback and who gave it stay with the evidence until the next review.
    evidence.state, evidence.submitted_at = Evidence.State.SUBMITTED, timezone.now()
    evidence.save()
    return evidence


def evaluates_centrally():
    return bool(active_profile().awarded_centrally)


def may_evaluate(user, enrolment):
    """The program evaluators of the proposing unit (or, where the profile awards centrally, the
    office's staff) evaluate evidence; nobody evaluates their own."""
    if not user.is_authenticated or user.pk == enrolment.learner_id:
        return False
    if evaluates_centrally():
        return permissions.is_office_staff(user)
    unit_id = enrolment.achievement.proposal.unit_id
    return UnitRole.objects.filter(user=user, unit_id=unit_id, role=UnitRole.Role.PROGRAM_EVALUATOR).exists()


def evaluation_queue(user):
    """Evidence waiting for this evaluator, oldest first."""
    waiting = Evidence.objects.filter(state=Evidence.State.SUBMITTED).exclude(enrolment__learner=user)
    if evaluates_centrally():
        if not permissions.is_office_staff(user):
            return waiting.none()
    else:
        units = UnitRole.objects.filter(user=user, role=UnitRole.Role.PROGRAM_EVALUATOR).values("unit_id")
        waiting = waiting.filter(enrolment__achievement__proposal__unit_id__in=units)
    return waiting.select_related("enrolment__learner", "enrolment__achievement").order_by(
        "submitted_at", "id"
    )


@transaction.atomic
def review_evidence(*, evidence, user, decision, feedback=""):
    """Accept the evidence, or return it with feedback for the learner to resubmit. Accepting the
    last required piece makes the award in this same transaction. Returns the award or None."""
    locked = Evidence.objects.select_for_update().select_related("enrolment__achievement").get(pk=evidence.pk)
    enrolment = locked.enrolment
    if not may_evaluate(user, enrolment):
        raise PermissionDenied("Only the micro-credential's evaluators review evidence, never their own.")
    if locked.state != Evidence.State.SUBMITTED:
        raise ValidationError("This evidence is not waiting for review any more.")
    feedback = (feedback or "").strip()
    if decision == "return":
        if not feedback:
            raise ValidationError({"feedback": "Say what the learner should improve."})
        locked.state = Evidence.State.RETURNED
    elif decision == "accept":
        locked.state = Evidence.State.ACCEPTED
    else:
        raise ValidationError({"decision": "Accept or return the evidence."})
    locked.feedback, locked.reviewed_by, locked.reviewed_at = feedback, user, timezone.now()
    locked.save(update_fields=["state", "feedback", "reviewed_by", "reviewed_at"])
    if decision != "accept":
        return None
    accepted = set(
        Evidence.objects.filter(enrolment=enrolment, state=Evidence.State.ACCEPTED).values_list(
            "part", flat=True
        )
    )
    if not {part for part, _title in required_parts(enrolment.achievement)} <= accepted:
        return None
    narrative = "\n\n".join(
        f"{e.part_title}: {e.text or e.link or e.original_name}"
        for e in Evidence.objects.filter(enrolment=enrolment).order_by("submitted_at")
    )
    return services.award(
        learner=enrolment.learner,
        achievement=enrolment.achievement,
        awarded_by=user,
        narrative=narrative,
        evidence_public=enrolment.evidence_public,
        listed=enrolment.listed,
    )


def catalog():
    """The current version of every published micro-credential in force, for the public catalog: a
    published revision appears from its effective date, in place of the one it revises."""
    latest = {}
    for achievement in (
        Achievement.objects.filter(proposal__in=Proposal.objects.in_force())
        .select_related("proposal", "proposal__unit")
        .order_by("proposal_id", "-version")
    ):
        latest.setdefault(achievement.proposal_id, achievement)
    return sorted(latest.values(), key=lambda a: a.name.lower())


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
    from .services import current_achievement

    proposal = achievement.proposal
    before = current_achievement(proposal.revision_of) if proposal.revision_of_id else None
    revision = proposal.revisions.filter(state__in=[State.PUBLISHED, State.RETIRED]).order_by("-pk").first()
    return before, current_achievement(revision) if revision is not None else None
