"""Where a proposal goes under its profile (its route, where a resubmission resumes, what follows an
approval), whether its fees need a review and its awards reach the registrar; and the start-up check
that every registered profile is whole.

A proposal keeps the profile it was submitted under (``Proposal.profile``) from submission to
publication, whatever ``MICROCRED_POLICY`` says later: its route, its stages and who acts at them are
its own profile's (``profile_key_of``). A draft has none and follows the active profile; a submission
(a draft's, or a returned proposal's) always takes the active profile (``resume_at``)."""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from .parts import PARTS, label
from .rules import RULES
from .states import BodyKind, State
from .types import DECISION, PROFILES, VOTE, active_key, active_profile


def validate_profiles(profiles=None):
    """Refuse to start with a profile that could let a proposal through unchecked: an unknown
    active profile, no rule list, an unknown rule, a stage of an unknown body or an office that is
    not one of its bodies. Called when the proposals app starts."""
    profiles = PROFILES if profiles is None else profiles
    active = active_key()
    if active not in profiles:
        raise ImproperlyConfigured(
            f"MICROCRED_POLICY={active!r} is not a policy profile this product knows. "
            f"Use one of: {', '.join(profiles)}."
        )
    for profile in profiles.values():
        where = f"Policy profile {profile.key!r}"
        if not profile.rules:
            raise ImproperlyConfigured(
                f"{where} has no rule list: every profile names the submission rules it enforces."
            )
        unknown = sorted(set(profile.rules) - set(RULES))
        if unknown:
            raise ImproperlyConfigured(f"{where} names unknown rules: {', '.join(unknown)}.")
        if not profile.stages:
            raise ImproperlyConfigured(f"{where} has no approval route.")
        kinds = {BodyKind.UNIT_COMMITTEE, *(b.kind for b in profile.bodies)}
        for stage in profile.stages:
            if stage.body_kind not in kinds or stage.decided_by not in (DECISION, VOTE):
                raise ImproperlyConfigured(
                    f"{where}: stage {stage.state!r} names a body or decider the profile does not have."
                )
            if not stage.reviews or set(stage.reviews) - set(PARTS):
                raise ImproperlyConfigured(
                    f"{where}: stage {stage.state!r} names parts it reviews that policy.parts does not know: "
                    "its approval stands only for the parts it reviews."
                )
        if profile.office_body not in kinds or profile.office_stage is None:
            raise ImproperlyConfigured(f"{where}: its office must decide one of its stages.")


def _profile(profile_key=None):
    return PROFILES[profile_key] if profile_key else active_profile()


def profile_key_of(proposal):
    """The key of the profile ``proposal`` is reviewed under: the one it was submitted under, or the
    active one for a draft never submitted."""
    return getattr(proposal, "profile", "") or active_key()


def profile_of(proposal):
    """The profile ``proposal`` is reviewed under (``profile_key_of``)."""
    return _profile(profile_key_of(proposal))


def profile_naming(states, default):
    """The key of the profile whose stages include every one of ``states`` when exactly one does (a
    proposal at EPPC, or an approval on a route through the Office of Micro-Credentials, is
    Binghamton's); else ``default`` if it is one of them, else the first that is. For records made
    before proposals kept their profile (the data migrations)."""
    states = {s for s in states if s}
    keys = [key for key, profile in PROFILES.items() if states <= {stage.state for stage in profile.stages}]
    if len(keys) == 1 or (keys and default not in keys):
        return keys[0]
    return default


def route(proposal, profile_key=None):
    """The stages this proposal goes through under the profile (by default its own), in order."""
    return [
        stage for stage in _profile(profile_key or profile_key_of(proposal)).stages if stage.applies(proposal)
    ]


def stage_for(state, profile_key=None):
    return next((s for s in _profile(profile_key).stages if s.state == state), None)


def current_stage(proposal):
    """The stage of its own profile's route at which ``proposal`` is now, or None."""
    return stage_for(proposal.state, profile_key_of(proposal))


