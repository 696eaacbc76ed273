"""What a proposal must say before it can be submitted: the machinery, and the rules both policies
state.

A rule is one entry: its code, the section and field its problems are shown beside, what it asks
for, and its check. A profile lists the rules it enforces, each citing the sentence of its own
policy (``rule.cited(sentence)`` in ``rule_list``): a rule the two policies both state is defined
once below and listed by both; a rule of one policy only is written in that profile's module. A
rule no profile cites is never applied, and a profile with no rule list does not start.
``check_proposal`` runs the active profile's rules; the submit transition's condition, the section
forms and the tests all use it.

Drafts are never checked: they may be saved in any state of completion.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from itertools import groupby

from django.core.exceptions import ImproperlyConfigured

from core import hooks

from ..choices import OutcomeKind
from .types import PROFILES, active_profile


@dataclass(frozen=True)
class Problem:
    section: str
    field: str
    message: str
    cites: str
    part: int | None = None  # the id of the course / outcome the problem is about, if any

    @property
    def key(self):
        return f"{self.field}-{self.part}" if self.part else self.field


@dataclass(frozen=True)
class Rule:
    """A submission rule. ``check(reading)`` yields one message per problem it finds in the
    proposal (``Reading``); a rule about each outcome (``each_outcome``) is checked outcome by
    outcome instead, ``check(outcome, label)``, its problems naming the outcome."""

    code: str
    section: str
    field: str
    what: str
    check: Callable
    each_outcome: bool = False

    @property
    def profiles(self):
        """The profiles that enforce this rule, each citing its own policy sentence."""
        return {key: p.rules[self.code] for key, p in PROFILES.items() if self.code in p.rules}

    def cited(self, sentence):
        """This rule as a profile states it: with the sentence of its policy that it rests on."""
        return Cited(self, sentence)

    def problem(self, message, cites, part=None):
        return Problem(self.section, self.field, message, cites, part)


@dataclass(frozen=True)
class Cited:
    """An entry of a profile's rule list: the rule, and the sentence of the profile's policy it cites."""

    rule: Rule
    sentence: str


# Every rule a profile can cite, by code: the shared ones below and those the profiles' modules bring.
RULES: dict[str, Rule] = {}


def define(rule):
    """Make the rule known by its code; a code names one rule only."""
    if RULES.setdefault(rule.code, rule) is not rule:
        raise ImproperlyConfigured(f"Two submission rules are named {rule.code!r}.")
    return rule


def rule_list(*cited):
    """A profile's rule list from its cited rules, in the order their problems are listed: the code
    of each rule and the sentence it cites (``PolicyProfile.rules``)."""
    for entry in cited:
        define(entry.rule)
    return {entry.rule.code: entry.sentence for entry in cited}


class Reading:
    """The proposal as the rules read it in one check: each list of parts is read once, through the
    prefetch cache when the caller has prefetched them (``selectors.prefetched``), so that the
    number of queries does not grow with the parts."""

    def __init__(self, proposal, profile):
        self.proposal = proposal
        self.profile = profile

    @cached_property
    def competencies(self):
        return list(self.proposal.competencies.all())

    @cached_property
    def outcomes(self):
        return list(self.proposal.outcomes.all())

    @cached_property
    def courses(self):
        return list(self.proposal.courses.all())

    @cached_property
    def co_sponsors(self):
        return [u for u in self.proposal.co_sponsors.all() if u.pk != self.proposal.unit_id]


def check_proposal(proposal, profile_key=None, only=None):
    """Every problem that stands between this proposal and submission under the profile, in the
    order of the profile's rule list. Only the rules the profile cites are applied (``only``: those
    of them whose codes are given), each problem carrying the profile's sentence."""
    profile = PROFILES[profile_key] if profile_key else active_profile()
    reading = Reading(proposal, profile)
    cited = [
        (RULES[code], sentence) for code, sentence in profile.rules.items() if only is None or code in only
    ]
    problems = []
    # Rules about each outcome that follow one another are applied outcome by outcome, so that the
    # problems of one outcome are listed together.
    for each_outcome, run in groupby(cited, key=lambda entry: entry[0].each_outcome):
        run = list(run)
        if not each_outcome:
            problems += [rule.problem(m, cites) for rule, cites in run for m in rule.check(reading)]
            continue
        for number, outcome in enumerate(reading.outcomes, start=1):
            label = f"Outcome {number}"
            for rule, cites in run:
                problems += [rule.problem(m, cites, outcome.pk) for m in rule.check(outcome, label)]
    return problems


