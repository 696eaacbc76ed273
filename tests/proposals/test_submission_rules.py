"""Each submission rule, passing and failing, under both policy profiles."""

from decimal import Decimal

import pytest
from django.utils import timezone

from proposals.models import Course, LearningOutcome, Proposal
from proposals.policy import PROFILES as REGISTERED
from proposals.policy import check_proposal
from tests.factories import complete_proposal, curriculum_committee, unit

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
def test_at_least_one_competency(profile):
    proposal = complete_proposal()
    proposal.competencies.clear()
    assert ("outcomes", "competencies") in codes(proposal, profile)


def test_binghamton_needs_a_nace_competency_and_other_frameworks_may_be_added():
    from proposals.models import Competency, CompetencyFramework

    other = CompetencyFramework.objects.create(slug="esco", name="ESCO")
    esco = Competency.objects.create(
        framework=other, slug="data", name="Data literacy", definition="d", url="https://esco.example/data"
    )
    proposal = complete_proposal()
    proposal.competencies.set([esco])
    assert "Choose at least one NACE career-readiness competency" in messages(proposal, "binghamton")
    assert ("outcomes", "competencies") not in codes(proposal, "fiu")  # FIU: any framework
    proposal.competencies.add(Competency.objects.filter(framework__slug="nace").first())
    assert ("outcomes", "competencies") not in codes(proposal, "binghamton")


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(
    ("relation", "message", "profiles"),
    [
        ("competencies", "is not tied to a competency", PROFILES),
        # Binghamton: "clear links between the learning outcomes and learning activities"; FIU says nothing.
        ("activities", "is not linked to a learning activity", ["binghamton"]),
        ("assessments", "is not linked to an assessment", PROFILES),
    ],
)
def test_every_outcome_is_tied_to_a_competency_activity_and_assessment(profile, relation, message, profiles):
    proposal = complete_proposal(outcomes=2)
    second = proposal.outcomes.order_by("position")[1]
    getattr(second, relation).clear()
    problems = [p for p in check_proposal(proposal, profile) if message in p.message]
    if profile not in profiles:
        assert problems == []
        return
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


@pytest.mark.parametrize(
    ("credits", "ok"), [(Decimal(12), True), (Decimal("12.5"), False), (Decimal(15), False)]
)
def test_credit_bearing_has_at_most_twelve_credits(credits, ok):
    profile = "binghamton"
    proposal = complete_proposal(courses=2, total_credits=credits)
    Course.objects.filter(proposal=proposal).update(credits=credits / 2)
    assert (("courses", "total_credits") not in codes(proposal, profile)) is ok
    if not ok:
        assert f"at most 12 credits; this one has {credits.normalize():f}" in messages(proposal, profile)


def test_fiu_enforces_none_of_binghamtons_credit_and_fee_rules():
    """FIU 380.104 sets no credit limit, course count, stated credits or non-credit fee statement."""
    big = complete_proposal(courses=1, total_credits=Decimal(15))
    assert check_proposal(big, "fiu") == []
    assert {"total_credits", "fewer_courses_justification"} <= {
        p.field for p in check_proposal(big, "binghamton")
    }
    unstated = complete_proposal(total_credits=None, title="Unstated")
    assert check_proposal(unstated, "fiu") == []
    free = complete_proposal(kind=Proposal.Kind.NON_CREDIT, fee_amount=None, title="No fee")
    assert check_proposal(free, "fiu") == []
    assert ("fees", "fee_amount") in codes(free, "binghamton")


def test_course_credits_add_up_to_the_total():
    profile = "binghamton"
    proposal = complete_proposal(courses=2, total_credits=Decimal(7))
    assert "The courses add up to 6 credits, but the total stated is 7." in messages(proposal, profile)


def test_credit_bearing_total_must_be_stated():
    profile = "binghamton"
    proposal = complete_proposal(total_credits=None)
    assert "State the total number of credits." in messages(proposal, profile)


def test_one_course_needs_a_written_justification():
    profile = "binghamton"
    proposal = complete_proposal(courses=1)
    assert ("courses", "fewer_courses_justification") in codes(proposal, profile)
    proposal.fewer_courses_justification = "The single course is a 6-credit capstone studio."
    assert ("courses", "fewer_courses_justification") not in codes(proposal, profile)


