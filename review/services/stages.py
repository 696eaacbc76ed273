"""Moving a proposal through its stages: the row lock, asking the transition itself (its permission
and conditions, with the reason when they refuse), and what happens on arrival at a stage (a stage
without a body refuses the move; a committee stage opens its vote with its voters recorded)."""

from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import can_proceed, has_transition_perm

from proposals import services as proposal_services
from proposals.models import Proposal
from proposals.policy import (
    VOTE,
    State,
    current_stage,
    fee_review_valid,
    needs_fee_review,
    next_state,
    profile_of,
)

from .. import permissions, selectors
from ..models import Ballot, BallotVoter
from .audit import latest_version
from .notifications import tell_office_of_missing_bodies

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
