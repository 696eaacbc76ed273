"""Who may do what in review: one place.

- ``roles_of(user)``: every role a person holds (the vocabulary is ``core.roles``), read once per request;
- the stage's bodies: which body reviews a proposal at a stage, and which person sits on it;
- per-proposal questions (``may_act_at_stage``, ``may_vote``, ``runs_vote``, ``may_publish`` …), which
  the proposal's transitions (through ``core.hooks.PROPOSAL_ACTIONS``), the services and the views all ask;
- ``reviewer_reading_rule``: who besides the authors reads a proposal (``core.hooks.PROPOSAL_READERS``);
- ``standing(proposal, user)``: everything one person may do on one proposal where it stands, asked
  once, which the proposal page's workflow panel renders.

Nobody acts on a proposal they author, whatever else they are.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q

from core.roles import FACULTY, LEARNER, REGISTRAR, Roles
from proposals.models import Consultation, Proposal, Unit, UnitRole
from proposals.permissions import is_author
from proposals.policy import (
    DECISION,
    VOTE,
    BodyKind,
    State,
    active_profile,
    current_stage,
    profile_key_of,
    profile_of,
)

from .models import BallotVoter, Membership, ReviewBody


def roles_of(user):
    """Every role ``user`` holds, read with three queries whatever the number of memberships and
    kept on the user for the rest of the request. Memberships of another profile's bodies are kept
    apart (``other_profile_memberships``): they give no role under the active profile, but their
    holders still act on the proposals submitted under that profile (``membership_in``)."""
    if not user.is_authenticated:
        return Roles()
    cached = getattr(user, "_microcred_roles", None)
    if cached is not None:
        return cached
    profile = active_profile()
    # The same cache of group names as ``core.roles.in_group``: a page asks both, reads once.
    groups = getattr(user, "_group_names", None)
    if groups is None:
        groups = user._group_names = set(user.groups.values_list("name", flat=True))
    roles = Roles(
        is_admin=user.is_superuser or user.is_staff,
        is_faculty=FACULTY in groups,
        is_learner=LEARNER in groups,
        is_registrar=REGISTRAR in groups,
        office_name=profile.office_name,
    )
    for unit_role in UnitRole.objects.filter(user=user, unit__is_active=True).select_related("unit"):
        if unit_role.role == UnitRole.Role.FACULTY:
            roles.faculty_units.append(unit_role.unit)
        else:
            roles.evaluator_units.append(unit_role.unit)
    memberships = Membership.objects.filter(user=user, is_active=True, body__is_active=True).select_related(
        "body", "body__unit"
    )
    for membership in memberships:
        kind = membership.body.kind
        if membership.body.profile not in ("", profile.key):
            roles.other_profile_memberships.append(membership)
        elif kind == BodyKind.UNIT_COMMITTEE:
            roles.unit_reviewer_memberships.append(membership)
        elif kind == profile.office_body and membership.role == Membership.Role.STAFF:
            roles.office_memberships.append(membership)
        elif membership.votes:
            roles.committee_memberships.append(membership)
        else:
            # Staff of a committee other than the office: they run its business like a chair.
            roles.committee_memberships.append(membership)
    user._microcred_roles = roles
    return roles


# --- per-proposal questions ------------------------------------------------------------------
# Each answers for one proposal and one person; the views and the workflow's permission rules
# (registered with ``core.hooks.PROPOSAL_ACTIONS`` in ``review.apps``) all ask these, never their own copies.


def stage_body(proposal, stage=None):
    """The body that reviews ``proposal`` at ``stage`` (default: where it is now): the nearest unit
    curriculum committee at or above the originating unit, or the university-wide body of the
    proposal's own profile (the one it was submitted under)."""
    stage = stage or current_stage(proposal)
    if stage is None:
        return None
    # Asked several times per page (may act? may vote? notes?): looked up once per proposal and stage.
    cache = proposal.__dict__.setdefault("_stage_bodies", {})
    if stage.state not in cache:
        cache[stage.state] = _find_stage_body(proposal, stage)
    return cache[stage.state]


