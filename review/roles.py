"""Who a person is in the product: global roles from groups, per-object roles from memberships.

``roles_of(user)`` answers with three queries whatever the number of memberships, and is what the
home page and the permission helpers read.
"""

from dataclasses import dataclass, field

from core import roles as global_roles
from proposals.models import UnitRole
from proposals.policy import DECISION, VOTE, BodyKind, active_profile, stage_for

from .models import Membership, ReviewBody


@dataclass
class Roles:
    is_admin: bool = False
    is_faculty: bool = False
    is_learner: bool = False
    is_registrar: bool = False
    faculty_units: list = field(default_factory=list)
    evaluator_units: list = field(default_factory=list)
    unit_reviewer_memberships: list = field(default_factory=list)
    committee_memberships: list = field(default_factory=list)
    office_memberships: list = field(default_factory=list)

    @property
    def is_unit_reviewer(self):
        return bool(self.unit_reviewer_memberships)

    @property
    def is_committee_member(self):
        return bool(self.committee_memberships)

    @property
    def chaired_memberships(self):
        return [m for m in self.committee_memberships if m.role == Membership.Role.CHAIR]

    @property
    def is_office_staff(self):
        return bool(self.office_memberships)

    @property
    def is_program_evaluator(self):
        return bool(self.evaluator_units)

    @property
    def labels(self):
        """Human names of the roles held, for the page header and the demo listing."""
        profile = active_profile()
        names = []
        if self.is_faculty:
            names.append("Faculty")
        if self.is_unit_reviewer:
            names.append("Unit reviewer")
        if self.is_office_staff:
            names.append(f"{profile.office_name} staff")
        if self.chaired_memberships:
            names.append("Committee chair")
        elif self.is_committee_member:
            names.append("Committee member")
        if self.is_program_evaluator:
            names.append("Program evaluator")
        if self.is_registrar:
            names.append("Registrar")
        if self.is_learner:
            names.append("Learner")
        if self.is_admin:
            names.append("Administrator")
        return names


def roles_of(user):
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
        is_faculty=global_roles.FACULTY in groups,
        is_learner=global_roles.LEARNER in groups,
        is_registrar=global_roles.REGISTRAR in groups,
    )
    for unit_role in UnitRole.objects.filter(user=user, unit__is_active=True).select_related("unit"):
        if unit_role.role == UnitRole.Role.FACULTY:
            roles.faculty_units.append(unit_role.unit)
        else:
            roles.evaluator_units.append(unit_role.unit)
    memberships = (
        Membership.objects.filter(user=user, is_active=True, body__is_active=True)
        .filter(body__profile__in=["", profile.key])
        .select_related("body", "body__unit")
    )
    for membership in memberships:
        kind = membership.body.kind
        if kind == BodyKind.UNIT_COMMITTEE:
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
# (registered with ``proposals.access`` in ``review.apps``) all ask these, never their own copies.


def stage_body(proposal, stage=None):
    """The body that reviews ``proposal`` at ``stage`` (default: where it is now): the nearest unit
    curriculum committee at or above the originating unit, or the profile's university-wide body."""
    stage = stage or stage_for(proposal.state)
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
        ReviewBody.objects.for_profile(active_profile().key)
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


def sponsor_units(proposal):
    """The originating unit, then each co-sponsoring unit."""
    return [proposal.unit, *(u for u in proposal.co_sponsors.all() if u.pk != proposal.unit_id)]


def stage_bodies(proposal):
    """Every body that acts at the proposal's current stage: at unit review, the curriculum
    committee of each sponsoring unit; elsewhere the one stage body."""
    stage = stage_for(proposal.state)
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
    if body is None:
        return None
    roles = roles_of(user)
    for membership in (
        *roles.committee_memberships,
        *roles.office_memberships,
        *roles.unit_reviewer_memberships,
    ):
        if membership.body_id == body.pk:
            return membership
    return None


def may_act_at_stage(proposal, user):
    """Who fires the stage's transition: for a decision stage the unit reviewer (unit review) or the
    office's staff (ASA review); for a committee stage the chair or staff who close the vote."""
    stage = stage_for(proposal.state)
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


def may_vote(proposal, user):
    """Chairs and members of the body whose vote is open; never an author of the proposal."""
    from proposals.access import is_author

    stage = stage_for(proposal.state)
    if stage is None or stage.decided_by != VOTE or is_author(user, proposal):
        return False
    membership = membership_in(user, stage_body(proposal, stage))
    return membership is not None and membership.votes


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


def may_publish(proposal, user):
    return is_office_staff(user)


def office_acts_on(proposal, user):
    """The office's staff act on a proposal (sign off its fee review, complete its consultation),
    never on one they author."""
    return is_office_staff(user) and not is_author(user, proposal)


may_sign_off_fees = may_consult = office_acts_on


def is_author(user, proposal):
    from proposals.access import is_author as authored

    return authored(user, proposal)
