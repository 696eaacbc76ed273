from django.conf import settings
from django.db import models

from core import roles
from core.models import AppendOnly
from proposals.models import Unit
from proposals.policy import (
    BodyKind,
    body_kind_choices,
    profile_choices,
    proposal_profile_choices,
    state_choices,
)


class ReviewBodyQuerySet(models.QuerySet):
    def for_profile(self, profile_key):
        return self.filter(models.Q(profile=profile_key) | models.Q(profile=""))


class ReviewBody(models.Model):
    """A body that reviews proposals: a unit curriculum committee or a university-wide body."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=30, choices=body_kind_choices)
    profile = models.CharField(
        max_length=20,
        blank=True,
        choices=profile_choices,
        help_text="The policy profile this body belongs to; blank for unit committees, which every "
        "profile uses.",
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_bodies",
        help_text="For a unit curriculum committee: the unit whose proposals it reviews.",
    )
    quorum = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Votes needed for a decision. Blank means a majority of the body's voting members.",
    )
    is_active = models.BooleanField(default=True)

    objects = ReviewBodyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "review bodies"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind=BodyKind.UNIT_COMMITTEE) | models.Q(unit__isnull=False),
                name="unit_committee_has_unit",
            ),
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        CHAIR = roles.CHAIR, "Chair"
        MEMBER = roles.MEMBER, "Member"
        STAFF = roles.STAFF, "Staff"

    # Chairs and members vote; staff run the body's business but do not vote.
    VOTING_ROLES = (Role.CHAIR, Role.MEMBER)

    body = models.ForeignKey(ReviewBody, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(default=True)
    since = models.DateField(auto_now_add=True)

    class Meta:
        ordering = ["body__name", "role", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["body", "user"], name="one_membership_per_body"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.body}"

    @property
    def votes(self):
        """Chairs and members vote; staff run the body's business but do not vote."""
        return self.role in self.VOTING_ROLES


class MembershipChange(AppendOnly):
    """Who joined a review body, left it or changed role, when and by whose hand: the record of who
    could vote on what, kept even after the membership or the body is gone. Written for every
    change made through a membership's save or delete (the admin's forms and inlines included)."""

    class Action(models.TextChoices):
        ADDED = "added", "Added"
        CHANGED = "changed", "Changed"
        REMOVED = "removed", "Removed"

    body = models.ForeignKey(
        ReviewBody, null=True, on_delete=models.SET_NULL, related_name="membership_changes"
    )
    body_name = models.CharField(max_length=200)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    person_name = models.CharField(max_length=300)
    action = models.CharField(max_length=10, choices=Action.choices)
    role_before = models.CharField(max_length=10, blank=True)
    role_after = models.CharField(max_length=10, blank=True)
    active_before = models.BooleanField(null=True)
    active_after = models.BooleanField(null=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.person_name} {self.get_action_display().lower()} – {self.body_name}"


class NotificationPreference(models.Model):
    """How a person wants their emails: one per event (the default, for anyone without a row), or
    gathered into a daily or weekly digest. Made the first time they choose."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", "Immediately: one email for each event"
        DAILY = "daily", "A daily digest"
        WEEKLY = "weekly", "A weekly digest"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    # When the delivery was last changed: a digest covers a period only if it was chosen before the
    # period began, so choosing a digest at 3 pm brings the first one at the next digest time.
    chosen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self):
        return f"{self.user}: {self.get_delivery_display()}"


class Digest(models.Model):
    """One digest email to one person for one period. The database allows one per person, kind
    and period, however often the job runs; the notifications it delivered point to it."""

    class Period(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    class State(models.TextChoices):
        PENDING = "pending", "To send"
        SENT = "sent", "Sent"
        NOTHING = "nothing", "Nothing to send"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    period = models.CharField(max_length=10, choices=Period.choices)
    # The local date on which the period began (at ``DIGEST_HOUR``).
    period_start = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # What it listed, for the record: the number of events and of items waiting then.
    events = models.PositiveIntegerField(default=0)
    waiting = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-period_start", "recipient__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "period", "period_start"], name="one_digest_per_person_per_period"
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self):
        return f"{self.get_period_display()} digest of {self.period_start} → {self.recipient}"


class Notification(models.Model):
    """An email to one person, kept so that delivery can be retried, audited and never lost."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    # Set for notifications that must go out once only (daily reminders): the database refuses a
    # second row with the same key.
    key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Kept back for the recipient's digest (they chose one and it was not urgent), and, once the
    # digest has gone, the digest that delivered it.
    for_digest = models.BooleanField(default=False)
    digest = models.ForeignKey(
        Digest, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self):
        return f"{self.subject} → {self.recipient}"