def _find_stage_body(proposal, stage):
    if stage.body_kind == BodyKind.UNIT_COMMITTEE:
        return unit_committee(proposal.unit)
    return (
        ReviewBody.objects.for_profile(profile_key_of(proposal))
        .filter(kind=stage.body_kind, is_active=True)
        .first()
    )


def unit_committee(unit):
    """The nearest active curriculum committee at or above ``unit``."""
    lineage = unit.lineage_ids()
    committees = {
        body.unit_id: body
        for body in ReviewBody.objects.filter(
            kind=BodyKind.UNIT_COMMITTEE, unit_id__in=lineage, is_active=True
        )
    }
    return next((committees[pk] for pk in lineage if pk in committees), None)


def units_without_committee(units):
    """Those of ``units`` with no active curriculum committee at or above them: nobody could approve
    them at unit review. One query for the committees, whatever the number of units."""
    lineages = {unit.pk: unit.lineage_ids() for unit in units}
    covered = set(
        ReviewBody.objects.filter(
            kind=BodyKind.UNIT_COMMITTEE,
            unit_id__in={pk for lineage in lineages.values() for pk in lineage},
            is_active=True,
        ).values_list("unit_id", flat=True)
    )
    return [unit for unit in units if not covered.intersection(lineages[unit.pk])]


def sponsor_units(proposal):
    """The originating unit, then each co-sponsoring unit."""
    return [proposal.unit, *(u for u in proposal.co_sponsors.all() if u.pk != proposal.unit_id)]


def stage_bodies(proposal):
    """Every body that acts at the proposal's current stage: at unit review, the curriculum
    committee of each sponsoring unit; elsewhere the one stage body."""
    stage = current_stage(proposal)
    if stage is None:
        return []
    if stage.body_kind != BodyKind.UNIT_COMMITTEE:
        body = stage_body(proposal, stage)
        return [body] if body else []
    bodies = []
    for unit in sponsor_units(proposal):
        body = unit_committee(unit)
        if body is not None and body not in bodies:
            bodies.append(body)
    return bodies


@dataclass(frozen=True)
class MissingBody:
    """A body a stage needs and does not have: the stage's university-wide body (``unit`` None), or
    the curriculum committee of a sponsoring unit. ``key`` names it for the office's notification."""

    name: str
    key: str
    unit: Unit | None = None


def missing_bodies(proposal, stage):
    """What ``stage`` lacks to review ``proposal``: at unit review, a curriculum committee for each
    sponsoring unit without one at or above it; elsewhere the stage's active body. Empty when the
    stage can review it."""
    if stage.body_kind == BodyKind.UNIT_COMMITTEE:
        return [
            MissingBody(unit.name, f"unit-{unit.pk}", unit)
            for unit in units_without_committee(sponsor_units(proposal))
        ]
    if stage_body(proposal, stage) is None:
        return [MissingBody(profile_of(proposal).body_label(stage.body_kind), stage.body_kind)]
    return []


def sponsor_units_reviewed_by(user, proposal):
    """The sponsoring units (originating and co-sponsoring) this person reviews for: those whose
    own unit, or a unit above it, has a curriculum committee the person sits on."""
    reviewed = {m.body.unit_id for m in roles_of(user).unit_reviewer_memberships}
    if not reviewed:
        return []
    return [unit.pk for unit in sponsor_units(proposal) if reviewed & set(unit.lineage_ids())]


def is_unit_reviewer_for(user, proposal):
    """A member of the curriculum committee of a sponsoring unit or of any unit above it."""
    return bool(sponsor_units_reviewed_by(user, proposal))


def membership_in(user, body):
    """The person's membership of ``body``, whichever profile the body belongs to: the body asked
    about is the one of the proposal's own profile (``stage_body``)."""
    if body is None:
        return None
    roles = roles_of(user)
    for membership in (
        *roles.committee_memberships,
        *roles.office_memberships,
        *roles.unit_reviewer_memberships,
        *roles.other_profile_memberships,
    ):
        if membership.body_id == body.pk:
            return membership
    return None