@pytest.mark.parametrize("profile", PROFILES)
def test_credit_rules_do_not_apply_to_non_credit(profile):
    proposal = complete_proposal(kind=Proposal.Kind.NON_CREDIT, total_credits=None)
    assert not {c for c in codes(proposal, profile) if c[0] == "courses"}


@pytest.mark.parametrize(("fee", "ok"), [(None, False), (Decimal(0), True), (Decimal("49.00"), True)])
def test_non_credit_must_state_its_fee_and_zero_is_a_statement(fee, ok):
    profile = "binghamton"
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
    # FIU awards centrally ("Micro-credentials will be awarded centrally"): no unit evaluator is named.
    required = not (profile == "fiu" and field == "evidence_evaluators")
    assert (("evidence", field) in codes(proposal, profile)) is required


def test_micro_certificate_collects_published_micro_credentials_around_a_theme():
    from proposals.policy import State

    profile = "fiu"
    proposal = complete_proposal(form=Proposal.Form.MICRO_CERTIFICATE)
    said = messages(proposal, profile)
    assert "at least 2 other micro-credentials" in said and "Name the theme" in said
    draft, published = complete_proposal(code="A", title="A draft"), complete_proposal(code="B", title="B")
    Proposal.objects.filter(pk=published.pk).update(state=State.PUBLISHED)
    proposal.components.set([draft, published])
    proposal.theme = "Data-informed decision making"
    assert "not yet published: “A draft”" in messages(proposal, profile)
    Proposal.objects.filter(pk=draft.pk).update(state=State.PUBLISHED)
    assert ("implementation", "components") not in codes(proposal, profile)


def test_micro_certificate_cannot_contain_itself():
    from proposals.policy import State

    proposal = complete_proposal(form=Proposal.Form.MICRO_CERTIFICATE, theme="Data")
    others = [complete_proposal(code=c, title=c) for c in "AB"]
    Proposal.objects.filter(pk__in=[o.pk for o in others]).update(state=State.PUBLISHED)
    proposal.components.set([proposal, *others])
    assert "A micro-certificate cannot be one of its own components." in messages(proposal, "fiu")


def test_binghamton_offers_digital_badges_only():
    proposal = complete_proposal(form=Proposal.Form.MICRO_CERTIFICATE)
    assert ("basics", "form") in codes(proposal, "binghamton")
    assert ("basics", "form") not in codes(proposal, "fiu")


def test_fiu_submission_needs_a_completed_asa_consultation_with_the_rigor_agreed():
    proposal = complete_proposal()
    proposal.consultations.update(closed_at=None)
    assert ("basics", "consultation") in codes(proposal, "fiu")
    assert ("basics", "consultation") not in codes(proposal, "binghamton")
    proposal.consultations.update(closed_at=timezone.now(), rigor="  ")
    assert "recorded the level of rigor agreed" in messages(proposal, "fiu")


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


def test_every_rule_is_enforced_by_a_profile_that_cites_its_policy_sentence():
    from proposals.policy import PROFILES, RULES

    for rule in RULES.values():
        assert rule.profiles, f"{rule.code} is enforced by no profile"
        for cites in rule.profiles.values():
            assert cites.startswith("“") and len(cites) > 20, rule.code
    policies = {
        "binghamton": "000_12fd21f330511ec2.txt",
        "fiu": "004_fb961b51d850dc18.txt",
    }
    import re

    from tests.conftest import shared_dir

    shared = shared_dir() / "policies"
    for key, filename in policies.items():
        if not (shared / filename).exists():
            continue
        text = " ".join((shared / filename).read_text().split())
        for code, cites in PROFILES[key].rules.items():
            for quote in re.findall(r"“([^”]+)”", cites):
                for piece in quote.split(" … "):
                    assert piece.rstrip(".") in text, f"{key}/{code}: {piece!r} is not in its policy"


def test_a_profile_with_no_rule_list_does_not_start(settings):
    from dataclasses import replace

    from django.core.exceptions import ImproperlyConfigured

    from proposals.policy import PROFILES, validate_profiles

    broken = {**PROFILES, "bare": replace(PROFILES["fiu"], key="bare", rules={})}
    with pytest.raises(ImproperlyConfigured, match="has no rule list"):
        validate_profiles(broken)
    unknown = {**PROFILES, "odd": replace(PROFILES["fiu"], key="odd", rules={"no_such_rule": "“x”"})}
    with pytest.raises(ImproperlyConfigured, match="unknown rules: no_such_rule"):
        validate_profiles(unknown)


