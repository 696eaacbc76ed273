"""Workflow actions: submit, decide, withdraw, publish, retire, sign off fees, complete a
consultation, internal notes. Each runs in one transaction and fires the proposal's transitions."""

from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed, has_transition_perm

from core.queue import enqueue
from proposals import selectors as proposal_selectors
from proposals import services as proposal_services
from proposals.extensions import published_tasks
from proposals.models import Consultation, Proposal
from proposals.policy import (
    DECISION,
    PROFILES,
    VOTE,
    BodyKind,
    State,
    active_profile,
    current_stage,
    fee_review_valid,
    needs_fee_review,
    next_state,
    profile_of,
    sponsor_unit_ids,
)

from .. import permissions, selectors
from ..models import AuditEvent, Ballot, BallotVoter, InternalNote
from .audit import latest_version, record, record_in_place
from .notifications import announce, tell_office_of_missing_bodies

StaleState = proposal_services.StaleState


class StageWithoutBody(ValidationError):
    """The stage a proposal would enter has no active body to review it (an administrator
    deactivated it, or never set it up): the action is refused, whole, with a message naming each
    body missing (``missing``: ``permissions.MissingBody``)."""

    def __init__(self, proposal, stage, missing):
        self.proposal, self.stage, self.missing = proposal, stage, missing
        super().__init__([self.describe(body) for body in missing])

    def describe(self, body):
        if body.unit is not None:
            return (
                f"{body.name} has no active curriculum committee (of its own or of a unit above it): an "
                f"administrator must set one up (or reactivate it) before the proposal can move to "
                f"{self.stage.label}."
            )
        return (
            f"{body.name} has no active review body: an administrator must set it up (or reactivate "
            f"it) before the proposal can move to {self.stage.label}."
        )


def tells_the_office_of_missing_bodies(action):
    """Around an action that can move a proposal into a stage: when it is refused because the stage
    has no active body (``StageWithoutBody``), the office is told, once per body and proposal, after
    the action's own transaction has rolled back (so that the notice is kept), and the refusal goes
    on to the caller."""

    @wraps(action)
    def wrapper(*args, **kwargs):
        try:
            return action(*args, **kwargs)
        except StageWithoutBody as refused:
            tell_office_of_missing_bodies(refused.proposal, refused.stage, refused.missing, refused.messages)
            raise

    return wrapper


def enter_stage(proposal):
    """What happens whenever a proposal arrives somewhere: a stage without an active body to review
    it refuses the move (``StageWithoutBody``: the caller's transaction rolls back, the proposal stays
    where it was); a committee stage opens its vote, with its voters recorded
    (``selectors.voting_members``): the quorum and the count are over them, and a later change of the
    body's membership changes neither. The stage is of the proposal's own profile's route."""
    stage = current_stage(proposal)
    missing = permissions.missing_bodies(proposal, stage) if stage is not None else []
    if missing:
        raise StageWithoutBody(proposal, stage, missing)
    if stage is not None and stage.decided_by == VOTE:
        body = permissions.stage_body(proposal, stage)
        ballot = Ballot.objects.create(
            proposal=proposal,
            body=body,
            stage=proposal.state,
            version_number=latest_version(proposal),
        )
        BallotVoter.objects.bulk_create(
            BallotVoter(ballot=ballot, user_id=pk) for pk in selectors.voting_members(body, proposal)
        )


def lock(proposal, expected_state=None):
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if expected_state is not None and locked.state != expected_state:
        raise StaleState(
            f"Someone else acted first: the proposal is now “{locked.state_label}”. Nothing was changed."
        )
    return locked


def check_allowed(proposal, transition, user):
    """Ask the transition itself: a person it does not permit gets 403, a proposal its conditions
    refuse gets the reason, never a 500."""
    if not has_transition_perm(transition, user):
        if not can_proceed(transition):
            raise ValidationError(blocked_reason(proposal))
        raise PermissionDenied("You may not take this action on this proposal.")


def fire(proposal, transition, user, **kwargs):
    check_allowed(proposal, transition, user)
    transition(by=user, **kwargs)
    proposal.save()


def blocked_reason(proposal):
    if proposal.state in State.REVIEW_STAGES and next_state(proposal) is None:
        return (
            f"“{proposal.state_label}” is not on this proposal's route any more, so it cannot be approved "
            "here: return it to the authors, who resubmit it to the right stage."
        )
    skipped = proposal.skipped_stages() if proposal.state in State.REVIEW_STAGES else []
    if skipped:
        names = ", ".join(s.label for s in skipped)
        return (
            f"Its route requires {names} before {proposal.state_label}, and that has not approved it: "
            "return it to the authors, whose resubmission goes to the right stage."
        )
    components = proposal.component_problems()
    if components:
        said = " ".join(problem.message for problem in components)
        return (
            f"Its components no longer make a micro-certificate learners can complete: {said} Return it "
            "to the authors to choose its components again."
        )
    if needs_fee_review(proposal) and not fee_review_valid(proposal):
        return (
            "The additional fees beyond tuition need a fee review sign-off by "
            f"{profile_of(proposal).office_name} staff, for the fees the proposal states now, before final approval."
        )
    return "This action is not possible at this stage."


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