def profile_states():
    """The states a proposal can be in under the active profile, in route order."""
    return [
        State.DRAFT,
        *(stage.state for stage in active_profile().stages),
        State.RETURNED,
        State.APPROVED,
        State.PUBLISHED,
        State.RETIRED,
        State.REJECTED,
        State.WITHDRAWN,
    ]


def stages_of(kind, profile_key=None):
    """The states of the profile's route at which a body of this kind reviews."""
    return [s.state for s in _profile(profile_key).stages if s.body_kind == kind]


def sponsor_unit_ids(proposal):
    """The originating unit and every co-sponsoring unit: each one's curriculum committee approves."""
    return sorted({proposal.unit_id, *(u.pk for u in proposal.co_sponsors.all())})


def route_keys(proposal, stages=None):
    """The route as comparable keys. A unit review's key names the sponsoring units, so that adding
    a co-sponsor counts as a change of route: its committee has not approved yet."""
    stages = route(proposal) if stages is None else stages
    keys = []
    for stage in stages:
        if stage.body_kind == BodyKind.UNIT_COMMITTEE:
            keys.append(f"{stage.state}:{','.join(str(pk) for pk in sponsor_unit_ids(proposal))}")
        else:
            keys.append(stage.state)
    return keys


@dataclass(frozen=True)
class Approval:
    """A stage's approval on record: the stage, the route the proposal had then (``route_keys``),
    the number of the version the body approved and the profile it was given under (blank: not
    known, taken as the profile asked about)."""

    state: str
    route: tuple
    version: int = 0
    profile: str = ""


def approvals_of(records, profile_key=None):
    """``Approval``s from the records the review app keeps ((state, route, version, profile) rows);
    given ``profile_key``, only those given under that profile: an approval under another policy
    never counts on this one's route, even at a stage both name (unit review)."""
    approvals = [r if isinstance(r, Approval) else Approval(r[0], tuple(r[1]), *r[2:4]) for r in records]
    if profile_key is None:
        return approvals
    return [a for a in approvals if a.profile in ("", profile_key)]


def _same_route(approval, keys):
    """The route up to and including the approval's stage is the same now as then: a body approves
    what it saw, including which bodies had approved before it."""
    states = [key.split(":")[0] for key in keys]
    states_then = [key.split(":")[0] for key in approval.route]
    if approval.state not in states or approval.state not in states_then:
        return False
    upto, upto_then = states.index(approval.state) + 1, states_then.index(approval.state) + 1
    return list(approval.route[:upto_then]) == list(keys[:upto])


def passed_stages(keys, approvals, content=None, profile_key=None):
    """The stages that approved this proposal on the route it has now under ``profile_key`` (by
    default the active profile), for the content it has now.

    An approval stands only if the route up to and including its stage is the same as then, and
    (given ``content``, the proposal's ``versions.ContentHistory``) none of the parts its stage
    reviews has changed since the version it approved, in any later version or now: a part changed
    and changed back was still not what the body approved, so an approval from a cycle the proposal
    has since left never comes back. Approvals given under another profile never stand.
    """
    profile_key = profile_key or active_key()
    passed = set()
    for approval in approvals_of(approvals, profile_key):
        if not _same_route(approval, keys):
            continue
        stage = stage_for(approval.state, profile_key)
        if content is not None and stage is not None and content.changed_parts(stage, approval.version):
            continue
        passed.add(approval.state)
    return passed


def _changed_since_approval(stage, keys, approvals, content, profile_key):
    """The parts ``stage`` reviews that changed since its latest approval on this route, or []."""
    if content is None:
        return None, []
    mine = [
        a for a in approvals_of(approvals, profile_key) if a.state == stage.state and _same_route(a, keys)
    ]
    if not mine:
        return None, []
    latest = max(mine, key=lambda a: a.version)
    return latest, content.changed_parts(stage, latest.version)


