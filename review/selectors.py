"""Reads of the review app: each person's queue and the office's pipeline dashboard."""

import statistics
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from proposals.access import authored_q
from proposals.models import Consultation, Proposal, Unit
from proposals.policy import ROUTES, VOTE, State, active_profile

from .models import Ballot, Membership, Vote
from .roles import roles_of

SORTS = {
    "waiting": ("stage_entered_at", "Longest waiting first"),
    "newest": ("-stage_entered_at", "Most recent first"),
    "title": ("title", "Title"),
}


@dataclass
class QueueRow:
    proposal: Proposal
    task: str


def stages_of(kind):
    """The states of the active route at which a body of this kind reviews."""
    return [s.state for s in ROUTES[active_profile().key] if s.body_kind == kind]


def queue(user, sort="waiting"):
    """What awaits this person, as one queryset (so it sorts and pages in the database) plus a
    function that says, for each row, what they are to do. A constant number of queries."""
    roles = roles_of(user)
    profile = active_profile()
    open_ballot = Ballot.objects.filter(proposal=OuterRef("pk"), closed_at__isnull=True)
    my_vote = Vote.objects.filter(ballot__proposal=OuterRef("pk"), ballot__closed_at__isnull=True, voter=user)
    conditions = Q(pk__in=[])

    if roles.unit_reviewer_memberships:
        units = Unit.objects.subtree_ids([m.body.unit_id for m in roles.unit_reviewer_memberships])
        conditions |= Q(state=State.UNIT_REVIEW, unit_id__in=units)
    voting_stages, closing_stages = [], []
    for membership in [*roles.committee_memberships, *roles.office_memberships]:
        stages = [s for s in ROUTES[profile.key] if s.body_kind == membership.body.kind]
        for stage in stages:
            if stage.decided_by == VOTE:
                if membership.votes:
                    voting_stages.append(stage.state)
                if membership.role in (Membership.Role.CHAIR, Membership.Role.STAFF):
                    closing_stages.append(stage.state)
            elif membership.role == Membership.Role.STAFF:
                closing_stages.append(stage.state)
    if voting_stages:
        conditions |= Q(state__in=voting_stages, has_open_ballot=True, voted=False)
    if closing_stages:
        conditions |= Q(state__in=closing_stages)
    if roles.is_office_staff:
        conditions |= Q(state=State.APPROVED)
        if profile.key == "binghamton":
            conditions |= Q(
                state__in=State.REVIEW_STAGES,
                kind="credit",
                fee_amount__gt=0,
                fee_review_signed_at__isnull=True,
            )
        conditions |= Q(
            state=State.DRAFT,
            pk__in=Consultation.objects.filter(closed_at__isnull=True).values("proposal_id"),
        )

    queryset = (
        Proposal.objects.annotate(has_open_ballot=Exists(open_ballot), voted=Exists(my_vote))
        .filter(conditions)
        .exclude(pk__in=Proposal.objects.filter(authored_q(user)).values("pk"))
        .select_related("unit", "lead_author")
        .annotate(votes_cast=Count("ballots__votes", filter=Q(ballots__closed_at__isnull=True)))
        .order_by(SORTS.get(sort, SORTS["waiting"])[0], "pk")
    )
    voting, closing = set(voting_stages), set(closing_stages)

    def task(proposal):
        if proposal.state == State.UNIT_REVIEW and proposal.state not in closing:
            return "Decide: approve, return or reject"
        if proposal.state in voting and proposal.has_open_ballot and not proposal.voted:
            if proposal.state in closing:
                return f"Cast your vote, then close the vote ({proposal.votes_cast} cast so far)"
            return "Cast your vote"
        if proposal.state in closing and proposal.has_open_ballot:
            return f"Close the vote ({proposal.votes_cast} cast so far)"
        if proposal.state in closing:
            return "Decide: approve, return or reject"
        if proposal.state == State.APPROVED:
            return "Publish the approved micro-credential"
        if proposal.state == State.DRAFT:
            return "Consultation requested on a draft"
        return "Sign off the fee review"

    return queryset, task


def overdue_days():
    return settings.REVIEW_REMINDER_DAYS


def dashboard():
    """Per stage of the active profile: how many proposals wait, the median and longest days
    waited, and the overdue ones. Two queries whatever the number of proposals."""
    now = timezone.now()
    waiting = {}
    for state, entered in Proposal.objects.filter(state__in=State.REVIEW_STAGES).values_list(
        "state", "stage_entered_at"
    ):
        waiting.setdefault(state, []).append((now - (entered or now)).total_seconds() / 86400)
    rows = []
    for stage in ROUTES[active_profile().key]:
        days = waiting.get(stage.state, [])
        rows.append(
            {
                "stage": stage,
                "count": len(days),
                "median": statistics.median(days) if days else None,
                "longest": max(days) if days else None,
            }
        )
    counts = dict(
        Proposal.objects.filter(state__in=[State.RETURNED, State.APPROVED, State.PUBLISHED, State.DRAFT])
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    overdue = (
        Proposal.objects.filter(
            state__in=State.REVIEW_STAGES, stage_entered_at__lt=now - timedelta(days=overdue_days())
        )
        .select_related("unit")
        .order_by("stage_entered_at")[:50]
    )
    return {"rows": rows, "counts": counts, "overdue": overdue, "overdue_days": overdue_days()}
