"""What badges does when a person is erased at their request (``core.privacy.erase_person``)."""

from django.core.exceptions import ValidationError

from core.privacy import ERASED_REASON

from .issuing import services
from .models import Award, Evidence, Learner


def erase_learner(user, by):
    """Revoke their awards (the signed credentials stay, verifiable as revoked), delete their
    evidence's text, links and files, and forget their student ID and the name they chose for
    credentials. An award still being issued holds the erasure back until it is issued."""
    if Award.objects.filter(learner=user, state=Award.State.PENDING).exists():
        raise ValidationError("An award of theirs is still being issued: erase them once it is issued.")
    services.revoke_on_erasure(learner=user, by=by, reason=ERASED_REASON)
    for evidence in Evidence.objects.filter(enrolment__learner=user).exclude(file=""):
        evidence.file.delete(save=False)
    Evidence.objects.filter(enrolment__learner=user).update(
        text="", link="", file="", original_name="", content_type="", feedback=""
    )
    Learner.objects.filter(user=user).update(student_id="", credential_name="", name_on_credentials=False)