def may_act_at_stage(proposal, user):
    """Who fires the stage's transition: for a decision stage the unit reviewer (unit review) or the
    office's staff (ASA review); for a committee stage the chair or staff who close the vote. The
    stage and its body are those of the proposal's own profile."""
    stage = current_stage(proposal)
    if stage is None:
        return False
    if stage.body_kind == BodyKind.UNIT_COMMITTEE:
        return is_unit_reviewer_for(user, proposal)
    membership = membership_in(user, stage_body(proposal, stage))
    if membership is None:
        return False
    if stage.decided_by == DECISION:
        return membership.role == Membership.Role.STAFF
    return membership.role in (Membership.Role.CHAIR, Membership.Role.STAFF)


# Why someone may not vote: the one refusal told to anyone, and those the proposal page says.
NOT_A_VOTER = "Only the members of the reviewing body vote, and never on their own proposal."
AUTHORED = "You author this proposal, so you do not vote on it."


def vote_refusal(proposal, user, recorded=None):
    """Why ``user`` may not cast or change a vote on the proposal's open ballot now, or "" when they
    may. The chairs and members of the body whom the ballot recorded when it opened vote, never an
    author of the proposal; someone who has since left the body (or stopped being a voting
    member) or whose account is deactivated keeps the vote they cast, counted, and casts no new
    one; someone who joined after it opened votes from the next ballot.

    ``recorded``: whether ``user`` is one of the open ballot's recorded voters, when the caller knows
    (saves the query)."""
    stage = current_stage(proposal)
    if stage is None or stage.decided_by != VOTE:
        return NOT_A_VOTER
    if is_author(user, proposal):
        return AUTHORED
    body = stage_body(proposal, stage)
    membership = membership_in(user, body)
    voting_member = membership is not None and membership.votes
    if recorded is None:
        recorded = BallotVoter.objects.filter(
            ballot__proposal=proposal, ballot__closed_at__isnull=True, user=user
        ).exists()
    if not recorded:
        if not voting_member or not user.is_active:
            return NOT_A_VOTER
        return (
            f"You joined {body.name} after this vote opened: its voters were recorded then, so you do "
            "not vote on it. You vote from the body's next vote."
        )
    kept = "A vote you cast before stays counted; you cannot vote now."
    if not user.is_active:
        return f"Your account is deactivated. {kept}"
    if not voting_member:
        return f"You are no longer a voting member of {body.name}. {kept}"
    return ""


def may_vote(proposal, user, recorded=None):
    """Whether ``user`` may cast or change a vote now (``vote_refusal`` says why not)."""
    return not vote_refusal(proposal, user, recorded)


def runs_vote(ballot, proposal, user):
    """The chair and staff of the ballot's body run its vote (see who has not voted, remind them),
    never on a proposal they author."""
    membership = membership_in(user, ballot.body)
    return (
        membership is not None
        and membership.role in (Membership.Role.CHAIR, Membership.Role.STAFF)
        and not is_author(user, proposal)
    )


def sees_vote_progress(ballot, user):
    """How far a vote has got (not what anyone chose) is for the body's chair, members and staff,
    and for the office's staff, who run the pipeline."""
    return membership_in(user, ballot.body) is not None or is_office_staff(user)


def is_office_staff(user):
    return roles_of(user).is_office_staff


def is_office_staff_of(user, profile):
    """Staff of the office of ``profile`` (the active one or another)."""
    roles = roles_of(user)
    return any(
        m.body.kind == profile.office_body
        and m.body.profile == profile.key
        and m.role == Membership.Role.STAFF
        for m in (*roles.office_memberships, *roles.other_profile_memberships)
    )


def may_publish(proposal, user):
    """The office that runs the pipeline now publishes (and retires); so does the office of the
    profile the proposal was approved under, which finishes what its route approved."""
    return is_office_staff(user) or (
        proposal.under_other_profile and is_office_staff_of(user, profile_of(proposal))
    )


def office_acts_on(proposal, user):
    """The office's staff act on a proposal (complete its consultation), never on one they author."""
    return is_office_staff(user) and not is_author(user, proposal)


may_consult = office_acts_on


def may_sign_off_fees(proposal, user):
    """The fee review is signed off by the staff of the office of the proposal's own profile, which
    decides the stage where it is signed off; never on a proposal they author."""
    return is_office_staff_of(user, profile_of(proposal)) and not is_author(user, proposal)