def test_twelve_credits_is_written_once_outside_tests():
    import pathlib
    import tokenize

    root = pathlib.Path(__file__).resolve().parents[2]
    hits = []
    for path in root.glob("[a-z]*/**/*.py"):
        if {".venv", "tests", "migrations"} & set(path.parts):
            continue
        # The number as a value in code; the policies' own sentences quoted beside rules may say it.
        with path.open("rb") as source:
            if any(
                t.type == tokenize.NUMBER and t.string == "12" for t in tokenize.tokenize(source.readline)
            ):
                hits.append(path)
    assert [h.name for h in hits] == ["binghamton.py"], hits


# --- each sponsoring unit has a curriculum committee ---------------------------------------------


def demo_proposal(demo, **fields):
    author = demo["faculty"]
    return complete_proposal(author=author, unit=author.unit_roles.first().unit, **fields)


def unit_named(code):
    from proposals.models import Unit

    return Unit.objects.get(code=code)


@pytest.mark.parametrize("profile", PROFILES)
def test_a_co_sponsor_without_a_curriculum_committee_is_refused_beside_the_co_sponsors(demo, profile):
    proposal = demo_proposal(demo)
    proposal.co_sponsors.add(
        unit_named("english")
    )  # the demo gives English no committee, nor Harpur above it
    problems = check_proposal(proposal, profile)
    assert [(p.section, p.field) for p in problems] == [("basics", "co_sponsors")]
    office = REGISTERED[profile].office_name
    assert problems[0].message == (
        "Department of English has no curriculum committee (of its own or of a unit above it) to approve the "
        "proposal at unit review, which could then never complete: remove it from the co-sponsoring units, "
        f"or ask {office} to have its committee set up."
    )


@pytest.mark.parametrize("profile", PROFILES)
def test_a_committee_above_the_co_sponsor_or_one_reactivated_is_enough(demo, profile):
    from review.models import ReviewBody

    proposal = demo_proposal(demo)
    proposal.co_sponsors.add(unit_named("english"))
    harpur = curriculum_committee(unit_named("harpur"), is_active=False)
    assert ("basics", "co_sponsors") in codes(proposal, profile)
    ReviewBody.objects.filter(pk=harpur.pk).update(is_active=True)
    assert check_proposal(proposal, profile) == []


@pytest.mark.parametrize("profile", PROFILES)
def test_an_originating_unit_without_a_curriculum_committee_is_refused_too(profile):
    proposal = complete_proposal(unit=unit("lonely"))
    assert "Unit lonely, the originating unit, has no curriculum committee" in messages(proposal, profile)
    assert ("basics", "co_sponsors") in codes(proposal, profile)


@pytest.mark.parametrize("profile", PROFILES)
def test_the_committee_problem_is_listed_with_the_basics_in_the_profile_s_order(demo, profile):
    """After the title and summary, before the purpose: where the profile's rule list puts it."""
    proposal = demo_proposal(demo, summary="", purpose="")
    proposal.co_sponsors.add(unit_named("english"))
    fields = [p.field for p in check_proposal(proposal, profile)]
    assert fields.index("summary") < fields.index("co_sponsors") < fields.index("purpose")


def test_a_co_sponsor_without_a_committee_is_refused_at_submission_beside_its_field(client, demo):
    from django.urls import reverse

    from proposals.services import SubmissionRefused, submit_proposal

    proposal = demo_proposal(demo)
    proposal.co_sponsors.add(unit_named("english"))
    with pytest.raises(SubmissionRefused) as refused:
        submit_proposal(proposal=proposal, user=proposal.lead_author)
    assert [p.field for p in refused.value.problems] == ["co_sponsors"]

    client.force_login(proposal.lead_author)
    response = client.post(reverse("review:submit", args=[proposal.pk]))
    edit = reverse("proposals:edit", args=[proposal.pk, "basics"]) + "?check=1"
    assert response["Location"] == edit
    page = client.get(edit).content.decode()
    assert "Department of English has no curriculum committee" in page
    assert 'id="need-id_basics-co_sponsors"' in page
    assert Proposal.objects.get(pk=proposal.pk).state == "draft"