def resume_at(proposal, approvals, content=None):
    """Where a submission goes: (the stage, why it goes there).

    A first submission starts the route. A resubmission after a return resumes at the stage that
    returned it if that stage still applies and every earlier stage that now applies still stands
    (approved this route, and none of the parts it reviews changed since); otherwise it goes to the
    earliest stage that does not stand, and the reason names what changed. ``content`` is the
    proposal's ``versions.ContentHistory`` (made here when not given).

    A submission is always made under the active profile: a returned proposal reviewed under another
    one (``MICROCRED_POLICY`` changed since) starts the active profile's route, where no approval
    given under its earlier profile counts.
    """
    key = active_key()
    stages = route(proposal, key)
    first = stages[0]
    returned = proposal.returned_from
    if not returned:
        return first, ""
    earlier = getattr(proposal, "profile", "")
    if earlier and earlier != key:
        then = PROFILES[earlier].name if earlier in PROFILES else earlier
        return first, (
            f"It was reviewed under the {then} policy profile; the {PROFILES[key].name} profile applies "
            f"now, so it starts that profile's route at {first.label}: no approval given under {then} counts."
        )
    if content is None:
        from ..versions import ContentHistory

        content = ContentHistory(proposal)
    keys = route_keys(proposal, stages)
    passed = passed_stages(keys, approvals, content, key) - {returned}
    pending = [s for s in stages if s.state not in passed]
    if not pending:
        last = stages[-1]
        return last, f"Every stage of its route had approved it before; {last.label} decides again."
    target = pending[0]
    returned_label = State.label(returned)
    if target.state == returned:
        return target, f"It goes back to {target.label}, which returned it."
    approval, changed = _changed_since_approval(target, keys, approvals, content, key)
    if changed:
        what = ", ".join(label(part) for part in changed)
        then = (
            f"before {returned_label}, which returned it."
            if returned in [s.state for s in stages]
            else f"({returned_label}, which returned it, no longer applies)."
        )
        return target, (
            f"{target.label} approved version {approval.version}, and what it reviews has changed since "
            f"({what}), so it goes back there {then}"
        )
    if returned in [s.state for s in stages]:
        return target, (
            f"{target.label} now applies to it and has not approved it on this route ({target.why}), "
            f"so it goes there before {returned_label}, which returned it."
        )
    return target, (
        f"{returned_label}, which returned it, no longer applies after the changes, so it goes to "
        f"{target.label}, the first stage of its route that has not approved it."
    )


def next_state(proposal, profile_key=None):
    """Where approval at the proposal's current stage leads: the next stage of its route, or
    approved after the last. None when the current state is not on the proposal's route."""
    states = [stage.state for stage in route(proposal, profile_key)]
    if proposal.state not in states:
        return None
    index = states.index(proposal.state)
    return states[index + 1] if index + 1 < len(states) else State.APPROVED


def reaches_registrar(*, credit_bearing, enrolled, profile_key=None):
    """Whether an award is recorded for the registrar under the profile's transcript rule."""
    rule = _profile(profile_key).transcript_rule
    return rule is not None and rule.applies(credit_bearing=credit_bearing, enrolled=enrolled)


def needs_fee_review(proposal, profile_key=None):
    rule = _profile(profile_key or profile_key_of(proposal)).fee_review
    return rule is not None and rule.applies(proposal)


def fee_review_q(profile_key=None):
    """Proposals that need the profile's fee review, as a query (nothing when it has none)."""
    rule = _profile(profile_key).fee_review
    return rule.q() if rule is not None else Q(pk__in=[])


def fee_review_valid(proposal):
    """A fee sign-off holds only for the fee amount and statement it approved."""
    return (
        proposal.fee_review_signed_at is not None
        and proposal.fee_review_amount == proposal.fee_amount
        and proposal.fee_review_notes == proposal.fee_notes
    )
