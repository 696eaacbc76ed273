"""Reads of the review app: each person's queue and the office's pipeline dashboard."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from proposals.models import Consultation, Proposal, Unit
from proposals.permissions import authored_q
from proposals.policy import PROFILES, VOTE, BodyKind, State, active_profile, fee_review_q, stages_of
from proposals.selectors import count_of

from . import trends
from .models import (
    AuditEvent,
    Ballot,
    BallotVoter,
    Meeting,
    Membership,
    NotificationPreference,
    ReviewBody,
    Vote,
)
from .permissions import roles_of

SORTS = {
    "waiting": ("stage_entered_at", "Longest waiting first"),
    "newest": ("-stage_entered_at", "Most recent first"),
    "title": ("title", "Title"),
}


def _queue_order(field):
    """``field`` ascending, or descending with a leading ``-``; a draft waiting for a consultation
    has entered no stage and comes last either way, on every database (SQLite would put it first,
    PostgreSQL last)."""
    name = field.lstrip("-")
    return F(name).desc(nulls_last=True) if field.startswith("-") else F(name).asc(nulls_last=True)


@dataclass(frozen=True)
class Task:
    """What a person is to do with a proposal in their queue, and the panel of the proposal page
    where they do it (``anchor``): the home page and the queue link straight to it."""

    label: str
    anchor: str

    def __str__(self):
        return self.label

    def url(self, proposal):
        return f"{proposal.get_absolute_url()}#{self.anchor}"


# --- one proposal -------------------------------------------------------------------------------


def authors_of(proposal):
    return [proposal.lead_author, *proposal.co_authors.all()]


def office_staff():
    """The active staff of the profile's office."""
    profile = active_profile()
    return [
        m.user
        for m in Membership.objects.filter(
            body__kind=profile.office_body,
            body__profile=profile.key,
            role=Membership.Role.STAFF,
            is_active=True,
        ).select_related("user")
    ]


def stage_approvals(proposal):
    """Every stage approval on record, as (stage, the route then, the version approved, the profile
    it was given under) rows: what ``policy.resume_at`` weighs when a returned proposal is
    resubmitted."""
    return list(
        AuditEvent.objects.filter(proposal=proposal, action=AuditEvent.Action.APPROVED).values_list(
            "from_state", "route", "version_number", "profile"
        )
    )


# What a person does as a reviewer of a version: the events that say they read it.
REVIEWING_ACTIONS = [
    AuditEvent.Action.APPROVED,
    AuditEvent.Action.RETURNED,
    AuditEvent.Action.REJECTED,
    AuditEvent.Action.VOTE_CAST,
    AuditEvent.Action.VOTE_CHANGED,
    AuditEvent.Action.VOTE_CLOSED,
    AuditEvent.Action.UNIT_APPROVED,
    AuditEvent.Action.FEE_SIGNOFF,
]


def last_reviewed_version(proposal, user):
    """The newest version of the proposal this person reviewed (one query), or None. Submitting,
    publishing or retiring is not reviewing."""
    return (
        AuditEvent.objects.filter(
            proposal=proposal, actor=user, action__in=REVIEWING_ACTIONS, version_number__gt=0
        )
        .order_by("-version_number")
        .values_list("version_number", flat=True)
        .first()
    )


def unit_approval_events(proposal):
    """The sponsoring units' approvals given since the proposal last entered unit review."""
    events = AuditEvent.objects.filter(proposal=proposal, action=AuditEvent.Action.UNIT_APPROVED)
    if proposal.stage_entered_at:
        events = events.filter(created_at__gte=proposal.stage_entered_at)
    return events


def unit_approvals(proposal):
    """The sponsoring units whose curriculum committee has approved at this unit review."""
    return set(unit_approval_events(proposal).values_list("unit_id", flat=True))


def open_ballot(proposal):
    return Ballot.objects.filter(proposal=proposal, closed_at__isnull=True).select_related("body").first()


