"""Binghamton University's micro-credential policy as a profile: its bodies, its route, its
submission rules with their checks, its fee and transcript rules, each citing the policy.

Source: ``../shared/policies/000_12fd21f330511ec2.txt``.
"""

from decimal import Decimal

from ..choices import Form
from .conditions import (
    always,
    charges_additional_fees,
    charges_additional_fees_q,
    credit_bearing,
    credit_bearing_graduate,
)
from .parts import ACADEMIC, EVERYTHING
from .rules import (
    EMPLOYER_EVIDENCE,
    EVIDENCE_CRITERIA,
    EVIDENCE_PLAN,
    OUTCOME,
    OUTCOME_ASSESSMENT,
    OUTCOME_COMPETENCY,
    PURPOSE,
    SPONSORS_COMMITTEE,
    SUMMARY,
    TARGET_LEARNERS,
    TITLE,
    Rule,
    blank,
    required,
    rule_list,
)
from .states import BodyKind, State
from .types import DECISION, VOTE, Body, FeeRule, PolicyProfile, Stage, TranscriptRule, register_profile

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

# The Binghamton motion: "Credit-bearing micro-credentials have a maximum size of 12 credits".
MAX_CREDITS = Decimal(12)
# "...and normally involve at least two courses".
MIN_COURSES = 2
NACE = "nace"


def _credits(value):
    """6.0 -> "6", 12.5 -> "12.5"."""
    return f"{Decimal(value).normalize():f}"


# --- checks of the rules only this policy states -------------------------------------------------


def _digital_badges_only(reading):
    if reading.proposal.form == Form.MICRO_CERTIFICATE:
        yield (
            f"{reading.profile.name}'s policy leaves micro-credentials that stack toward larger certificates to "
            "be decided later: propose a digital badge."
        )


def _terms_for_non_matriculated(reading):
    p = reading.proposal
    if p.open_to_non_matriculated and blank(p.non_matriculated_terms):
        yield "Say how non-matriculated or non-enrolled learners may join."


def _a_nace_competency(reading):
    if not any(c.framework.slug == NACE for c in reading.competencies):
        yield (
            "Choose at least one NACE career-readiness competency. "
            "Competencies of other frameworks may be added beside it."
        )


def _linked_to_an_activity(outcome, label):
    if not list(outcome.activities.all()):
        yield f"{label} is not linked to a learning activity."


def _credits_stated(reading):
    p = reading.proposal
    if credit_bearing(p) and (p.total_credits is None or p.total_credits <= 0):
        yield "State the total number of credits."


def _at_most_max_credits(reading):
    p = reading.proposal
    if credit_bearing(p) and p.total_credits is not None and p.total_credits > MAX_CREDITS:
        yield (
            f"A credit-bearing micro-credential may have at most {_credits(MAX_CREDITS)} credits; "
            f"this one has {_credits(p.total_credits)}."
        )


def _courses_add_up(reading):
    p = reading.proposal
    if not credit_bearing(p):
        return
    courses = reading.courses
    course_credits = sum((c.credits for c in courses), Decimal(0))
    if p.total_credits is not None and courses and course_credits != p.total_credits:
        yield (
            f"The courses add up to {_credits(course_credits)} credits, but the total stated is "
            f"{_credits(p.total_credits)}."
        )
    if not courses:
        yield "List the courses that make up the micro-credential."


def _two_courses(reading):
    p = reading.proposal
    if credit_bearing(p) and len(reading.courses) < MIN_COURSES and blank(p.fewer_courses_justification):
        yield (
            f"Credit-bearing micro-credentials normally have at least {MIN_COURSES} "
            "courses: add another course or justify why fewer are enough."
        )


def _fee_stated(reading):
    p = reading.proposal
    if not credit_bearing(p) and p.fee_amount is None:
        yield "State the fee for this non-credit micro-credential (0 if it is free)."


# --- the profile ---------------------------------------------------------------------------------

