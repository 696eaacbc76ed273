"""Learners and evaluators: joining a published micro-credential, submitting evidence for each
assessment (and, where the profile requires it, the culminating reflection), and evaluators
accepting or returning it. Accepting the last required piece makes the award, in the same
transaction, and its issuing follows on commit (``badges.issuing.services.award``)."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from proposals.services import check_upload

from .. import people
from ..issuing import documents
from ..issuing import reissue as issuing_reissue
from ..issuing import services as issuing
from ..models import Award, Enrolment, Evidence
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


@transaction.atomic
def update_names(*, user, first_name, last_name, credential_name="", name_on_credentials=True):
    """Change a person's given and family names and, for a learner, the name their credentials show
    and whether they show one. Credentials already issued keep the name they were signed with until
    the learner asks for them again (``reissue_with_new_name``)."""
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.clean_fields(
        exclude=[f.name for f in user._meta.fields if f.name not in ("first_name", "last_name")]
    )
    user.save(update_fields=["first_name", "last_name"])
    learner = people.learner_row(user)
    if learner is not None:
        learner.credential_name = credential_name.strip()
        learner.name_on_credentials = name_on_credentials
        learner.full_clean(validate_unique=False)
        learner.save(update_fields=["credential_name", "name_on_credentials"])


def credentials_with_another_name(user):
    """The learner's issued awards whose credential in force names them otherwise than they now ask."""
    wanted = people.name_on_credential(user)
    awards = Award.objects.filter(
        learner=user, state=Award.State.ISSUED, credential__isnull=False
    ).select_related("credential", "achievement")
    return [a for a in awards if documents.holder_name_of(json.loads(a.credential.json)) != wanted]


def reissue_with_new_name(*, user):
    """Re-issue each of the learner's credentials that names them otherwise than they now ask, each
    in its own transaction (``issuing.reissue.reissue_with_current_name``), then publish the status list
    with the earlier ones superseded. Safe to repeat. Returns how many it re-issued."""
    reissued = sum(
        issuing_reissue.reissue_with_current_name(award_id=award.pk)
        for award in credentials_with_another_name(user)
    )
    if reissued:
        issuing.publish_status_list()
    return reissued