def voting_members(body, proposal):
    """Who may vote on a ballot of ``body`` opening now on ``proposal``: its chairs and members with
    an active membership and an active account, never the proposal's authors. What the ballot
    records when it opens (``BallotVoter``)."""
    memberships = (
        Membership.objects.filter(
            body=body, is_active=True, role__in=Membership.VOTING_ROLES, user__is_active=True
        )
        .exclude(user_id=proposal.lead_author_id)
        .exclude(user_id__in=proposal.co_authors.values("pk"))
    )
    return list(memberships.values_list("user_id", flat=True))


def recorded_voters(ballot):
    """The ballot's recorded voters (``BallotVoter``), by name, each with ``member_now``: whether
    they are still a voting member of the body. One query whatever the size of the body."""
    voting_member = Membership.objects.filter(
        body_id=ballot.body_id, user=OuterRef("pk"), is_active=True, role__in=Membership.VOTING_ROLES
    )
    return list(
        get_user_model()
        .objects.filter(ballots_to_vote_on=ballot)
        .annotate(member_now=Exists(voting_member))
        .order_by("last_name", "first_name", "username")
    )


def overdue_proposals(now=None):
    """Proposals that have waited at their review stage longer than ``REVIEW_REMINDER_DAYS``,
    longest first: the dashboard lists them and the daily reminder emails their next actors."""
    now = now or timezone.now()
    return (
        Proposal.objects.filter(
            state__in=State.REVIEW_STAGES, stage_entered_at__lt=now - timedelta(days=overdue_days())
        )
        .select_related("unit")
        .order_by("stage_entered_at")
    )


# --- email preferences ----------------------------------------------------------------------------


def notification_preference(user):
    """The person's email preference: their own, or the default (immediate emails), unsaved, for
    anyone who has never chosen."""
    found = NotificationPreference.objects.filter(user=user).first()
    return found or NotificationPreference(user=user)


def digest_readers(user_ids):
    """Of ``user_ids``, those who chose a daily or weekly digest."""
    return set(
        NotificationPreference.objects.filter(user_id__in=list(user_ids))
        .exclude(delivery=NotificationPreference.Delivery.IMMEDIATE)
        .values_list("user_id", flat=True)
    )


# --- meetings -------------------------------------------------------------------------------------


def bodies_run_by(user):
    """Bodies whose meetings this person runs: where they are chair or staff."""
    return ReviewBody.objects.filter(
        memberships__user=user,
        memberships__is_active=True,
        memberships__role__in=[Membership.Role.CHAIR, Membership.Role.STAFF],
    ).distinct()


def agenda_candidates(meeting):
    """Proposals waiting for the meeting's body and not yet on its agenda."""
    # The body's own profile's stages: a body of an earlier profile still meets on what it reviews.
    queryset = Proposal.objects.filter(
        state__in=stages_of(meeting.body.kind, meeting.body.profile or None)
    ).exclude(agenda_items__meeting=meeting)
    if meeting.body.unit_id:
        queryset = queryset.filter(unit_id__in=Unit.objects.subtree_ids([meeting.body.unit_id]))
    return queryset.order_by("title")


# --- queues -----------------------------------------------------------------------------------------


