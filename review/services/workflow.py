"""Workflow actions of the authors and reviewers: submit, decide, withdraw, sign off fees, move to the
active profile, complete a consultation, internal notes. Each runs in one transaction and fires the
proposal's transitions (``stages``); publishing and retiring are the office's (``publishing``)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from proposals import services as proposal_services
from proposals.models import Consultation, Proposal
from proposals.policy import (
    DECISION,
    PROFILES,
    BodyKind,
    State,
    active_profile,
    current_stage,
    fee_review_valid,
    needs_fee_review,
    profile_of,
    sponsor_unit_ids,
)

from .. import permissions, selectors
from ..models import AuditEvent, Ballot, InternalNote
from .audit import record, record_in_place
from .notifications import announce
from .stages import (
    StaleState,
    check_allowed,
    enter_stage,
    fire,
    lock,
    tells_the_office_of_missing_bodies,
)

# --- the actions ---------------------------------------------------------------------------------


@tells_the_office_of_missing_bodies
@transaction.atomic
def submit(*, proposal, user):
    """Submit a draft to the first stage of its route, or resubmit a returned proposal to where its
    route now says (``policy.resume_at``): the history says where it went and why. A fee sign-off
    for other fees than those now stated is voided."""
    approvals = selectors.stage_approvals(proposal)
    proposal, version, before = proposal_services.submit_proposal(
        proposal=proposal, user=user, approvals=approvals
    )
    resubmitted = before == State.RETURNED
    action = AuditEvent.Action.RESUBMITTED if resubmitted else AuditEvent.Action.SUBMITTED
    record(
        proposal, user, action, from_state=before, to_state=proposal.state, comment=proposal.routed_because
    )
    if proposal.fee_review_signed_at is not None and not fee_review_valid(proposal):
        _void_fee_signoff(proposal, user, "The fees changed since the sign-off.")
    enter_stage(proposal)
    announce(proposal, "was resubmitted after revision" if resubmitted else "was submitted")
    return proposal, version


DECISIONS = {
    "approve": ("approve_stage", AuditEvent.Action.APPROVED, "was approved at the previous stage"),
    "return": ("return_for_revision", AuditEvent.Action.RETURNED, "was returned for revision"),
    "reject": ("reject", AuditEvent.Action.REJECTED, "was rejected"),
}


@tells_the_office_of_missing_bodies
@transaction.atomic
def decide(*, proposal, user, decision, comment="", expected_state, meeting=None, tally=None):
    """One reviewer's decision at a decision stage (unit review, ASA review), or the chair's
    transition after a vote. A comment is required to return or reject.

    At the unit review of an interdisciplinary proposal each sponsoring unit's curriculum committee
    approves: an approval records the units the reviewer answers for, and the stage completes only
    when every sponsoring unit has approved; any of them may return or reject it.
    """
    if decision not in DECISIONS:
        raise ValidationError({"decision": "Choose approve, return for revision or reject."})
    comment = (comment or "").strip()
    if decision in ("return", "reject") and not comment:
        raise ValidationError({"comment": "Say why: a comment is required to return or reject a proposal."})
    locked = lock(proposal, expected_state)
    stage = current_stage(locked)
    if tally is None and (stage is None or stage.decided_by != DECISION):
        raise PermissionDenied("This stage is decided by a committee vote.")
    method, action, what = DECISIONS[decision]
    transition = getattr(locked, method)
    if decision == "approve" and stage is not None and stage.body_kind == BodyKind.UNIT_COMMITTEE:
        check_allowed(locked, transition, user)
        waiting = _approve_for_units(locked, user, comment)
        if waiting:
            return locked
    from_state = locked.state
    fire(locked, transition, user)
    record(
        locked,
        user,
        action,
        from_state=from_state,
        to_state=locked.state,
        comment=comment,
        tally=tally,
        meeting=meeting,
    )
    enter_stage(locked)
    announce(locked, what if decision != "approve" else f"was approved at {State.label(from_state)}")
    return locked


def _approve_for_units(proposal, user, comment):
    """Record this reviewer's approval for each sponsoring unit they answer for; return the units
    still to approve (nothing when the stage is complete)."""
    sponsors = sponsor_unit_ids(proposal)
    if len(sponsors) < 2:
        return []
    approved = selectors.unit_approvals(proposal)
    mine = [pk for pk in permissions.sponsor_units_reviewed_by(user, proposal) if pk not in approved]
    if not mine:
        raise ValidationError(
            "Your committee has already approved this proposal; it waits for the other sponsoring units."
        )
    for unit_id in mine:
        record_in_place(
            proposal,
            user,
            AuditEvent.Action.UNIT_APPROVED,
            comment=comment,
            unit_id=unit_id,
        )
    return [pk for pk in sponsors if pk not in approved and pk not in mine]


@transaction.atomic
def withdraw(*, proposal, user, reason=""):
    locked = lock(proposal)
    from_state = locked.state
    if locked.state not in State.WITHDRAWABLE:
        raise StaleState(f"A proposal that is “{locked.state_label}” can no longer be withdrawn.")
    fire(locked, locked.withdraw, user)
    Ballot.objects.filter(proposal=locked, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=user, outcome=""
    )
    record(
        locked,
        user,
        AuditEvent.Action.WITHDRAWN,
        from_state=from_state,
        to_state=locked.state,
        comment=(reason or "").strip(),
    )
    return locked


@transaction.atomic
def sign_off_fees(*, proposal, user, note=""):
    """Record the fee review sign-off the profile requires before final approval, for the fee
    amount and statement the proposal states now. Possible only at the stage where the office
    decides; signing again for the same fees changes nothing. The profile is the proposal's own: its
    office signs off, at its office's stage."""
    locked = lock(proposal)
    profile = profile_of(locked)
    if not permissions.may_sign_off_fees(locked, user):
        raise PermissionDenied(f"Only {profile.office_name} staff sign off the fee review.")
    if not needs_fee_review(locked):
        raise ValidationError("This proposal charges no additional fees; there is no fee review to sign off.")
    office_stage = profile.office_stage
    if locked.state != office_stage.state:
        raise ValidationError(
            f"The fee review is signed off once the proposal has reached {office_stage.label}, "
            "so that it covers the fees as finally proposed."
        )
    if not fee_review_valid(locked):
        Proposal.objects.filter(pk=locked.pk).update(
            fee_review_signed_by=user,
            fee_review_signed_at=timezone.now(),
            fee_review_amount=locked.fee_amount,
            fee_review_notes=locked.fee_notes,
        )
        record_in_place(
            locked,
            user,
            AuditEvent.Action.FEE_SIGNOFF,
            comment=(note or "").strip()
            or f"Fees signed off: ${locked.fee_amount} — {locked.fee_notes}".strip(" —"),
        )
    locked.refresh_from_db()
    return locked


