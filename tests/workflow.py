"""Drive a proposal through the real workflow services, as its reviewers would."""

from review import selectors, services
from review.models import Membership


def voters(ballot):
    """The ballot's recorded voters who may vote now."""
    return [u for u in selectors.recorded_voters(ballot) if u.member_now and u.is_active]


def closer(ballot):
    return (
        ballot.body.memberships.filter(role__in=[Membership.Role.CHAIR, Membership.Role.STAFF]).first().user
    )


def act(proposal, demo, outcome):
    """The current stage approves, returns (``request_changes``) or rejects, through its own deciders."""
    ballot = selectors.open_ballot(proposal)
    if ballot is None:
        decider = demo["unitreviewer"] if proposal.state == "unit_review" else demo["office"]
        decision = {"approve": "approve", "request_changes": "return", "reject": "reject"}[outcome]
        return services.decide(
            proposal=proposal,
            user=decider,
            decision=decision,
            comment="" if decision == "approve" else "Please revise.",
            expected_state=proposal.state,
        )
    for voter in voters(ballot):
        services.cast_vote(proposal=proposal, user=voter, choice=outcome)
    proposal, _ballot = services.close_vote(proposal=proposal, user=closer(ballot), ballot_id=ballot.pk)
    return proposal


def submit(proposal):
    proposal, _version = services.submit(proposal=proposal, user=proposal.lead_author)
    return proposal


def walk_to(proposal, demo, state):
    """Submit and approve stage after stage until the proposal is at ``state``."""
    return approve_until(submit(proposal), demo, state)


def approve_until(proposal, demo, state):
    """The stages approve, one after another, until the proposal is at ``state``."""
    while proposal.state != state:
        proposal = act(proposal, demo, "approve")
    return proposal


def approve_to_the_end(proposal, demo):
    """Every stage left approves: the proposal ends approved (or wherever its route stops it)."""
    from proposals.policy import State

    while proposal.state in State.REVIEW_STAGES:
        proposal = act(proposal, demo, "approve")
    return proposal


def proposal_of(demo, **fields):
    """A complete proposal of the demo's faculty member, in their unit."""
    from .factories import complete_proposal

    author = demo["faculty"]
    return complete_proposal(author=author, unit=author.unit_roles.first().unit, **fields)


def returned_at(proposal, demo, state):
    """Submitted, approved up to ``state``, and returned there to its authors."""
    from proposals.policy import State

    proposal = act(walk_to(proposal, demo, state), demo, "request_changes")
    assert proposal.state == State.RETURNED and proposal.returned_from == state
    return proposal


def resubmit(client, proposal):
    """The lead author resubmits through the page."""
    from django.urls import reverse

    client.force_login(proposal.lead_author)
    response = client.post(reverse("review:submit", args=[proposal.pk]))
    assert response.status_code == 302
    proposal.refresh_from_db()
    return proposal


def routed_because(proposal):
    """Why the latest resubmission went where it did, as the history says."""
    from review.models import AuditEvent

    return AuditEvent.objects.filter(proposal=proposal, action="resubmitted").latest("created_at").comment


def stages_seen(proposal):
    """The stages the proposal entered, in order, from its history."""
    from review.models import AuditEvent

    moves = AuditEvent.objects.filter(proposal=proposal).exclude(from_state="").order_by("created_at", "id")
    seen = []
    for event in moves:
        if event.to_state != event.from_state and event.to_state not in seen[-1:]:
            seen.append(event.to_state)
    return seen


def place_at(proposal, state):
    """Put a proposal straight at a state, as if every earlier stage of its route had approved it
    (their approvals are on record), and open that stage's vote."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from proposals.models import Proposal
    from proposals.policy import route

    Proposal.objects.filter(pk=proposal.pk).update(state=state, stage_entered_at=timezone.now())
    proposal.refresh_from_db()
    stages = [s.state for s in route(proposal)]
    earlier = stages[: stages.index(state)] if state in stages else stages
    if earlier:
        approver, _ = get_user_model().objects.get_or_create(username="earlier-stages")
        for stage in earlier:
            services.record(proposal, approver, "approved", from_state=stage, to_state=stage)
    services.enter_stage(proposal)
    return proposal


def publish_achievement(demo, capture, **fields):
    """A complete proposal of the demo faculty member, approved and published by the office; the
    achievement built on commit is returned."""
    from badges.models import Achievement
    from proposals.policy import State

    from .factories import complete_proposal

    author = demo["faculty"]
    proposal = place_at(
        complete_proposal(author=author, unit=author.unit_roles.first().unit, **fields), State.APPROVED
    )
    with capture(execute=True):
        services.publish(proposal=proposal, user=demo["office"])
    return Achievement.objects.get(proposal=proposal)


def return_and_resubmit(proposal, demo, change, submitter=None):
    """Version 1 submitted (by ``submitter``, the lead author by default) and returned by the unit
    reviewer; ``change(proposal)`` revises it and the lead author resubmits version 2."""
    from proposals.models import Proposal

    proposal, _version = services.submit(proposal=proposal, user=submitter or proposal.lead_author)
    services.decide(
        proposal=proposal,
        user=demo["unitreviewer"],
        decision="return",
        comment="Please revise.",
        expected_state="unit_review",
    )
    change(Proposal.objects.get(pk=proposal.pk))
    return submit(Proposal.objects.get(pk=proposal.pk))