def may_move_to_profile(proposal, user):
    """The active office's staff move a proposal submitted under another profile to the active one
    (``services.move_to_profile``; the transition says from where), never one they author."""
    return office_acts_on(proposal, user)


# --- reading -------------------------------------------------------------------------------------


def reviewer_reading_rule(user):
    """Reviewers read what has been submitted to them; the office also reads drafts whose authors
    asked it for a consultation.

    - unit reviewers: submitted proposals that their unit, or a unit below it, originates or
      co-sponsors;
    - members, chairs and staff of a university-wide body, and the office's staff: every
      submitted proposal (they review all that reach the university level);
    - the office's staff: drafts on which the authors asked it for a consultation (open or
      completed: it keeps reading what it advised on), and revisions of published micro-credentials
      from their start (it may start one itself, and it publishes what it replaces).
    """
    roles = roles_of(user)
    submitted = ~Q(state=State.DRAFT)
    q = Q(pk__in=[])
    if roles.unit_reviewer_memberships:
        units = Unit.objects.subtree_ids([m.body.unit_id for m in roles.unit_reviewer_memberships])
        co_sponsored = Proposal.co_sponsors.through.objects.filter(unit_id__in=units).values("proposal_id")
        q |= submitted & (Q(unit_id__in=units) | Q(pk__in=co_sponsored))
    if roles.committee_memberships or roles.office_memberships:
        q |= submitted
    # A body of another profile reads what was submitted under that profile: it still reviews it.
    others = {m.body.profile for m in roles.other_profile_memberships}
    if others:
        q |= submitted & Q(profile__in=others)
    if roles.office_memberships:
        q |= Q(pk__in=Consultation.objects.values("proposal_id")) | Q(revision_of__isnull=False)
    return q


# --- one person on one proposal ---------------------------------------------------------------


@dataclass
class Standing:
    """What one person may do on one proposal where it stands, and why not: computed once from the
    route (the stage), the stage's body and the person's memberships, and the transitions django-fsm
    opens to them. The proposal page's workflow panel renders this; it asks nothing else."""

    proposal: object
    user: object
    stage: object
    body: object
    authored: bool
    # The names of the workflow transitions the person may fire now (permissions and conditions).
    transitions: frozenset

    @property
    def acts_here(self):
        """At a review stage, whoever may return the proposal is who acts there (decides, or closes
        the vote)."""
        return "return_for_revision" in self.transitions

    @cached_property
    def membership(self):
        return membership_in(self.user, self.body)

    @property
    def reads_notes(self):
        """The stage body's internal notes are for its members, never the authors."""
        return not self.authored and self.membership is not None

    def vote_refusal(self, recorded):
        """Why the person may not vote on the open ballot (``vote_refusal``), ``recorded`` saying
        whether they are one of its recorded voters."""
        return vote_refusal(self.proposal, self.user, recorded)

    @property
    def may_withdraw(self):
        # While the authors hold it (draft, returned) withdrawing sits beside submitting instead.
        return "withdraw" in self.transitions and not self.proposal.is_editable

    @property
    def may_publish(self):
        return "publish" in self.transitions

    @property
    def may_retire(self):
        return "retire" in self.transitions

    @cached_property
    def may_sign_off_fees(self):
        return may_sign_off_fees(self.proposal, self.user)

    @property
    def may_move_to_profile(self):
        return "move_to_active_profile" in self.transitions

    @cached_property
    def may_consult(self):
        return may_consult(self.proposal, self.user)

    def sees_vote_progress(self, ballot):
        return self.acts_here or sees_vote_progress(ballot, self.user)

    def runs_vote(self, ballot):
        return runs_vote(ballot, self.proposal, self.user)


def standing(proposal, user):
    """``Standing`` of ``user`` on ``proposal``: asked once per page."""
    stage = current_stage(proposal)
    return Standing(
        proposal=proposal,
        user=user,
        stage=stage,
        body=stage_body(proposal, stage) if stage is not None else None,
        authored=is_author(user, proposal),
        transitions=frozenset(t.name for t in proposal.get_available_user_state_transitions(user)),
    )