def queue(user, sort="waiting"):
    """What awaits this person, as one queryset (so it sorts and pages in the database) plus a
    function that says, for each row, what they are to do. A constant number of queries."""
    roles = roles_of(user)
    profile = active_profile()
    open_ballot = Ballot.objects.filter(proposal=OuterRef("pk"), closed_at__isnull=True)
    open_votes = Vote.objects.filter(ballot__proposal=OuterRef("pk"), ballot__closed_at__isnull=True)
    my_vote = open_votes.filter(voter=user)
    # A member who joined the body after its vote opened is not one of its recorded voters.
    recorded = BallotVoter.objects.filter(
        ballot__proposal=OuterRef("pk"), ballot__closed_at__isnull=True, user=user
    )
    conditions = Q(pk__in=[])

    if roles.unit_reviewer_memberships:
        units = Unit.objects.subtree_ids([m.body.unit_id for m in roles.unit_reviewer_memberships])
        co_sponsored = Proposal.co_sponsors.through.objects.filter(unit_id__in=units).values("proposal_id")
        approved_by_me = AuditEvent.objects.filter(
            proposal=OuterRef("pk"),
            action=AuditEvent.Action.UNIT_APPROVED,
            actor=user,
            created_at__gte=OuterRef("stage_entered_at"),
        )
        conditions |= (
            Q(state__in=stages_of(BodyKind.UNIT_COMMITTEE))
            & (Q(unit_id__in=units) | Q(pk__in=co_sponsored))
            & ~Q(unit_approved_by_me=True)
        )
    voting_stages, closing_stages = [], []
    for membership in [*roles.committee_memberships, *roles.office_memberships]:
        voting, closing = _stages_run_by(membership, profile)
        voting_stages += voting
        closing_stages += closing
    if voting_stages:
        conditions |= Q(state__in=voting_stages, to_vote=True, voted=False)
    if closing_stages:
        conditions |= Q(state__in=closing_stages)
    # A body of another profile still reviews what was submitted under that profile.
    for membership in roles.other_profile_memberships:
        other = PROFILES.get(membership.body.profile)
        if other is None:
            continue
        voting, closing = _stages_run_by(membership, other)
        voting_stages += voting
        closing_stages += closing
        if voting:
            conditions |= Q(profile=other.key, state__in=voting, has_open_ballot=True, voted=False)
        if closing:
            conditions |= Q(profile=other.key, state__in=closing)
    if roles.is_office_staff:
        conditions |= Q(state=State.APPROVED)
        # The fee review waits at the stage where the office decides.
        conditions |= (
            Q(state=profile.office_stage.state) & fee_review_q() & Q(fee_review_signed_at__isnull=True)
        )
        conditions |= Q(
            state=State.DRAFT,
            pk__in=Consultation.objects.filter(closed_at__isnull=True).values("proposal_id"),
        )

    annotations = {
        "has_open_ballot": Exists(open_ballot),
        "to_vote": Exists(recorded),
        "voted": Exists(my_vote),
    }
    if roles.unit_reviewer_memberships:
        annotations["unit_approved_by_me"] = Exists(approved_by_me)
    queryset = (
        Proposal.objects.annotate(**annotations)
        .filter(conditions)
        .exclude(authored_q(user))
        .select_related("unit", "lead_author")
        # Counted on the open ballot alone, per row: no join of every ballot and vote to group.
        .annotate(votes_cast=count_of(open_votes))
        .order_by(_queue_order(SORTS.get(sort, SORTS["waiting"])[0]), "pk")
    )
    voting, closing = set(voting_stages), set(closing_stages)
    unit_stages = set(stages_of(BodyKind.UNIT_COMMITTEE))

    def task(proposal):
        if proposal.state in unit_stages and proposal.state not in closing:
            return Task("Decide: approve, return or reject", "decide")
        if proposal.state in voting and proposal.to_vote and not proposal.voted:
            if proposal.state in closing:
                return Task(
                    f"Cast your vote, then close the vote ({proposal.votes_cast} cast so far)", "vote"
                )
            return Task("Cast your vote", "vote")
        if proposal.state in closing and proposal.has_open_ballot:
            return Task(f"Close the vote ({proposal.votes_cast} cast so far)", "vote")
        if proposal.state in closing:
            return Task("Decide: approve, return or reject", "decide")
        if proposal.state == State.APPROVED:
            return Task("Publish the approved micro-credential", "publish")
        if proposal.state == State.DRAFT:
            return Task("Consultation requested on a draft", "consultation")
        return Task("Sign off the fee review", "other-actions")

    return queryset, task


def _stages_run_by(membership, profile):
    """The states of ``profile``'s route at which this membership votes, and those at which it
    decides or closes the vote (chairs and staff)."""
    voting, closing = [], []
    for stage in profile.stages:
        if stage.body_kind != membership.body.kind:
            continue
        if stage.decided_by == VOTE:
            if membership.votes:
                voting.append(stage.state)
            if membership.role in (Membership.Role.CHAIR, Membership.Role.STAFF):
                closing.append(stage.state)
        elif membership.role == Membership.Role.STAFF:
            closing.append(stage.state)
    return voting, closing


