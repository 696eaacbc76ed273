"""The policy profiles this product implements, as data.

A profile is one entry of ``PROFILES``: the institution, its review bodies, its approval route (the
stages with the condition under which each applies and who decides it), the submission rules it
enforces (each with the sentence of its policy that justifies it), its fee rule and its labels.
Nothing else in the code names a profile: the workflow, views, selectors and templates read the
active profile. Adding a university's policy means adding one entry (``register_profile``).

Sources: ``../shared/policies/000_12fd21f330511ec2.txt`` (Binghamton) and ``004_fb961b51d850dc18.txt``
(FIU 380.104).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from .choices import Kind, Level

# Who decides a stage: one reviewer's decision, or a committee's vote closed by its chair.
DECISION = "decision"
VOTE = "vote"


@dataclass(frozen=True)
class Body:
    """A university-wide review body of a profile. ``slug`` names it in the demo data."""

    kind: str
    label: str
    slug: str


@dataclass(frozen=True)
class Stage:
    state: str
    label: str
    body_kind: str
    decided_by: str
    applies: Callable  # proposal -> bool
    why: str


@dataclass(frozen=True)
class FeeRule:
    """A fee review that must be signed off before final approval: which proposals need it, as a
    Python predicate (for one proposal) and as a query (for queues); both say the same thing."""

    applies: Callable  # proposal -> bool
    q: Callable  # () -> Q
    why: str


@dataclass(frozen=True)
class TranscriptRule:
    """Which awards reach the registrar: ``applies(credit_bearing=..., enrolled=...)``. Records of
    learners without a student ID are kept too, flagged, whatever the rule."""

    applies: Callable
    why: str


@dataclass(frozen=True)
class DemoOrganisation:
    """Units for the demo site: (code, name, kind, parent code), parents first, and the codes of the
    department where the demo faculty work and of its school."""

    units: tuple
    home_department: str
    home_school: str


@dataclass(frozen=True)
class PolicyProfile:
    key: str
    name: str
    institution: str
    policy_title: str
    # The office that runs the pipeline, consults on drafts and publishes approved credentials.
    office_name: str
    office_body: str
    bodies: tuple[Body, ...]
    stages: tuple[Stage, ...]
    # Submission rules (codes of ``proposals.rules.RULES``) and the sentence of this policy each rests on.
    rules: Mapping[str, str]
    demo: DemoOrganisation
    fee_review: FeeRule | None = None
    outcomes_intro: str = "Student learning outcomes (SLOs), each tied to the competencies it develops."
    # Who evaluates learners' evidence and awards: the proposing unit's program evaluators, or the
    # office centrally (with the sentence that says so).
    awarded_centrally: str = ""
    transcript_rule: TranscriptRule | None = None

    def body_label(self, kind):
        return BodyKind.label(kind)

    def body(self, kind):
        return next((b for b in self.bodies if b.kind == kind), None)

    @property
    def office_stage(self):
        """The stage at which the office (or its committee) decides: the last word before approval."""
        return next((s for s in self.stages if s.body_kind == self.office_body), None)

    def enforces(self, rule_code):
        return rule_code in self.rules


PROFILES: dict[str, PolicyProfile] = {}


def register_profile(profile):
    """Add a policy profile (a university's policy as data). Registering the same key replaces it."""
    PROFILES[profile.key] = profile
    return profile


# The profile used when MICROCRED_POLICY is not set.
DEFAULT_PROFILE = "binghamton"


def active_key():
    return settings.MICROCRED_POLICY or DEFAULT_PROFILE


def active_profile() -> PolicyProfile:
    return PROFILES[active_key()]


def profile_choices():
    return [("", "Every profile"), *((p.key, p.name) for p in PROFILES.values())]


# --- states -------------------------------------------------------------------------------------


class _States(type):
    """The review stages are the union of every profile's stages, so a new profile brings its own."""

    @property
    def REVIEW_STAGES(cls):
        seen = []
        for profile in PROFILES.values():
            seen.extend(s.state for s in profile.stages if s.state not in seen)
        return tuple(seen)

    @property
    def WITHDRAWABLE(cls):
        # Authors may withdraw at any stage before approval.
        return (cls.DRAFT, cls.RETURNED, *cls.REVIEW_STAGES)

    @property
    def choices(cls):
        stages = [(state, cls.label(state)) for state in cls.REVIEW_STAGES]
        return [cls.LIFECYCLE[0], *stages, *cls.LIFECYCLE[1:]]


class State(metaclass=_States):
    """States of a proposal's approval workflow. The lifecycle states are fixed; the review stages
    between submission and approval come from the profiles (the constants below name the stages
    of the two profiles shipped, as the policies name them)."""

    DRAFT = "draft"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETIRED = "retired"
    RETURNED = "returned"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    UNIT_REVIEW = "unit_review"
    GRADUATE_COUNCIL = "graduate_council"
    EPPC = "eppc"
    FSEC = "fsec"
    OFFICE_REVIEW = "office_review"
    FSCC = "fscc"
    ASA_REVIEW = "asa_review"

    LIFECYCLE = (
        (DRAFT, "Draft"),
        (APPROVED, "Approved"),
        (PUBLISHED, "Published"),
        (RETIRED, "Retired"),
        (RETURNED, "Returned for revision"),
        (REJECTED, "Rejected"),
        (WITHDRAWN, "Withdrawn"),
    )
    # Authors may edit only in these states.
    EDITABLE = (DRAFT, RETURNED)
    # A revision of a published micro-credential is open until it ends in one of these (retired:
    # after it has replaced the published one); only one may be open at a time.
    REVISION_ENDED = (REJECTED, WITHDRAWN, RETIRED)

    @classmethod
    def label(cls, value):
        for state, label in cls.LIFECYCLE:
            if state == value:
                return label
        for profile in PROFILES.values():
            for stage in profile.stages:
                if stage.state == value:
                    return stage.label
        return value


def state_choices():
    """Choices of the proposal's state field: lifecycle states and every profile's stages."""
    return State.choices


class _BodyKinds(type):
    @property
    def choices(cls):
        kinds = [(cls.UNIT_COMMITTEE, "Unit curriculum committee")]
        for profile in PROFILES.values():
            kinds.extend((b.kind, b.label) for b in profile.bodies if b.kind not in dict(kinds))
        return kinds


class BodyKind(metaclass=_BodyKinds):
    """Kinds of review body: unit curriculum committees (every profile) and the university-wide
    bodies each profile names."""

    UNIT_COMMITTEE = "unit_committee"
    OFFICE_COMMITTEE = "office_committee"
    GRADUATE_COUNCIL = "graduate_council"
    EPPC = "eppc"
    FSEC = "fsec"
    FSCC = "fscc"
    ASA = "asa"

    @classmethod
    def label(cls, kind):
        return dict(cls.choices).get(kind, kind)


def body_kind_choices():
    return BodyKind.choices


# --- conditions a stage applies under ----------------------------------------------------------


def always(proposal):
    return True


def credit_bearing(proposal):
    return proposal.kind == Kind.CREDIT_BEARING


def credit_bearing_graduate(proposal):
    return proposal.kind == Kind.CREDIT_BEARING and proposal.level == Level.GRADUATE


def needs_curriculum_approval(proposal):
    """A new course or program, or micro-credentials designed to stack into academic credit, need
    the regular curriculum approval first."""
    return (
        proposal.requires_new_program
        or proposal.stacks_for_credit
        or any(c.is_new for c in proposal.courses.all())
    )


def charges_additional_fees(proposal):
    return proposal.kind == Kind.CREDIT_BEARING and bool(proposal.fee_amount)


def charges_additional_fees_q():
    return Q(kind=Kind.CREDIT_BEARING, fee_amount__gt=0)


# --- the two profiles shipped ------------------------------------------------------------------

B_NACE = "“Each micro-credential has a demonstrated relationship to at least one the NACE competencies”"
B_DOCS = (
    "“Supporting documentation for proposal approval includes demonstration of a clear purpose and "
    "benefit, articulation of NACE learning objectives, evidence of importance to employers, clear links "
    "between the learning outcomes and learning activities and plans for assessment of the learning "
    "evidence for the digital badge.”"
)
B_RESPONSIBLE = (
    "“Proposing departments and programs are responsible for establishing criteria for the "
    "micro-credentials, advising students, tracking progress, qualifying instructors, and evaluating "
    "evidence for badges”"
)
B_CREDITS = "“Credit-bearing micro-credentials have a maximum size of 12 credits and normally involve at least two courses”"

register_profile(
    PolicyProfile(
        key="binghamton",
        name="Binghamton",
        institution="Binghamton University",
        policy_title="Binghamton University Micro-Credential Policy",
        # "Help in developing strong proposals will be offered by an Office of Micro-Credentials"
        office_name="Office of Micro-Credentials",
        office_body=BodyKind.OFFICE_COMMITTEE,
        bodies=(
            Body(BodyKind.GRADUATE_COUNCIL, "Graduate Council", "gc"),
            Body(BodyKind.EPPC, "Faculty Senate EPPC", "eppc"),
            Body(BodyKind.FSEC, "Faculty Senate Executive Committee (FSEC)", "fsec"),
            # "A committee of faculty and instructional design professionals will review proposals"
            Body(BodyKind.OFFICE_COMMITTEE, "Office of Micro-Credentials review committee", "omc"),
        ),
        stages=(
            Stage(
                State.UNIT_REVIEW,
                "Unit review",
                BodyKind.UNIT_COMMITTEE,
                DECISION,
                always,
                "“proposals that have successfully gone through the regular School, College or unit "
                "curriculum approval procedures”",
            ),
            Stage(
                State.GRADUATE_COUNCIL,
                "Graduate Council review",
                BodyKind.GRADUATE_COUNCIL,
                VOTE,
                credit_bearing_graduate,
                "“review by the Graduate Council (if at the graduate level)”",
            ),
            Stage(
                State.EPPC,
                "EPPC review",
                BodyKind.EPPC,
                VOTE,
                credit_bearing,
                "“the Faculty Senate process for internally approved items (EPPC and FSEC review)”",
            ),
            Stage(
                State.FSEC,
                "FSEC review",
                BodyKind.FSEC,
                VOTE,
                credit_bearing,
                "“the Faculty Senate process for internally approved items (EPPC and FSEC review)”",
            ),
            Stage(
                State.OFFICE_REVIEW,
                "Office of Micro-Credentials committee review",
                BodyKind.OFFICE_COMMITTEE,
                VOTE,
                always,
                "“Both types of micro-credentials go through review processes before submission to the "
                "Office of Micro-Credentials for an approval process that involves faculty”",
            ),
        ),
        rules={
            "title": "“Only programs approved by this policy are authorized to use the Binghamton University badge.”",
            "summary": B_DOCS,
            "purpose": B_DOCS,
            "target_learners": "“preparing students for the workforce … supporting life-long learning "
            "opportunities for professionals”",
            "non_matriculated_terms": "“non-matriculated students can participate in credit-bearing "
            "micro-credentials at the discretion of and according to the policies of the originating units”",
            "employer_evidence": B_DOCS,
            "nace_competency": B_NACE,
            "outcome": B_DOCS,
            "outcome_competency": B_DOCS,
            "outcome_activity": B_DOCS,
            "outcome_assessment": B_DOCS,
            "credits_stated": "“Credit-bearing micro-credentials consist of completion of coursework”",
            "credits_max": B_CREDITS,
            "credits_sum": "“consist of completion of coursework – generally at least two courses but not "
            "more than 12 credits”",
            "two_courses": B_CREDITS,
            "evidence_plan": B_DOCS,
            "evidence_evaluators": B_RESPONSIBLE,
            "evidence_criteria": B_RESPONSIBLE,
            "fee_statement": "“Fees for non-credit bearing micro-credentials must be included in the "
            "proposal submitted to the Office of Micro-Credentials.”",
            "implementation": B_RESPONSIBLE,
            "badge_only": "“issuance and design of micro-credentials that may stack toward larger "
            "certificates and degrees will be determined after the basic policy is approved”",
        },
        # "Any additional fees beyond tuition associated with credit-bearing micro-credentials are
        # subject to the normal fee review processes"
        fee_review=FeeRule(
            charges_additional_fees,
            charges_additional_fees_q,
            "“Any additional fees beyond tuition associated with credit-bearing micro-credentials are "
            "subject to the normal fee review processes.”",
        ),
        transcript_rule=TranscriptRule(
            lambda *, credit_bearing, enrolled: credit_bearing,
            "“Credit-bearing micro-credentials appear on a student's transcript”; “The micro-credentials "
            "will be transcribed.”",
        ),
        demo=DemoOrganisation(
            units=(
                ("binghamton", "Binghamton University", "university", None),
                ("harpur", "Harpur College of Arts and Sciences", "school", "binghamton"),
                (
                    "watson",
                    "Thomas J. Watson College of Engineering and Applied Science",
                    "school",
                    "binghamton",
                ),
                ("som", "School of Management", "school", "binghamton"),
                ("cs", "Department of Computer Science", "department", "watson"),
                ("english", "Department of English", "department", "harpur"),
                ("clt", "Center for Learning and Teaching", "centre", "binghamton"),
            ),
            home_department="cs",
            home_school="watson",
        ),
    )
)

F_ASSESSED = (
    "“Assessed: All approved micro-credentials must have student learning outcomes (SLOs) and program "
    "outcomes (POs) associated with them.”"
)
F_COMPETENCY = (
    "“Competency-based micro-credentials signal that a learner has demonstrated the specified knowledge, "
    "skills, and abilities at an appropriate level of rigor, aligned to appropriate assessments.”"
)

register_profile(
    PolicyProfile(
        key="fiu",
        name="FIU",
        institution="Florida International University",
        policy_title="FIU Policy 380.104, Development and Issuance of Micro-Credentials",
        # "ASA is responsible for the oversight, including planning, approval and awarding"
        office_name="Academic and Student Affairs",
        office_body=BodyKind.ASA,
        bodies=(
            Body(BodyKind.FSCC, "Faculty Senate Curriculum Committee", "fscc"),
            Body(BodyKind.ASA, "Academic and Student Affairs", "asa"),
        ),
        stages=(
            Stage(
                State.UNIT_REVIEW,
                "Unit review",
                BodyKind.UNIT_COMMITTEE,
                DECISION,
                always,
                "“Micro-credentials aligned to an existing program, course, or experience will be "
                "developed by the unit in consultation with ASA”",
            ),
            Stage(
                State.FSCC,
                "Faculty Senate Curriculum Committee review",
                BodyKind.FSCC,
                VOTE,
                needs_curriculum_approval,
                "“would traditionally require approval through the Faculty Senate Curriculum Committee, "
                "must still follow that approval process … This process applies to any micro-credentials "
                "that are designed to be stacked together to award academic credit”",
            ),
            Stage(
                State.ASA_REVIEW,
                "Academic and Student Affairs review",
                BodyKind.ASA,
                DECISION,
                always,
                "“ASA is responsible for the oversight, including planning, approval and awarding”",
            ),
        ),
        rules={
            "title": "“Micro-credentials are digital representations of specific competencies”",
            "summary": "“Badges are guided by a competency statement and linked to student learning "
            "outcomes that can be assessed.”",
            "purpose": "“micro-credentials that document learner achievement in competencies needed for "
            "post-graduate success, re-skilling, or up-skilling”",
            "target_learners": "“Micro-certificates can be offered to undergraduate and graduate students, "
            "as well as to non-enrolled learners.”",
            "employer_evidence": "“Proposed micro-credentials must align to competencies required for "
            "learners to be successful in the workplace and/or in a post-graduate degree.”",
            "competency": "“Competency-based: Competencies are discrete sets of knowledge, skills, and "
            "abilities.”",
            "outcome": F_ASSESSED,
            "program_outcome": F_ASSESSED,
            "outcome_competency": F_COMPETENCY,
            "outcome_assessment": F_COMPETENCY,
            "evidence_plan": "“will be developed by the unit in consultation with ASA and must include "
            "appropriate assessment requirements”",
            "evidence_criteria": "“Once the competencies are met, the badge can be issued.”",
            "reflection": "“All micro-credentials must have a culminating reflective experience that "
            "requires the learner to reflect on the micro-credential pathway”",
            "asa_consultation": "“Rigorous: In consultation with Academic and Student Affairs, the "
            "appropriate level of rigor will be determined based on the nature of the proposed "
            "micro-credential.”",
            "components": "“A micro-certificate is a collection of related micro-credentials that are "
            "related to a specific theme or meta-competency.”",
        },
        outcomes_intro=(
            "Student learning outcomes (SLOs) and program outcomes (POs), each tied to the competencies "
            "it develops."
        ),
        awarded_centrally="“Micro-credentials will be awarded centrally to ensure quality assurance.”",
        # Every award to an enrolled student is kept (credit-bearing ones with their credits);
        # non-enrolled learners' records are kept too, flagged as having no student ID.
        transcript_rule=TranscriptRule(
            lambda *, credit_bearing, enrolled: True,
            "“ASA collaborates with the Office of the Registrar for student micro-credential records to be "
            "maintained.”",
        ),
        demo=DemoOrganisation(
            units=(
                ("fiu", "Florida International University", "university", None),
                ("cec", "College of Engineering and Computing", "school", "fiu"),
                ("business", "College of Business", "school", "fiu"),
                (
                    "scis",
                    "Knight Foundation School of Computing and Information Sciences",
                    "department",
                    "cec",
                ),
                ("marketing", "Department of Marketing and Logistics", "department", "business"),
                ("asa-office", "Academic and Student Affairs", "office", "fiu"),
            ),
            home_department="scis",
            home_school="cec",
        ),
    )
)


def validate_profiles(profiles=None):
    """Refuse to start with a profile that could let a proposal through unchecked: an unknown
    active profile, no rule list, an unknown rule, a stage of an unknown body or an office that is
    not one of its bodies. Called when the proposals app starts."""
    from .rules import RULES

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
        if profile.office_body not in kinds or profile.office_stage is None:
            raise ImproperlyConfigured(f"{where}: its office must decide one of its stages.")


# --- routing ------------------------------------------------------------------------------------


def _profile(profile_key=None):
    return PROFILES[profile_key] if profile_key else active_profile()


def route(proposal, profile_key=None):
    """The stages this proposal goes through under the profile, in order."""
    return [stage for stage in _profile(profile_key).stages if stage.applies(proposal)]


def stage_for(state, profile_key=None):
    return next((s for s in _profile(profile_key).stages if s.state == state), None)


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


def passed_stages(keys, approvals):
    """The stages that approved this proposal on the route it has now.

    ``approvals`` are (state, route keys then) pairs, one per stage approval on record. An approval
    stands only if the route up to and including that stage was the same then as now: a body
    approves what it saw, including which bodies had approved before it.
    """
    states = [key.split(":")[0] for key in keys]
    passed = set()
    for state, keys_then in approvals:
        if state not in states:
            continue
        states_then = [key.split(":")[0] for key in keys_then]
        if state not in states_then:
            continue
        upto, upto_then = states.index(state) + 1, states_then.index(state) + 1
        if list(keys_then[:upto_then]) == keys[:upto]:
            passed.add(state)
    return passed


def resume_at(proposal, approvals):
    """Where a submission goes: (the stage, why it goes there).

    A first submission starts the route. A resubmission after a return resumes at the stage that
    returned it if that stage still applies and no earlier stage that now applies has been skipped;
    otherwise it goes to the earliest applicable stage that has not approved this route.
    """
    stages = route(proposal)
    first = stages[0]
    returned = proposal.returned_from
    if not returned:
        return first, ""
    keys = route_keys(proposal, stages)
    passed = passed_stages(keys, approvals) - {returned}
    pending = [s for s in stages if s.state not in passed]
    if not pending:
        last = stages[-1]
        return last, f"Every stage of its route had approved it before; {last.label} decides again."
    target = pending[0]
    returned_label = State.label(returned)
    if target.state == returned:
        return target, f"It goes back to {target.label}, which returned it."
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
    rule = _profile(profile_key).fee_review
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
