"""What a policy profile is made of, and the registry of profiles.

A profile (``PolicyProfile``) is one university's policy as data: its review bodies, its approval
route (the stages, each with the condition under which it applies and who decides it), its
submission rules with the sentence of its policy each rests on, its fee rule, its transcript rule
and its labels. Each profile is a module of this package that registers itself here.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.conf import settings

from .parts import EVERYTHING

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
    """A stage of a profile's route: the state a proposal is in while the body of ``body_kind``
    reviews it, who decides (``DECISION`` or ``VOTE``), the condition under which the stage applies
    (``applies(proposal)``) and the sentence of the policy it comes from; and the parts of the
    proposal its body reviews (``parts.PARTS``), with the reason: its approval stands only while
    those parts are as the body saw them."""

    state: str
    label: str
    body_kind: str
    decided_by: str
    applies: Callable  # proposal -> bool
    why: str
    # A stage that does not say reviews everything: any change sends the proposal back to it.
    reviews: tuple[str, ...] = EVERYTHING
    reviews_why: str = ""


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
    # The submission rules this profile enforces, in the order their problems are listed: the code of
    # each rule (``policy.rules.RULES``) and the sentence of this policy it rests on.
    rules: Mapping[str, str]
    fee_review: FeeRule | None = None
    outcomes_intro: str = "Student learning outcomes (SLOs), each tied to the competencies it develops."
    # Who evaluates learners' evidence and awards: the proposing unit's program evaluators, or the
    # office centrally (with the sentence that says so).
    awarded_centrally: str = ""
    transcript_rule: TranscriptRule | None = None

    def body_label(self, kind):
        # The kinds' labels are the union of every profile's bodies (``states``, which reads this
        # registry): imported here, when asked, rather than at the top.
        from .states import BodyKind

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


def proposal_profile_choices():
    """Choices of the profile a proposal was submitted under (blank: a draft never submitted)."""
    return [(p.key, p.name) for p in PROFILES.values()]