def _office_transition(proposal, user, *, source, method, action, what, comment=""):
    """Publish or retire: the office's own transitions, from one state, recorded and announced."""
    locked = lock(proposal, source)
    fire(locked, getattr(locked, method), user)
    record(locked, user, action, from_state=source, to_state=locked.state, comment=(comment or "").strip())
    announce(locked, what)
    return locked


@transaction.atomic
def publish(*, proposal, user):
    """Publish an approved micro-credential; once committed, each registered task (the awards app's
    achievement builder) is handed the proposal, by task name. A hand-over that cannot be queued
    (broker down) is redone by the outbox sweep.

    A revision of a published micro-credential replaces it from its effective date: at once, in
    this transaction, when that date has come; otherwise the daily ``supersede_due`` does it then."""
    revised = proposal.revision_of if proposal.revision_of_id else None
    published = _office_transition(
        proposal,
        user,
        source=State.APPROVED,
        method="publish",
        action=AuditEvent.Action.PUBLISHED,
        what="was published",
        comment=f"Revision of {revised}: it replaces it from {proposal.effective_from:%-d %B %Y}."
        if revised is not None
        else "",
    )
    for name in published_tasks():
        transaction.on_commit(lambda name=name: enqueue(name, published.pk))
    if revised is not None and takes_over(published):
        _supersede(published, user)
    return published


def takes_over(revision, today=None):
    """Whether a published revision's effective date has come (today by the institution's clock)."""
    return revision.effective_from <= (today or timezone.localdate())


def _supersede(revision, actor):
    """The published micro-credential ``revision`` revises is replaced by it: retired, no new
    learners join it, while its enrolments, evidence and awards stay as they are. Done once: a
    second call finds it retired and changes nothing (the row lock queues concurrent calls)."""
    replaced = Proposal.objects.select_for_update().get(pk=revision.revision_of_id)
    if replaced.state != State.PUBLISHED:
        return None
    replaced.supersede(by=actor)
    replaced.save()
    record(
        replaced,
        actor,
        AuditEvent.Action.RETIRED,
        from_state=State.PUBLISHED,
        to_state=replaced.state,
        comment=f"Replaced by its revision {revision}, effective {revision.effective_from:%-d %B %Y}. "
        "No new learners join it; enrolled learners can still finish it and be awarded it.",
    )
    announce(replaced, f"was replaced by its revision, effective {revision.effective_from:%-d %B %Y}")
    return replaced


def supersede_due(today=None):
    """Daily: every published revision whose effective date has come (``today``, by default the
    institution's date) replaces the micro-credential it revises. Safe to run twice, or beside a
    publication: each replacement happens once. Returns the micro-credentials replaced."""
    today = today or timezone.localdate()
    due = Proposal.objects.filter(
        state=State.PUBLISHED, revision_of__state=State.PUBLISHED, effective_from__lte=today
    ).order_by("effective_from", "pk")
    replaced = []
    for revision in due:
        with transaction.atomic():
            done = _supersede(revision, _publisher(revision))
        if done is not None:
            replaced.append(done)
    return replaced


def _publisher(revision):
    """Who published the revision: the daily job replaces the earlier one in their name."""
    event = (
        AuditEvent.objects.filter(proposal=revision, action=AuditEvent.Action.PUBLISHED)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )
    return event.actor if event is not None else revision.revision_started_by or revision.lead_author


class DependentsNotConfirmed(ValidationError):
    """Retiring would strand published micro-certificates built on it, and nobody confirmed that."""


@transaction.atomic
def retire(*, proposal, user, reason="", confirm_dependents=False):
    """Retire a published micro-credential: no new learners join it. When published
    micro-certificates list it as a component, it is retired only with ``confirm_dependents``;
    otherwise ``DependentsNotConfirmed`` names them and nothing changes. Who may retire is asked
    first, so that the refusal tells nothing to someone who may not."""
    locked = lock(proposal, State.PUBLISHED)
    check_allowed(locked, locked.retire, user)
    depending = list(proposal_selectors.dependents(locked, published_only=True))
    if depending and not confirm_dependents:
        names = "; ".join(str(p) for p in depending)
        raise DependentsNotConfirmed(
            f"Published micro-certificates depend on it ({names}): tick the confirmation to retire it anyway."
        )
    return _office_transition(
        proposal,
        user,
        source=State.PUBLISHED,
        method="retire",
        action=AuditEvent.Action.RETIRED,
        what="was retired",
        comment=reason,
    )


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
