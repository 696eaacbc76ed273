"""What a proposal must say before it can be submitted: every rule once, as data.

Each rule has a code, the section and field it is shown beside, and a check below. Which rules a
profile enforces, and the sentence of its policy that justifies each, is the profile's own list
(``PolicyProfile.rules`` in ``policy.py``): a rule no profile cites is never applied, and a profile
with no rule list does not start. ``check_proposal`` runs them; the submit transition's condition,
the section forms and the tests all use it.

Drafts are never checked: they may be saved in any state of completion.
"""

from dataclasses import dataclass
from decimal import Decimal

from .choices import Form, Kind, OutcomeKind
from .policy import PROFILES, State, active_profile

# The Binghamton motion: "Credit-bearing micro-credentials have a maximum size of 12 credits".
MAX_CREDITS = Decimal(12)
# "...and normally involve at least two courses".
MIN_COURSES = 2
# FIU: "A micro-certificate is a collection of related micro-credentials".
MIN_COMPONENTS = 2
NACE = "nace"


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
    code: str
    section: str
    field: str
    what: str

    @property
    def profiles(self):
        """The profiles that enforce this rule, each citing its own policy sentence."""
        return {key: p.rules[self.code] for key, p in PROFILES.items() if self.code in p.rules}


# fmt: off
RULES = {r.code: r for r in [
    Rule("title", "basics", "title", "a title"),
    Rule("summary", "basics", "summary", "a short summary (the competency statement)"),
    Rule("asa_consultation", "basics", "consultation",
         "a completed consultation with the office that records the level of rigor agreed"),
    Rule("badge_only", "basics", "form", "the form is a digital badge (no micro-certificates)"),
    Rule("purpose", "purpose", "purpose", "purpose and benefit"),
    Rule("target_learners", "purpose", "target_learners", "who it is for"),
    Rule("non_matriculated_terms", "purpose", "non_matriculated_terms",
         "terms for non-matriculated learners when they may join"),
    Rule("employer_evidence", "purpose", "employer_evidence", "evidence of importance to employers"),
    Rule("competency", "outcomes", "competencies", "at least one competency of any framework"),
    Rule("nace_competency", "outcomes", "competencies", "at least one NACE career-readiness competency"),
    Rule("outcome", "outcomes", "outcomes", "at least one student learning outcome"),
    Rule("program_outcome", "outcomes", "outcomes", "at least one program outcome"),
    Rule("outcome_competency", "outcomes", "outcomes", "every outcome tied to a competency"),
    Rule("outcome_activity", "alignment", "alignment", "every outcome linked to a learning activity"),
    Rule("outcome_assessment", "alignment", "alignment", "every outcome linked to an assessment"),
    Rule("credits_stated", "courses", "total_credits", "credit-bearing: total credits stated"),
    Rule("credits_max", "courses", "total_credits", "credit-bearing: at most 12 credits"),
    Rule("credits_sum", "courses", "courses", "credit-bearing: courses listed and adding up to the total"),
    Rule("two_courses", "courses", "fewer_courses_justification",
         "credit-bearing: two courses, or a justification for fewer"),
    Rule("evidence_plan", "evidence", "evidence_submission", "what learners submit as evidence"),
    Rule("evidence_evaluators", "evidence", "evidence_evaluators", "who evaluates the evidence"),
    Rule("evidence_criteria", "evidence", "evidence_criteria", "criteria for accepting the evidence"),
    Rule("reflection", "evidence", "reflective_experience", "a culminating reflective experience"),
    Rule("fee_statement", "fees", "fee_amount", "non-credit: the fee stated (0 is a statement)"),
    Rule("implementation", "implementation", "advising_plan",
         "who advises, how progress is tracked, how instructors are qualified"),
    Rule("components", "implementation", "components",
         "micro-certificate: a theme and at least two other published micro-credentials"),
]}
# fmt: on