def _void_fee_signoff(proposal, user, why):
    Proposal.objects.filter(pk=proposal.pk).update(
        fee_review_signed_by=None, fee_review_signed_at=None, fee_review_amount=None, fee_review_notes=""
    )
    proposal.fee_review_signed_by = proposal.fee_review_signed_at = proposal.fee_review_amount = None
    proposal.fee_review_notes = ""
    record_in_place(
        proposal,
        user,
        AuditEvent.Action.FEE_SIGNOFF_VOIDED,
        comment=why,
    )


@transaction.atomic
def move_to_profile(*, proposal, user, comment):
    """The active office moves a proposal submitted under another profile (``MICROCRED_POLICY``
    changed since) to the active one, with a recorded decision: it starts the active profile's route
    at its first stage, where no approval given under its earlier profile counts. An open vote of
    the earlier profile's body is closed without outcome and an earlier fee sign-off is voided.

    Only the active office's staff, never on a proposal they author (403); the reason is required;
    a proposal no longer in review under another profile (moved or decided meanwhile) is refused
    with ``StaleState``, nothing changed."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"comment": "Say why: the decision to move a proposal is recorded with its reason."}
        )
    locked = lock(proposal)
    if not permissions.may_move_to_profile(locked, user) or permissions.is_author(user, locked):
        raise PermissionDenied(
            f"Only {active_profile().office_name} staff move a proposal to the active profile."
        )
    if not locked.under_other_profile or locked.state not in (*State.REVIEW_STAGES, State.APPROVED):
        raise StaleState(
            f"This proposal is not in review under another policy profile (it is “{locked.state_label}”"
            f" under {locked.policy_profile.name}). Nothing was changed."
        )
    earlier = PROFILES.get(locked.profile)
    earlier_name = earlier.name if earlier is not None else locked.profile
    from_state = locked.state
    fire(locked, locked.move_to_active_profile, user)
    Ballot.objects.filter(proposal=locked, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=user, outcome=""
    )
    profile = active_profile()
    record(
        locked,
        user,
        AuditEvent.Action.PROFILE_CHANGED,
        from_state=from_state,
        to_state=locked.state,
        comment=f"Moved from the {earlier_name} policy profile to {profile.name}; it starts {profile.name}'s "
        f"route at {locked.state_label}, and no approval given under {earlier_name} counts. {comment}",
    )
    if locked.fee_review_signed_at is not None:
        _void_fee_signoff(locked, user, f"The fee review was signed off under the {earlier_name} profile.")
    enter_stage(locked)
    announce(locked, f"was moved to the {profile.name} policy profile and starts its route again")
    return locked


@transaction.atomic
def complete_consultation(*, proposal, user, rigor):
    """The office completes the authors' consultation and records the level of rigor agreed.
    Completing one already completed is refused with a clear message."""
    locked = lock(proposal)
    if not permissions.may_consult(locked, user):
        raise PermissionDenied(f"Only {active_profile().office_name} staff complete a consultation.")
    rigor = (rigor or "").strip()
    if not rigor:
        raise ValidationError({"rigor": "Record the level of rigor agreed with the authors."})
    consultation = (
        Consultation.objects.select_for_update().filter(proposal=locked, closed_at__isnull=True).first()
    )
    if consultation is None:
        raise StaleState("There is no open consultation on this proposal. Nothing was changed.")
    consultation.closed_at, consultation.closed_by, consultation.rigor = timezone.now(), user, rigor
    consultation.save(update_fields=["closed_at", "closed_by", "rigor"])
    record_in_place(
        locked,
        user,
        AuditEvent.Action.CONSULTATION_COMPLETED,
        comment=rigor,
    )
    return consultation


@transaction.atomic
def add_internal_note(*, proposal, user, text):
    body = permissions.stage_body(proposal)
    if body is None or permissions.membership_in(user, body) is None or permissions.is_author(user, proposal):
        raise PermissionDenied(
            "Internal notes are for the members of the reviewing body, never on their own proposal."
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the note first."})
    return InternalNote.objects.create(proposal=proposal, body=body, author=user, text=text)