def waiting_summary(user, per_state=5):
    """The queue as the home page shows it: ``counts`` {(state, needs my vote): number}, and the
    first ``per_state`` rows of each state (those waiting for the person's vote first, then the
    longest waiting) with their task. Two queries whatever the length of the queue."""
    queryset, task = queue(user)
    counts = {}
    for row in queryset.order_by().values("state", "voted", "to_vote").annotate(n=Count("pk")):
        key = (row["state"], row["to_vote"] and not row["voted"])
        counts[key] = counts.get(key, 0) + row["n"]
    first = queryset.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("state")],
            order_by=[F("voted").asc(), F("stage_entered_at").asc(nulls_first=True), F("pk").asc()],
        )
    ).filter(rank__lte=per_state)
    return counts, [(p, task(p)) for p in first]


def activity_of(user, limit=15):
    """The latest events of the history of the proposals the person is part of: those they author
    or co-author, those they have acted on (reviewed, voted, decided, consulted) and those waiting
    for them now; newest first, who did what and when. One query."""
    acted_on = AuditEvent.objects.filter(actor=user).values("proposal_id")
    part_of = Q(authored_q(user, field="proposal_id")) | Q(proposal_id__in=acted_on)
    roles = roles_of(user)
    if roles.is_unit_reviewer or roles.committee_memberships or roles.is_office_staff:
        part_of |= Q(proposal_id__in=queue(user)[0].values("pk"))
    return (
        AuditEvent.objects.filter(part_of)
        .select_related("actor", "proposal")
        .order_by("-created_at", "-id")[:limit]
    )


def upcoming_meetings(bodies, limit=3):
    """The next meetings of these bodies, soonest first. One query."""
    return (
        Meeting.objects.filter(body__in=bodies, date__gte=timezone.now())
        .select_related("body")
        .order_by("date")[:limit]
    )


def overdue_days():
    return settings.REVIEW_REMINDER_DAYS


def _days(duration):
    return None if duration is None else duration.total_seconds() / 86400


def dashboard():
    """Per stage of the active profile: how many proposals wait, the median and longest days
    waited, and the overdue ones; then the trends of the last twelve months (``trends``). A
    constant number of queries whatever the number of proposals, events and awards."""
    now = timezone.now()
    at = Value(now, output_field=DateTimeField())
    waited = ExpressionWrapper(at - Coalesce("stage_entered_at", at), output_field=DurationField())
    # Counts and longest waits per state, then the medians at the review stages (``percentile_cont``
    # on PostgreSQL; elsewhere over the waits alone): two queries, no proposal loaded.
    # The longest wait is that of the earliest entry: MIN over (state, stage_entered_at), which the
    # index of that pair answers alone, however many proposals there are.
    per_state = {
        row["state"]: dict(row, longest=now - (row["entered"] or now))
        for row in Proposal.objects.filter(
            state__in=[*State.REVIEW_STAGES, State.RETURNED, State.APPROVED, State.PUBLISHED, State.DRAFT]
        )
        .values("state")
        .annotate(n=Count("*"), entered=Min("stage_entered_at"))
        .order_by()
    }
    # Named as ``trends.stage_percentiles`` reads a stay: the stage, then the time spent at it.
    medians = trends.stage_percentiles(
        Proposal.objects.filter(state__in=State.REVIEW_STAGES).annotate(from_state=F("state"), stay=waited)
    )
    rows = []
    for stage in active_profile().stages:
        row = per_state.get(stage.state, {})
        rows.append(
            {
                "stage": stage,
                "count": row.get("n", 0),
                "median": _days(medians.get(stage.state, (None, None))[0]),
                "longest": _days(row.get("longest")),
            }
        )
    counts = {
        state: per_state[state]["n"]
        for state in (State.RETURNED, State.APPROVED, State.PUBLISHED, State.DRAFT)
        if state in per_state
    }
    overdue = overdue_proposals(now)[:50]
    return {
        "rows": rows,
        "counts": counts,
        "overdue": overdue,
        "overdue_days": overdue_days(),
        "trends": trends.snapshot(),
    }