def credits(value):
    """6.0 -> "6", 12.5 -> "12.5"."""
    return f"{Decimal(value).normalize():f}"


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def check_proposal(proposal, profile_key=None):
    """Every problem that stands between this proposal and submission under the profile, in section
    order. Only the rules the profile cites are applied, each problem carrying the profile's sentence.

    Reads the proposal's parts through the prefetch cache when the caller has prefetched them
    (``selectors.prefetched``), so the number of queries does not grow with the parts.
    """
    profile = PROFILES[profile_key] if profile_key else active_profile()
    problems = []

    def fail(code, message, part=None):
        if code in profile.rules:
            rule = RULES[code]
            problems.append(Problem(rule.section, rule.field, message, profile.rules[code], part))

    def wants(*codes):
        return any(code in profile.rules for code in codes)

    p = proposal
    if _blank(p.title):
        fail("title", "Give the micro-credential a title.")
    if _blank(p.summary):
        fail("summary", "Write a short summary of the micro-credential.")
    if wants("asa_consultation") and not any(c.is_completed for c in p.consultations.all()):
        fail(
            "asa_consultation",
            f"Ask {profile.office_name} for a consultation: the proposal can be submitted once its "
            "staff have completed it and recorded the level of rigor agreed.",
        )
    if p.form == Form.MICRO_CERTIFICATE:
        fail(
            "badge_only",
            f"{profile.name}'s policy leaves micro-credentials that stack toward larger certificates to "
            "be decided later: propose a digital badge.",
        )
    if _blank(p.purpose):
        fail("purpose", "Say what the micro-credential is for and how learners benefit.")
    if _blank(p.target_learners):
        fail("target_learners", "Say who the micro-credential is for.")
    if p.open_to_non_matriculated and _blank(p.non_matriculated_terms):
        fail("non_matriculated_terms", "Say how non-matriculated or non-enrolled learners may join.")
    if _blank(p.employer_evidence):
        fail("employer_evidence", "Give the evidence that employers value what this micro-credential shows.")

    competencies = list(p.competencies.all())
    outcomes = list(p.outcomes.all())
    if not competencies:
        fail("competency", "Choose at least one competency the micro-credential develops.")
    if not any(c.framework.slug == NACE for c in competencies):
        fail(
            "nace_competency",
            "Choose at least one NACE career-readiness competency. "
            "Competencies of other frameworks may be added beside it.",
        )
    if not [o for o in outcomes if o.kind == OutcomeKind.SLO]:
        fail("outcome", "Add at least one student learning outcome (SLO).")
    if not [o for o in outcomes if o.kind == OutcomeKind.PO]:
        fail("program_outcome", "Add at least one program outcome (PO).")
    for number, outcome in enumerate(outcomes, start=1):
        label = f"Outcome {number}"
        if not list(outcome.competencies.all()):
            fail("outcome_competency", f"{label} is not tied to a competency.", outcome.pk)
        if not list(outcome.activities.all()):
            fail("outcome_activity", f"{label} is not linked to a learning activity.", outcome.pk)
        if not list(outcome.assessments.all()):
            fail("outcome_assessment", f"{label} is not linked to an assessment.", outcome.pk)

    if p.kind == Kind.CREDIT_BEARING:
        _check_credits(p, fail)
    elif p.fee_amount is None:
        fail("fee_statement", "State the fee for this non-credit micro-credential (0 if it is free).")

    if _blank(p.evidence_submission):
        fail("evidence_plan", "Say what learners submit as evidence for the badge.")
    if _blank(p.evidence_evaluators):
        fail("evidence_evaluators", "Say who evaluates the learners' evidence.")
    if _blank(p.evidence_criteria):
        fail("evidence_criteria", "Give the criteria for accepting the evidence.")
    if _blank(p.reflective_experience):
        fail("reflection", "Describe the culminating reflective experience.")

    if _blank(p.advising_plan) or _blank(p.progress_tracking_plan) or _blank(p.instructor_qualification_plan):
        fail(
            "implementation",
            "Say who advises learners, how progress is tracked and how instructors are qualified.",
        )
    if p.form == Form.MICRO_CERTIFICATE:
        for message in _component_problems(p):
            fail("components", message)
    return problems


def _check_credits(p, fail):
    courses = list(p.courses.all())
    course_credits = sum((c.credits for c in courses), Decimal(0))
    if p.total_credits is None or p.total_credits <= 0:
        fail("credits_stated", "State the total number of credits.")
    elif p.total_credits > MAX_CREDITS:
        fail(
            "credits_max",
            f"A credit-bearing micro-credential may have at most {credits(MAX_CREDITS)} credits; "
            f"this one has {credits(p.total_credits)}.",
        )
    if p.total_credits is not None and courses and course_credits != p.total_credits:
        fail(
            "credits_sum",
            f"The courses add up to {credits(course_credits)} credits, but the total stated is "
            f"{credits(p.total_credits)}.",
        )
    if not courses:
        fail("credits_sum", "List the courses that make up the micro-credential.")
    if len(courses) < MIN_COURSES and _blank(p.fewer_courses_justification):
        fail(
            "two_courses",
            f"Credit-bearing micro-credentials normally have at least {MIN_COURSES} "
            "courses: add another course or justify why fewer are enough.",
        )


def _component_problems(p):
    """A micro-certificate collects at least two other published micro-credentials around a theme."""
    components = list(p.components.all())
    found = []
    if _blank(p.theme):
        found.append("Name the theme or meta-competency that relates the micro-certificate's components.")
    if any(c.pk == p.pk for c in components):
        found.append("A micro-certificate cannot be one of its own components.")
    unpublished = [c for c in components if c.pk != p.pk and c.state != State.PUBLISHED]
    if unpublished:
        names = ", ".join(f"“{c.title}”" for c in unpublished)
        found.append(f"Components must be published micro-credentials; not yet published: {names}.")
    if len([c for c in components if c.pk != p.pk]) < MIN_COMPONENTS:
        found.append(
            f"A micro-certificate is made of at least {MIN_COMPONENTS} other micro-credentials: "
            "choose its components."
        )
    return found