class Meeting(models.Model):
    """A meeting of a review body, with an ordered agenda of proposals."""

    body = models.ForeignKey(ReviewBody, on_delete=models.PROTECT, related_name="meetings")
    date = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date"]

    def __str__(self):
        return f"{self.body} – {self.date:%d %b %Y}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "proposal"], name="proposal_once_per_agenda"),
        ]

    def __str__(self):
        return f"{self.position}. {self.proposal}"


class Ballot(models.Model):
    """One vote of a body on a proposal at a stage. A proposal has at most one open ballot at a time;
    a vote without quorum or majority is closed as such and a new ballot opens."""

    class Outcome(models.TextChoices):
        APPROVED = "approve", "Approved"
        CHANGES = "request_changes", "Changes requested"
        REJECTED = "reject", "Rejected"
        NO_QUORUM = "no_quorum", "No quorum"
        NO_MAJORITY = "no_majority", "No majority (tie or split)"

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="ballots")
    body = models.ForeignKey(ReviewBody, on_delete=models.PROTECT, related_name="ballots")
    stage = models.CharField(max_length=30, choices=state_choices)
    version_number = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=20, blank=True, choices=Outcome.choices)
    tally = models.JSONField(default=dict, blank=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="ballots"
    )
    # Who may vote, fixed when the ballot opens: a later change of the body's membership changes
    # neither the quorum nor the count (``BallotVoter``).
    voters = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="BallotVoter", related_name="ballots_to_vote_on", blank=True
    )

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"],
                condition=models.Q(closed_at__isnull=True),
                name="one_open_ballot_per_proposal",
            ),
        ]

    def __str__(self):
        return f"Vote of {self.body} on {self.proposal_id} ({'open' if self.closed_at is None else self.outcome})"

    @property
    def is_open(self):
        return self.closed_at is None


class BallotVoter(models.Model):
    """A voting member of the body (chair or member, never an author of the proposal, with an
    active account) when the ballot opened: the ballot's quorum and count are over these, whatever
    happens to the memberships while it is open. Someone who leaves the body keeps the vote they
    cast; someone who joins votes from the next ballot."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="recorded_voters")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["ballot", "id"]
        constraints = [models.UniqueConstraint(fields=["ballot", "user"], name="one_record_per_voter")]

    def __str__(self):
        return f"{self.user} may vote on {self.ballot}"


class Vote(models.Model):
    class Choice(models.TextChoices):
        APPROVE = "approve", "Approve"
        REQUEST_CHANGES = "request_changes", "Request changes"
        REJECT = "reject", "Reject"
        ABSTAIN = "abstain", "Abstain"

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(max_length=20, choices=Choice.choices)
    comment = models.TextField(blank=True)
    cast_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cast_at"]
        constraints = [models.UniqueConstraint(fields=["ballot", "voter"], name="one_vote_per_member")]

    def __str__(self):
        return f"{self.voter}: {self.get_choice_display()}"


class AuditEvent(AppendOnly):
    """One line of a proposal's history: a transition, a vote, a decision, a sign-off. Written once
    by the services; no view or admin page can change or delete it."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        RESUBMITTED = "resubmitted", "Resubmitted"
        APPROVED = "approved", "Approved at stage"
        RETURNED = "returned", "Returned for revision"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"
        VOTE_CAST = "vote_cast", "Vote cast"
        VOTE_CHANGED = "vote_changed", "Vote changed"
        VOTE_CLOSED = "vote_closed", "Vote closed"
        VOTER_MEMBERSHIP_CHANGED = "voter_membership", "Membership changed during the vote"
        FEE_SIGNOFF = "fee_signoff", "Fee review signed off"
        FEE_SIGNOFF_VOIDED = "fee_signoff_voided", "Fee review sign-off voided"
        UNIT_APPROVED = "unit_approved", "Approved for a sponsoring unit"
        CONSULTATION_COMPLETED = "consultation_done", "Consultation completed"
        PROFILE_CHANGED = "profile_changed", "Moved to the active policy profile"

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=30, blank=True, choices=state_choices)
    to_state = models.CharField(max_length=30, blank=True, choices=state_choices)
    version_number = models.PositiveIntegerField(default=0)
    comment = models.TextField(blank=True)
    tally = models.JSONField(default=dict, blank=True)
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # For an approval at unit review of an interdisciplinary proposal: the sponsoring unit it is for.
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The proposal's route when the event happened (``policy.route_keys``): a stage's approval
    # stands only while the route up to it is unchanged.
    route = models.JSONField(default=list, blank=True)
    # The policy profile the proposal was reviewed under when the event happened: an approval counts
    # only on its own profile's route (``policy.passed_stages``).
    profile = models.CharField(max_length=20, blank=True, choices=proposal_profile_choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor} on {self.proposal_id}"


class InternalNote(models.Model):
    """A note of a review body about a proposal, visible to the body's members and staff only."""

    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="internal_notes"
    )
    body = models.ForeignKey(ReviewBody, on_delete=models.CASCADE, related_name="internal_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Note of {self.body} on {self.proposal_id}"
