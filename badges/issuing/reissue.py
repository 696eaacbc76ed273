"""Re-issuing an issued award: a new credential of the same award (same id, first issue date and
evidence; a new status bit) put in force, the earlier one superseded when the status list is next
published. Why varies: a new expiry, a signature taken before the canonical form was corrected, the
learner's new name. Each takes the award's row lock; each leaves alone an award that needs nothing."""

import json

from django.db import transaction
from django.utils import timezone

from .. import people
from ..models import Award
from . import documents, nquads
from .services import _next_status_index, _store_credential, _tell_learner, signing_key, verify_credential


def reissue_credential(*, award_id, valid_until):
    """Re-issue an issued award with a new expiry: a new credential (same id, first issue date and
    evidence; a new status bit) becomes the one in force, and the earlier one is superseded (its
    bit is set when the status list is next published). An award already at that expiry, or not
    issued, is left alone. Returns whether it re-issued."""
    with transaction.atomic():
        award = _locked_for_reissue(award_id)
        if award.state != Award.State.ISSUED or award.valid_until == valid_until:
            return False
        when = f"until {valid_until:%-d %B %Y}" if valid_until else "with no expiry"
        _reissue(award, valid_until=valid_until, why=f"now valid {when}")
    return True


def reissue_signed_before_the_fix(*, award_id):
    """Re-issue an issued award whose credential in force was signed over the canonical form PyLD
    wrote before the RDFC-1.0 escaping fix (``nquads``), so that no verifier, ours included,
    accepts its signature any more. The same award gets a new credential (same id, dates and
    evidence; a new status bit) and the earlier one is superseded, as when its expiry changes.
    Idempotent: the award row is locked and an award whose credential verifies is left alone, as
    is one not issued (a revoked award is never re-issued). Returns whether it re-issued."""
    with transaction.atomic():
        award = _locked_for_reissue(award_id)
        if award.state != Award.State.ISSUED or not signed_before_the_fix(award.credential):
            return False
        _reissue(
            award,
            valid_until=award.valid_until,
            why="because other verifiers could not check the signature of the earlier one",
        )
    return True


def reissue_with_current_name(*, award_id):
    """Re-issue an issued award whose credential in force names its holder otherwise than they now
    ask (a new name, a chosen name, or no name at all): a new credential, same award, the earlier
    one superseded. Idempotent: the award row is locked, and an award whose credential already
    carries the name is left alone. Returns whether it re-issued; the caller publishes the status
    list."""
    with transaction.atomic():
        award = _locked_for_reissue(award_id)
        if award.state != Award.State.ISSUED or award.credential is None:
            return False
        if documents.holder_name_of(json.loads(award.credential.json)) == people.name_on_credential(
            award.learner
        ):
            return False
        _reissue(award, valid_until=award.valid_until, why="with your name as you now give it")
    return True


def signed_before_the_fix(credential):
    """Whether a stored credential holds text the old N-Quads serialiser wrote differently (a
    control character or DEL in a value, a character an IRI must escape) and its signature no
    longer verifies with our own, trusted key. The cheap test of the text comes first; only the
    few credentials it finds are canonicalised."""
    if credential is None or credential.key.revoked_at is not None:
        return False
    document = json.loads(credential.json)
    return nquads.written_differently_before_the_fix(document) and not verify_credential(document)


def _locked_for_reissue(award_id):
    return (
        Award.objects.select_for_update(of=("self",))
        .select_related("learner__learner", "achievement", "credential__key")
        .get(pk=award_id)
    )


def _reissue(award, *, valid_until, why):
    """Sign and store a new credential of the locked, issued ``award`` at a new status index, put it
    in force and tell the learner ``why``; the caller publishes the status list."""
    award.status_index = _next_status_index()
    credential = _store_credential(
        award, signing_key(), timezone.now(), issued_at=award.issued_at, valid_until=valid_until
    )
    Award.objects.filter(pk=award.pk).update(
        status_index=award.status_index, valid_until=valid_until, credential=credential
    )
    _tell_learner(
        award,
        subject=f"Your “{award.achievement.name}” credential was re-issued",
        body=f"{documents.institution_name()} re-issued your “{award.achievement.name}” credential, {why}. "
        "Download the new badge from your award's page: the earlier file no longer verifies as current.",
        key=f"award-reissued:{credential.pk}",
    )
