"""Learners and evaluators: joining a published micro-credential, submitting evidence for each
assessment (and, where the profile requires it, the culminating reflection), and evaluators
accepting or returning it. Accepting the last required piece makes the award, in the same
transaction, and its issuing follows on commit (``badges.issuing.services.award``)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from proposals.services import check_upload

from ..issuing import services as issuing
from ..models import Enrolment, Evidence
from ..permissions import is_learner_of, may_evaluate, may_join
from .selectors import required_parts


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


@transaction.atomic
def submit_evidence(*, enrolment, user, part, text="", link="", uploaded=None):
    """Submit (or resubmit after a return) the evidence for one part. A file is checked like a
    proposal attachment (size and real type). Accepted evidence is final."""
    if not is_learner_of(user, enrolment):
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
    return issuing.award(
        learner=enrolment.learner,
        achievement=enrolment.achievement,
        awarded_by=user,
        narrative=narrative,
        evidence_public=enrolment.evidence_public,
        listed=enrolment.listed,
    )