# In the order their problems are listed.
SUBMISSION_RULES = rule_list(
    TITLE.cited(
        "“Only programs approved by this policy are authorized to use the Binghamton University badge.”"
    ),
    SUMMARY.cited(B_DOCS),
    Rule(
        "badge_only",
        "basics",
        "form",
        "the form is a digital badge (no micro-certificates)",
        _digital_badges_only,
    ).cited(
        "“issuance and design of micro-credentials that may stack toward larger certificates and degrees will "
        "be determined after the basic policy is approved”"
    ),
    SPONSORS_COMMITTEE.cited(
        "“A committee of faculty and instructional design professionals will review proposals that have "
        "successfully gone through the regular School, College or unit curriculum approval procedures.”"
    ),
    PURPOSE.cited(B_DOCS),
    TARGET_LEARNERS.cited(
        "“preparing students for the workforce … supporting life-long learning opportunities for professionals”"
    ),
    Rule(
        "non_matriculated_terms",
        "purpose",
        "non_matriculated_terms",
        "terms for non-matriculated learners when they may join",
        _terms_for_non_matriculated,
    ).cited(
        "“non-matriculated students can participate in credit-bearing micro-credentials at the discretion of "
        "and according to the policies of the originating units”"
    ),
    EMPLOYER_EVIDENCE.cited(B_DOCS),
    Rule(
        "nace_competency",
        "outcomes",
        "competencies",
        "at least one NACE career-readiness competency",
        _a_nace_competency,
    ).cited(B_NACE),
    OUTCOME.cited(B_DOCS),
    OUTCOME_COMPETENCY.cited(B_DOCS),
    Rule(
        "outcome_activity",
        "alignment",
        "alignment",
        "every outcome linked to a learning activity",
        _linked_to_an_activity,
        each_outcome=True,
    ).cited(B_DOCS),
    OUTCOME_ASSESSMENT.cited(B_DOCS),
    Rule(
        "credits_stated", "courses", "total_credits", "credit-bearing: total credits stated", _credits_stated
    ).cited("“Credit-bearing micro-credentials consist of completion of coursework”"),
    Rule(
        "credits_max", "courses", "total_credits", "credit-bearing: at most 12 credits", _at_most_max_credits
    ).cited(B_CREDITS),
    Rule(
        "credits_sum",
        "courses",
        "courses",
        "credit-bearing: courses listed and adding up to the total",
        _courses_add_up,
    ).cited(
        "“consist of completion of coursework – generally at least two courses but not more than 12 credits”"
    ),
    Rule(
        "two_courses",
        "courses",
        "fewer_courses_justification",
        "credit-bearing: two courses, or a justification for fewer",
        _two_courses,
    ).cited(B_CREDITS),
    Rule(
        "fee_statement", "fees", "fee_amount", "non-credit: the fee stated (0 is a statement)", _fee_stated
    ).cited(
        "“Fees for non-credit bearing micro-credentials must be included in the proposal submitted to the "
        "Office of Micro-Credentials.”"
    ),
    EVIDENCE_PLAN.cited(B_DOCS),
    Rule(
        "evidence_evaluators",
        "evidence",
        "evidence_evaluators",
        "who evaluates the evidence",
        required("evidence_evaluators", message="Say who evaluates the learners' evidence."),
    ).cited(B_RESPONSIBLE),
    EVIDENCE_CRITERIA.cited(B_RESPONSIBLE),
    Rule(
        "implementation",
        "implementation",
        "advising_plan",
        "who advises, how progress is tracked, how instructors are qualified",
        required(
            "advising_plan",
            "progress_tracking_plan",
            "instructor_qualification_plan",
            message="Say who advises learners, how progress is tracked and how instructors are qualified.",
        ),
    ).cited(B_RESPONSIBLE),
)

PROFILE = register_profile(
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
                reviews=ACADEMIC,
                reviews_why="A unit's curriculum procedures review the whole academic content: what is taught, "
                "to whom, at what level and for what credit, and how learning is evidenced.",
            ),
            Stage(
                State.GRADUATE_COUNCIL,
                "Graduate Council review",
                BodyKind.GRADUATE_COUNCIL,
                VOTE,
                credit_bearing_graduate,
                "“review by the Graduate Council (if at the graduate level)”",
                reviews=("kind", "level", "courses", "new_program", "experiences", "outcomes", "activities"),
                reviews_why="The Graduate Council reviews graduate credit: that it is credit-bearing and at the "
                "graduate level, its courses and credits, and the outcomes with how they are taught and assessed.",
            ),
            Stage(
                State.EPPC,
                "EPPC review",
                BodyKind.EPPC,
                VOTE,
                credit_bearing,
                "“the Faculty Senate process for internally approved items (EPPC and FSEC review)”",
                reviews=ACADEMIC,
                reviews_why="The Faculty Senate's EPPC reviews everything a credit-bearing micro-credential "
                "carries academically.",
            ),
            Stage(
                State.FSEC,
                "FSEC review",
                BodyKind.FSEC,
                VOTE,
                credit_bearing,
                "“the Faculty Senate process for internally approved items (EPPC and FSEC review)”",
                reviews=ACADEMIC,
                reviews_why="The Faculty Senate Executive Committee reviews everything a credit-bearing "
                "micro-credential carries academically.",
            ),
            Stage(
                State.OFFICE_REVIEW,
                "Office of Micro-Credentials committee review",
                BodyKind.OFFICE_COMMITTEE,
                VOTE,
                always,
                "“Both types of micro-credentials go through review processes before submission to the "
                "Office of Micro-Credentials for an approval process that involves faculty”",
                reviews=EVERYTHING,
                reviews_why="The Office's committee approves the micro-credential as a whole, fees and "
                "practical plans included.",
            ),
        ),
        rules=SUBMISSION_RULES,
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
    )
)