# --- checks --------------------------------------------------------------------------------------


def blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def required(*fields, message):
    """A check that the proposal's fields are all filled in (spaces are no answer)."""

    def check(reading):
        if any(blank(getattr(reading.proposal, name)) for name in fields):
            yield message

    return check


def _has_a_learning_outcome(reading):
    if not [o for o in reading.outcomes if o.kind == OutcomeKind.SLO]:
        yield "Add at least one student learning outcome (SLO)."


def _tied_to_a_competency(outcome, label):
    if not list(outcome.competencies.all()):
        yield f"{label} is not tied to a competency."


def _linked_to_an_assessment(outcome, label):
    if not list(outcome.assessments.all()):
        yield f"{label} is not linked to an assessment."


def _sponsors_have_a_committee(reading):
    """Each sponsoring unit's curriculum committee approves at unit review: a unit with none (of its
    own or above it) would hold the proposal there for ever. Who reviews is the review app's to say
    (``core.hooks.UNITS_WITHOUT_COMMITTEE``); without it nothing is checked."""
    p = reading.proposal
    sponsors = [p.unit, *reading.co_sponsors]
    missing = {
        u.pk for reader in hooks.implementations(hooks.UNITS_WITHOUT_COMMITTEE) for u in reader(sponsors)
    }
    office = reading.profile.office_name
    for unit in sponsors:
        if unit.pk not in missing:
            continue
        if unit.pk == p.unit_id:
            yield (
                f"{unit.name}, the originating unit, has no curriculum committee (of its own or of a unit "
                f"above it) to approve the proposal at unit review: ask {office} to have one set up."
            )
        else:
            yield (
                f"{unit.name} has no curriculum committee (of its own or of a unit above it) to approve "
                f"the proposal at unit review, which could then never complete: remove it from the "
                f"co-sponsoring units, or ask {office} to have its committee set up."
            )


# --- the rules both policies state ---------------------------------------------------------------

TITLE = define(
    Rule(
        "title", "basics", "title", "a title", required("title", message="Give the micro-credential a title.")
    )
)
SUMMARY = define(
    Rule(
        "summary",
        "basics",
        "summary",
        "a short summary (the competency statement)",
        required("summary", message="Write a short summary of the micro-credential."),
    )
)
SPONSORS_COMMITTEE = define(
    Rule(
        "sponsors_committee",
        "basics",
        "co_sponsors",
        "every sponsoring unit (originating and co-sponsoring) has a curriculum committee to approve it",
        _sponsors_have_a_committee,
    )
)
PURPOSE = define(
    Rule(
        "purpose",
        "purpose",
        "purpose",
        "purpose and benefit",
        required("purpose", message="Say what the micro-credential is for and how learners benefit."),
    )
)
TARGET_LEARNERS = define(
    Rule(
        "target_learners",
        "purpose",
        "target_learners",
        "who it is for",
        required("target_learners", message="Say who the micro-credential is for."),
    )
)
EMPLOYER_EVIDENCE = define(
    Rule(
        "employer_evidence",
        "purpose",
        "employer_evidence",
        "evidence of importance to employers",
        required(
            "employer_evidence",
            message="Give the evidence that employers value what this micro-credential shows.",
        ),
    )
)
OUTCOME = define(
    Rule("outcome", "outcomes", "outcomes", "at least one student learning outcome", _has_a_learning_outcome)
)
OUTCOME_COMPETENCY = define(
    Rule(
        "outcome_competency",
        "outcomes",
        "outcomes",
        "every outcome tied to a competency",
        _tied_to_a_competency,
        each_outcome=True,
    )
)
OUTCOME_ASSESSMENT = define(
    Rule(
        "outcome_assessment",
        "alignment",
        "alignment",
        "every outcome linked to an assessment",
        _linked_to_an_assessment,
        each_outcome=True,
    )
)
EVIDENCE_PLAN = define(
    Rule(
        "evidence_plan",
        "evidence",
        "evidence_submission",
        "what learners submit as evidence",
        required("evidence_submission", message="Say what learners submit as evidence for the badge."),
    )
)
EVIDENCE_CRITERIA = define(
    Rule(
        "evidence_criteria",
        "evidence",
        "evidence_criteria",
        "criteria for accepting the evidence",
        required("evidence_criteria", message="Give the criteria for accepting the evidence."),
    )
)
