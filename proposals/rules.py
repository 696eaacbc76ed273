"""What a proposal must say before it can be submitted: every rule once, as data.

Each rule names the profiles it applies to, the section and field it is shown beside, and the
sentence of the policy it comes from. ``check_proposal`` runs them; the submit service, the
transition condition, the section forms and the tests all use it.

Drafts are never checked: they may be saved in any state of completion.
"""

from dataclasses import dataclass
from decimal import Decimal

from .policy import active_profile

BINGHAMTON = "binghamton"
FIU = "fiu"
BOTH = (BINGHAMTON, FIU)

# The Binghamton motion: "Credit-bearing micro-credentials have a maximum size of 12 credits".
MAX_CREDITS = Decimal(12)
# "...and normally involve at least two courses".
MIN_COURSES = 2
# FIU: "A micro-certificate is a collection of related micro-credentials".
MIN_COMPONENTS = 2


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
    profiles: tuple
    section: str
    field: str
    cites: str

    def problem(self, message, part=None):
        return Problem(self.section, self.field, message, self.cites, part)


B = "Binghamton: "
F = "FIU 380.104: "

# fmt: off
RULES = {r.code: r for r in [
    Rule("title", BOTH, "basics", "title", "Every proposal needs a title."),
    Rule("summary", BOTH, "basics", "summary",
         B + "Supporting documentation for proposal approval includes demonstration of a clear purpose"),
    Rule("purpose", BOTH, "purpose", "purpose",
         B + "Supporting documentation for proposal approval includes demonstration of a clear purpose and "
         "benefit"),
    Rule("target_learners", BOTH, "purpose", "target_learners",
         F + "Micro-certificates can be offered to undergraduate and graduate students, as well as to "
         "non-enrolled learners."),
    Rule("non_matriculated_terms", BOTH, "purpose", "non_matriculated_terms",
         B + "non-matriculated students can participate in credit-bearing micro-credentials at the discretion "
         "of and according to the policies of the originating units"),
    Rule("employer_evidence", BOTH, "purpose", "employer_evidence",
         B + "evidence of importance to employers; " + F + "Aligned to Industry/Post-Graduation needs"),
    Rule("competency", BOTH, "outcomes", "competencies",
         B + "Each micro-credential has a demonstrated relationship to at least one the NACE competencies; "
         + F + "Competency-based"),
    Rule("outcome", BOTH, "outcomes", "outcomes",
         B + "articulation of NACE learning objectives; " + F + "All approved micro-credentials must have "
         "student learning outcomes (SLOs)"),
    Rule("program_outcome", (FIU,), "outcomes", "outcomes",
         F + "must have student learning outcomes (SLOs) and program outcomes (POs) associated with them"),
    Rule("outcome_competency", BOTH, "outcomes", "outcomes",
         F + "Competency-based micro-credentials signal that a learner has demonstrated the specified "
         "knowledge, skills, and abilities"),
    Rule("outcome_activity", BOTH, "alignment", "alignment",
         B + "clear links between the learning outcomes and learning activities"),
    Rule("outcome_assessment", BOTH, "alignment", "alignment",
         F + "aligned to appropriate assessments; " + B + "plans for assessment of the learning evidence"),
    Rule("credits_stated", BOTH, "courses", "total_credits",
         B + "Credit-bearing micro-credentials consist of completion of coursework"),
    Rule("credits_max", BOTH, "courses", "total_credits",
         B + "Credit-bearing micro-credentials have a maximum size of 12 credits"),
    Rule("credits_sum", BOTH, "courses", "courses",
         B + "consist of completion of coursework – generally at least two courses but not more than 12 "
         "credits"),
    Rule("two_courses", BOTH, "courses", "fewer_courses_justification",
         B + "normally involve at least two courses"),
    Rule("evidence_plan", BOTH, "evidence", "evidence_submission",
         B + "plans for assessment of the learning evidence for the digital badge"),
    Rule("evidence_evaluators", BOTH, "evidence", "evidence_evaluators",
         B + "Proposing departments and programs are responsible for ... evaluating evidence for badges"),
    Rule("evidence_criteria", BOTH, "evidence", "evidence_criteria",
         B + "Proposing departments and programs are responsible for establishing criteria for the "
         "micro-credentials"),
    Rule("reflection", (FIU,), "evidence", "reflective_experience",
         F + "All micro-credentials must have a culminating reflective experience"),
    Rule("fee_statement", BOTH, "fees", "fee_amount",
         B + "Fees for non-credit bearing micro-credentials must be included in the proposal"),
    Rule("implementation", (BINGHAMTON,), "implementation", "advising_plan",
         B + "Proposing departments and programs are responsible for ... advising students, tracking "
         "progress, qualifying instructors"),
    Rule("components", BOTH, "implementation", "components",
         F + "A micro-certificate is a collection of related micro-credentials"),
]}
# fmt: on


def credits(value):
    """6.0 -> "6", 12.5 -> "12.5"."""
    return f"{Decimal(value).normalize():f}"


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def check_proposal(proposal, profile_key=None):
    """Every problem that stands between this proposal and submission, in section order.

    Reads the proposal's parts through the prefetch cache when the caller has prefetched them
    (``selectors.proposal_for_page``), so the number of queries does not grow with the parts.
    """
    profile_key = profile_key or active_profile().key
    problems = []

    def fail(code, message, part=None):
        rule = RULES[code]
        if profile_key in rule.profiles:
            problems.append(rule.problem(message, part))

    p = proposal
    if _blank(p.title):
        fail("title", "Give the micro-credential a title.")
    if _blank(p.summary):
        fail("summary", "Write a short summary of the micro-credential.")
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
        fail("competency", "Choose at least one NACE career-readiness competency.")
    slos = [o for o in outcomes if o.kind == "slo"]
    if not slos:
        fail("outcome", "Add at least one student learning outcome (SLO).")
    if not [o for o in outcomes if o.kind == "po"]:
        fail("program_outcome", "Add at least one program outcome (PO).")
    for number, outcome in enumerate(outcomes, start=1):
        label = f"Outcome {number}"
        if not list(outcome.competencies.all()):
            fail("outcome_competency", f"{label} is not tied to a competency.", outcome.pk)
        if not list(outcome.activities.all()):
            fail("outcome_activity", f"{label} is not linked to a learning activity.", outcome.pk)
        if not list(outcome.assessments.all()):
            fail("outcome_assessment", f"{label} is not linked to an assessment.", outcome.pk)

    if p.is_credit_bearing:
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
    if p.form == "micro_certificate" and len(list(p.components.all())) < MIN_COMPONENTS:
        fail(
            "components",
            f"A micro-certificate is made of at least {MIN_COMPONENTS} micro-credentials: "
            "choose its components.",
        )
    return problems
