"""FIU Policy 380.104 as a profile: its bodies, its route, its submission rules with their checks
and its transcript rule, each citing the policy.

Source: ``../shared/policies/004_fb961b51d850dc18.txt``.
"""

from ..choices import Form, OutcomeKind
from .conditions import always, needs_curriculum_approval
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
from .types import DECISION, VOTE, Body, PolicyProfile, Stage, TranscriptRule, register_profile

F_ASSESSED = (
    "“Assessed: All approved micro-credentials must have student learning outcomes (SLOs) and program "
    "outcomes (POs) associated with them.”"
)
F_COMPETENCY = (
    "“Competency-based micro-credentials signal that a learner has demonstrated the specified knowledge, "
    "skills, and abilities at an appropriate level of rigor, aligned to appropriate assessments.”"
)

# "A micro-certificate is a collection of related micro-credentials".
MIN_COMPONENTS = 2


# --- checks of the rules only this policy states -------------------------------------------------


def _consulted(reading):
    if not any(c.is_completed for c in reading.proposal.consultations.all()):
        yield (
            f"Ask {reading.profile.office_name} for a consultation: the proposal can be submitted once its "
            "staff have completed it and recorded the level of rigor agreed."
        )


def _a_competency(reading):
    if not reading.competencies:
        yield "Choose at least one competency the micro-credential develops."


def _a_program_outcome(reading):
    if not [o for o in reading.outcomes if o.kind == OutcomeKind.PO]:
        yield "Add at least one program outcome (PO)."


def _components(reading):
    """A micro-certificate collects at least two other published micro-credentials around a theme;
    a micro-credential and its revisions are one (``proposals.lineage``)."""
    from ..lineage import lines_of

    p = reading.proposal
    if p.form != Form.MICRO_CERTIFICATE:
        return
    components = list(p.components.all())
    if blank(p.theme):
        yield "Name the theme or meta-competency that relates the micro-certificate's components."
    if any(c.pk == p.pk for c in components):
        yield "A micro-certificate cannot be one of its own components."
    others = [c for c in components if c.pk != p.pk]
    lines = lines_of(others)
    unavailable = [c for c in others if not lines[c.pk].available]
    if unavailable:
        names = ", ".join(f"“{c.title}”" for c in unavailable)
        yield f"Components must be published micro-credentials; not yet published: {names}."
    by_line = {}
    for c in others:
        by_line.setdefault(lines[c.pk].root, []).append(c)
    for same in (group for group in by_line.values() if len(group) > 1):
        names = " and ".join(f"“{c.title}”" for c in same)
        yield f"{names} are one micro-credential (one revises the other): count it once."
    if len(by_line) < MIN_COMPONENTS:
        yield (
            f"A micro-certificate is made of at least {MIN_COMPONENTS} other micro-credentials: "
            "choose its components."
        )


# --- the profile ---------------------------------------------------------------------------------

# In the order their problems are listed.
SUBMISSION_RULES = rule_list(
    TITLE.cited("“Micro-credentials are digital representations of specific competencies”"),
    SUMMARY.cited(
        "“Badges are guided by a competency statement and linked to student learning outcomes that can be "
        "assessed.”"
    ),
    Rule(
        "asa_consultation",
        "basics",
        "consultation",
        "a completed consultation with the office that records the level of rigor agreed",
        _consulted,
    ).cited(
        "“Rigorous: In consultation with Academic and Student Affairs, the appropriate level of rigor will be "
        "determined based on the nature of the proposed micro-credential.”"
    ),
    SPONSORS_COMMITTEE.cited(
        "“Micro-credentials aligned to an existing program, course, or experience will be developed by the "
        "unit in consultation with ASA”"
    ),
    PURPOSE.cited(
        "“micro-credentials that document learner achievement in competencies needed for post-graduate "
        "success, re-skilling, or up-skilling”"
    ),
    TARGET_LEARNERS.cited(
        "“Micro-certificates can be offered to undergraduate and graduate students, as well as to non-enrolled "
        "learners.”"
    ),
    EMPLOYER_EVIDENCE.cited(
        "“Proposed micro-credentials must align to competencies required for learners to be successful in the "
        "workplace and/or in a post-graduate degree.”"
    ),
    Rule(
        "competency", "outcomes", "competencies", "at least one competency of any framework", _a_competency
    ).cited("“Competency-based: Competencies are discrete sets of knowledge, skills, and abilities.”"),
    OUTCOME.cited(F_ASSESSED),
    Rule("program_outcome", "outcomes", "outcomes", "at least one program outcome", _a_program_outcome).cited(
        F_ASSESSED
    ),
    OUTCOME_COMPETENCY.cited(F_COMPETENCY),
    OUTCOME_ASSESSMENT.cited(F_COMPETENCY),
    EVIDENCE_PLAN.cited(
        "“will be developed by the unit in consultation with ASA and must include appropriate assessment "
        "requirements”"
    ),
    EVIDENCE_CRITERIA.cited("“Once the competencies are met, the badge can be issued.”"),
    Rule(
        "reflection",
        "evidence",
        "reflective_experience",
        "a culminating reflective experience",
        required("reflective_experience", message="Describe the culminating reflective experience."),
    ).cited(
        "“All micro-credentials must have a culminating reflective experience that requires the learner to "
        "reflect on the micro-credential pathway”"
    ),
    Rule(
        "components",
        "implementation",
        "components",
        "micro-certificate: a theme and at least two other published micro-credentials",
        _components,
    ).cited(
        "“A micro-certificate is a collection of related micro-credentials that are related to a specific "
        "theme or meta-competency.”"
    ),
)

PROFILE = register_profile(
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
                reviews=ACADEMIC,
                reviews_why="The unit develops the micro-credential and reviews its whole academic content.",
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
                reviews=("kind", "level", "courses", "new_program", "experiences", "stacking"),
                reviews_why="The Faculty Senate Curriculum Committee approves what would traditionally need "
                "its approval: courses and their credits (a new course above all), a new program, and "
                "micro-credentials stacked together to award academic credit.",
            ),
            Stage(
                State.ASA_REVIEW,
                "Academic and Student Affairs review",
                BodyKind.ASA,
                DECISION,
                always,
                "“ASA is responsible for the oversight, including planning, approval and awarding”",
                reviews=EVERYTHING,
                reviews_why="Academic and Student Affairs oversees and approves the micro-credential as a whole.",
            ),
        ),
        rules=SUBMISSION_RULES,
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
    )
)
