"""The proposal's history: every transition, vote, decision and sign-off, written once."""

from proposals.policy import profile_key_of, route_keys

from ..models import AuditEvent


def latest_version(proposal):
    return proposal.versions.order_by("-number").values_list("number", flat=True).first() or 0


def record(
    proposal, actor, action, *, from_state="", to_state="", comment="", tally=None, meeting=None, unit_id=None
):
    """Append one event. Approvals keep the route the proposal had, so that a later resubmission
    can tell which approvals still stand (``policy.passed_stages``), and every event the profile the
    proposal is reviewed under."""
    return AuditEvent.objects.create(
        proposal=proposal,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        version_number=latest_version(proposal),
        comment=comment,
        tally=tally or {},
        meeting=meeting,
        unit_id=unit_id,
        route=route_keys(proposal) if action == AuditEvent.Action.APPROVED else [],
        profile=profile_key_of(proposal),
    )


def record_in_place(proposal, actor, action, **fields):
    """An event that does not move the proposal (a vote, a sign-off, a unit's approval)."""
    return record(proposal, actor, action, from_state=proposal.state, to_state=proposal.state, **fields)
