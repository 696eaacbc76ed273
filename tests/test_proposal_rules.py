"""Each submission rule, passing and failing, under both policy profiles."""

from decimal import Decimal

import pytest

from proposals.models import Course, LearningOutcome, Proposal
from proposals.rules import check_proposal

from .factories import complete_proposal

pytestmark = pytest.mark.django_db

PROFILES = ["binghamton", "fiu"]


def codes(proposal, profile):
    return {(p.section, p.field) for p in check_proposal(proposal, profile)}


def messages(proposal, profile):
    return " ".join(p.message for p in check_proposal(proposal, profile))


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("kind", [Proposal.Kind.CREDIT_BEARING, Proposal.Kind.NON_CREDIT])
def test_complete_proposal_passes(profile, kind):
    assert check_proposal(complete_proposal(kind=kind), profile) == []


@pytest.mark.parametrize("profile", PROFILES)
def test_at_least_one_nace_competency(profile):
    proposal = complete_proposal()
    proposal.competencies.clear()
    assert ("outcomes", "competencies") in codes(proposal, profile)
    assert "Choose at least one NACE career-readiness competency." in messages(proposal, profile)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(
    ("relation", "message"),
    [
        ("competencies", "is not tied to a competency"),
        ("activities", "is not linked to a learning activity"),
        ("assessments", "is not linked to an assessment"),
    ],
)
def test_every_outcome_is_tied_to_a_competency_activity_and_assessment(profile, relation, message):
    proposal = complete_proposal(outcomes=2)
    second = proposal.outcomes.order_by("position")[1]
    getattr(second, relation).clear()
    problems = [p for p in check_proposal(proposal, profile) if message in p.message]
    assert len(problems) == 1
    assert problems[0].part == second.pk
    assert problems[0].message.startswith("Outcome 2 ")


@pytest.mark.parametrize("profile", PROFILES)
def test_at_least_one_student_learning_outcome(profile):
    proposal = complete_proposal(outcomes=1, pos=1)  # its only outcome is a PO
    assert "Add at least one student learning outcome (SLO)." in messages(proposal, profile)


@pytest.mark.parametrize(("profile", "required"), [("binghamton", False), ("fiu", True)])
def test_program_outcome_required_by_fiu_only(profile, required):
    proposal = complete_proposal(pos=0)
    assert ("Add at least one program outcome (PO)." in messages(proposal, profile)) is required


@pytest.mark.parametrize(("profile", "required"), [("binghamton", False), ("fiu", True)])
def test_reflective_experience_required_by_fiu_only(profile, required):
    proposal = complete_proposal(reflective_experience="  ")
    assert ("Describe the culminating reflective experience." in messages(proposal, profile)) is required


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(
    ("credits", "ok"), [(Decimal(12), True), (Decimal("12.5"), False), (Decimal(15), False)]
)
def test_credit_bearing_has_at_most_twelve_credits(profile, credits, ok):
    proposal = complete_proposal(courses=2, total_credits=credits)
    Course.objects.filter(proposal=proposal).update(credits=credits / 2)
    assert (("courses", "total_credits") not in codes(proposal, profile)) is ok
    if not ok:
        assert f"at most 12 credits; this one has {credits.normalize():f}" in messages(proposal, profile)


@pytest.mark.parametrize("profile", PROFILES)
def test_course_credits_add_up_to_the_total(profile):
    proposal = complete_proposal(courses=2, total_credits=Decimal(7))
    assert "The courses add up to 6 credits, but the total stated is 7." in messages(proposal, profile)


@pytest.mark.parametrize("profile", PROFILES)
def test_credit_bearing_total_must_be_stated(profile):
    proposal = complete_proposal(total_credits=None)
    assert "State the total number of credits." in messages(proposal, profile)


@pytest.mark.parametrize("profile", PROFILES)
def test_one_course_needs_a_written_justification(profile):
    proposal = complete_proposal(courses=1)
    assert ("courses", "fewer_courses_justification") in codes(proposal, profile)
    proposal.fewer_courses_justification = "The single course is a 6-credit capstone studio."
    assert ("courses", "fewer_courses_justification") not in codes(proposal, profile)


@pytest.mark.parametrize("profile", PROFILES)
def test_credit_rules_do_not_apply_to_non_credit(profile):
    proposal = complete_proposal(kind=Proposal.Kind.NON_CREDIT, total_credits=None)
    assert not {c for c in codes(proposal, profile) if c[0] == "courses"}


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(("fee", "ok"), [(None, False), (Decimal(0), True), (Decimal("49.00"), True)])
def test_non_credit_must_state_its_fee_and_zero_is_a_statement(profile, fee, ok):
    proposal = complete_proposal(kind=Proposal.Kind.NON_CREDIT, fee_amount=fee)
    assert (("fees", "fee_amount") not in codes(proposal, profile)) is ok


@pytest.mark.parametrize("profile", PROFILES)
def test_credit_bearing_fee_may_be_blank(profile):
    assert ("fees", "fee_amount") not in codes(complete_proposal(fee_amount=None), profile)


@pytest.mark.parametrize("profile", PROFILES)
def test_evidence_of_employer_importance_required(profile):
    proposal = complete_proposal(employer_evidence="")
    assert ("purpose", "employer_evidence") in codes(proposal, profile)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("field", ["evidence_submission", "evidence_evaluators", "evidence_criteria"])
def test_assessment_plan_for_the_badge_required(profile, field):
    proposal = complete_proposal(**{field: ""})
    assert ("evidence", field) in codes(proposal, profile)


@pytest.mark.parametrize("profile", PROFILES)
def test_micro_certificate_needs_component_micro_credentials(profile):
    proposal = complete_proposal(form=Proposal.Form.MICRO_CERTIFICATE)
    assert ("implementation", "components") in codes(proposal, profile)
    proposal.components.set([complete_proposal(code="A"), complete_proposal(code="B")])
    assert ("implementation", "components") not in codes(proposal, profile)


def test_new_course_flags_the_proposal_for_curriculum_approval():
    from proposals.policy import needs_curriculum_approval

    proposal = complete_proposal()
    assert not needs_curriculum_approval(proposal)
    Course.objects.filter(proposal=proposal).first()
    proposal.courses.filter(position=1).update(is_new=True)
    assert needs_curriculum_approval(proposal)
    other = complete_proposal(requires_new_program=True)
    assert needs_curriculum_approval(other)


def test_draft_with_nothing_but_a_title_is_a_valid_draft():
    proposal = complete_proposal()
    LearningOutcome.objects.filter(proposal=proposal).delete()
    proposal.summary = ""
    proposal.full_clean(
        exclude=["state"]
    )  # the database accepts an incomplete draft; only submission checks rules


def test_every_rule_cites_its_policy():
    from proposals.rules import RULES

    for rule in RULES.values():
        if rule.code != "title":
            assert rule.cites.startswith(("Binghamton", "FIU")), rule.code


def test_twelve_credits_is_written_once_outside_tests():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parent.parent
    hits = [
        path
        for path in root.glob("[a-z]*/**/*.py")
        if ".venv" not in path.parts
        and "tests" not in path.parts
        and "migrations" not in path.parts
        and re.search(r"(?<![\w.])12(?![\w.])", path.read_text())
    ]
    assert [h.name for h in hits] == ["rules.py"], hits
