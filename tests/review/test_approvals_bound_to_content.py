"""An approval stands only for the content it approved (issue 20, hole 1): each stage names the parts
of the proposal it reviews; a resubmission whose changes touch a stage's parts goes back to that
stage, in route order, and says which changes sent it there; approvals from a cycle the proposal has
since left never come back; a change that touches none of an earlier stage's parts does not send it
back there."""

from decimal import Decimal

import pytest
from django.urls import reverse

from proposals.models import Course, Proposal
from proposals.policy import PROFILES, State, passed_stages, route_keys, stage_for
from proposals.policy.parts import ACADEMIC, EVERYTHING, PARTS, parts_changed
from proposals.versions import ContentHistory, snapshot
from review.selectors import stage_approvals
from tests.workflow import (
    act,
    approve_to_the_end,
    approve_until,
    proposal_of,
    resubmit,
    returned_at,
    routed_because,
    stages_seen,
    walk_to,
)

pytestmark = pytest.mark.django_db


def replace_courses(proposal, count, credits, *, new=False):
    proposal.courses.all().delete()
    for n in range(count):
        Course.objects.create(
            proposal=proposal,
            position=n,
            subject="DS",
            number=str(400 + n),
            title=f"Advanced course {n}",
            credits=Decimal(credits),
            is_new=new,
        )
    Proposal.objects.filter(pk=proposal.pk).update(total_credits=Decimal(count * credits))


# --- what each stage reviews -----------------------------------------------------------------------


def test_every_stage_of_both_profiles_names_the_parts_it_reviews_and_why():
    for key in ("binghamton", "fiu"):
        for stage in PROFILES[key].stages:
            assert stage.reviews and set(stage.reviews) <= set(PARTS), stage.state
            assert stage.reviews_why, stage.state


def test_each_stage_reviews_what_decides_whether_it_applies():
    # Leaving a stage's route means changing a part it reviews: its old approval cannot come back.
    bu, fiu = PROFILES["binghamton"], PROFILES["fiu"]
    assert {"kind", "level"} <= set(next(s for s in bu.stages if s.state == State.GRADUATE_COUNCIL).reviews)
    assert "kind" in next(s for s in bu.stages if s.state == State.EPPC).reviews
    fscc = next(s for s in fiu.stages if s.state == State.FSCC)
    assert {"courses", "new_program", "stacking"} <= set(fscc.reviews)
    assert next(s for s in fiu.stages if s.state == State.ASA_REVIEW).reviews == EVERYTHING
    assert next(s for s in bu.stages if s.state == State.OFFICE_REVIEW).reviews == EVERYTHING
    assert "fees" not in ACADEMIC and "courses" in ACADEMIC


def test_parts_changed_names_only_the_parts_whose_content_differs():
    old = {"fee_amount": "0", "courses": [{"id": 1, "credits": "3"}], "title": "A"}
    new = {"fee_amount": "0", "courses": [{"id": 1, "credits": "4"}], "title": "B"}
    assert parts_changed(("fees", "courses", "basics"), old, new) == ["courses", "basics"]
    assert parts_changed(("fees",), old, new) == []


def test_a_part_changed_and_changed_back_still_voids_the_approval(demo):
    proposal = walk_to(proposal_of(demo), demo, State.EPPC)  # unit review approved version 1
    unit_review = stage_for(State.UNIT_REVIEW)
    content = ContentHistory(proposal)
    assert content.changed_parts(unit_review, 1) == []
    # Version 2 made it non-credit; version 3 (now) is credit-bearing again, as version 1 was.
    from proposals.models import ProposalVersion

    v2 = {**snapshot(proposal), "kind": Proposal.Kind.NON_CREDIT}
    ProposalVersion.objects.create(proposal=proposal, number=2, data=v2, created_by=proposal.lead_author)
    assert ContentHistory(proposal).changed_parts(unit_review, 1) == ["kind"]
    keys = route_keys(proposal)
    assert State.UNIT_REVIEW not in passed_stages(keys, stage_approvals(proposal), ContentHistory(proposal))
    assert State.UNIT_REVIEW in passed_stages(keys, stage_approvals(proposal))  # the route alone: same


# --- FIU ----------------------------------------------------------------------------------------


def test_fiu_a_new_course_added_after_fscc_approved_goes_back_through_fscc(client, fiu_demo):
    """FSCC approved; ASA returned it; the author adds a brand-new course: the unit and FSCC see it
    before ASA (before, it went straight to ASA and was approved)."""
    proposal = proposal_of(fiu_demo)
    Course.objects.filter(proposal=proposal, position=0).update(is_new=True)
    proposal = returned_at(proposal, fiu_demo, State.ASA_REVIEW)
    Course.objects.create(
        proposal=proposal, position=2, subject="DS", number="499", title="Capstone", credits=3, is_new=True
    )
    Proposal.objects.filter(pk=proposal.pk).update(total_credits=Decimal(9))
    proposal = resubmit(client, proposal)
    assert proposal.state == State.UNIT_REVIEW
    assert "what it reviews has changed since (Courses and credits)" in routed_because(proposal)
    proposal = approve_to_the_end(proposal, fiu_demo)
    assert stages_seen(proposal)[-4:] == ["unit_review", "fscc", "asa_review", "approved"]


def test_fiu_a_second_new_course_replacing_the_first_goes_back_through_fscc(client, fiu_demo):
    proposal = proposal_of(fiu_demo)
    Course.objects.filter(proposal=proposal, position=0).update(is_new=True)
    proposal = returned_at(proposal, fiu_demo, State.ASA_REVIEW)
    replace_courses(proposal, 2, 3, new=True)
    proposal = approve_to_the_end(resubmit(client, proposal), fiu_demo)
    assert "fscc" in stages_seen(proposal)[-4:]


def test_fiu_a_new_program_switched_on_after_fscc_approved_stacking_goes_back_through_fscc(client, fiu_demo):
    proposal = proposal_of(fiu_demo, stacks_for_credit=True, stacks_into="BS in Data Science")
    proposal = returned_at(proposal, fiu_demo, State.ASA_REVIEW)
    assert "fscc" in stages_seen(proposal)
    Proposal.objects.filter(pk=proposal.pk).update(requires_new_program=True)
    proposal = resubmit(client, proposal)
    assert proposal.state == State.UNIT_REVIEW
    assert "(New program)" in routed_because(proposal)
    proposal = approve_to_the_end(proposal, fiu_demo)
    assert stages_seen(proposal)[-4:] == ["unit_review", "fscc", "asa_review", "approved"]


def test_fiu_a_change_fscc_does_not_review_goes_back_to_asa_only(client, fiu_demo):
    """Nothing is re-reviewed that need not be: ASA returned it for its employer evidence; neither the
    unit nor FSCC reviews that, so it goes back to ASA."""
    proposal = proposal_of(fiu_demo)
    Course.objects.filter(proposal=proposal, position=0).update(is_new=True)
    proposal = returned_at(proposal, fiu_demo, State.ASA_REVIEW)
    Proposal.objects.filter(pk=proposal.pk).update(employer_evidence="Letters from three employers.")
    proposal = resubmit(client, proposal)
    assert proposal.state == State.ASA_REVIEW
    assert (
        routed_because(proposal) == "It goes back to Academic and Student Affairs review, which returned it."
    )


# --- Binghamton ---------------------------------------------------------------------------------


def test_binghamton_credits_and_courses_changed_after_the_senate_approved_go_back_through_it(client, demo):
    """EPPC and FSEC approved 6 credits in 2 courses; the Office committee returned it; the author
    changes it to 12 credits in 4 other courses: unit review, EPPC and FSEC see it again."""
    proposal = returned_at(proposal_of(demo), demo, State.OFFICE_REVIEW)
    replace_courses(proposal, 4, 3)
    client.force_login(proposal.lead_author)
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "Resubmit to Unit review" in page and "Courses and credits" in page
    proposal = resubmit(client, proposal)
    assert proposal.state == State.UNIT_REVIEW
    assert routed_because(proposal) == (
        "Unit review approved version 1, and what it reviews has changed since (Courses and credits), so "
        "it goes back there before Office of Micro-Credentials committee review, which returned it."
    )
    proposal = approve_to_the_end(proposal, demo)
    assert stages_seen(proposal)[-5:] == ["unit_review", "eppc", "fsec", "office_review", "approved"]


def test_binghamton_credit_bearing_then_non_credit_then_credit_bearing_brings_back_no_senate_approval(
    client, demo
):
    proposal = returned_at(proposal_of(demo), demo, State.OFFICE_REVIEW)  # EPPC and FSEC approved v1
    Proposal.objects.filter(pk=proposal.pk).update(
        kind=Proposal.Kind.NON_CREDIT, total_credits=None, fee_amount=Decimal("0")
    )
    proposal.courses.all().delete()
    proposal = resubmit(client, proposal)
    assert proposal.state == State.UNIT_REVIEW
    proposal = act(approve_until(proposal, demo, State.OFFICE_REVIEW), demo, "request_changes")
    assert proposal.returned_from == State.OFFICE_REVIEW
    # Back to what version 1 was: EPPC's and FSEC's approvals of version 1 do not come back.
    replace_courses(proposal, 2, 3)
    Proposal.objects.filter(pk=proposal.pk).update(kind=Proposal.Kind.CREDIT_BEARING, fee_amount=None)
    proposal = approve_to_the_end(resubmit(client, proposal), demo)
    assert stages_seen(proposal)[-5:] == ["unit_review", "eppc", "fsec", "office_review", "approved"]


def test_binghamton_graduate_then_undergraduate_then_graduate_brings_back_no_graduate_council_approval(
    client, demo
):
    proposal = returned_at(proposal_of(demo, level=Proposal.Level.GRADUATE), demo, State.OFFICE_REVIEW)
    Proposal.objects.filter(pk=proposal.pk).update(level=Proposal.Level.UNDERGRADUATE)
    proposal = approve_until(resubmit(client, proposal), demo, State.OFFICE_REVIEW)
    proposal = act(proposal, demo, "request_changes")  # the office returns version 2
    Proposal.objects.filter(pk=proposal.pk).update(level=Proposal.Level.GRADUATE)
    proposal = approve_to_the_end(resubmit(client, proposal), demo)
    assert stages_seen(proposal)[-6:] == [
        "unit_review",
        "graduate_council",
        "eppc",
        "fsec",
        "office_review",
        "approved",
    ]


def test_binghamton_a_non_credit_unit_approval_does_not_survive_a_rewrite(client, demo):
    proposal = returned_at(proposal_of(demo, kind=Proposal.Kind.NON_CREDIT), demo, State.OFFICE_REVIEW)
    outcome = proposal.outcomes.first()
    outcome.text = "Designs and runs a usability study with real users."
    outcome.save()
    proposal = resubmit(client, proposal)
    assert proposal.state == State.UNIT_REVIEW
    assert "(Learning outcomes and their alignment)" in routed_because(proposal)


def test_binghamton_a_fee_or_purpose_change_goes_back_to_the_office_committee_only(client, demo):
    proposal = returned_at(proposal_of(demo, kind=Proposal.Kind.NON_CREDIT), demo, State.OFFICE_REVIEW)
    Proposal.objects.filter(pk=proposal.pk).update(
        fee_amount=Decimal("25"), fee_notes="Materials.", purpose="A clearer purpose."
    )
    proposal = resubmit(client, proposal)
    assert proposal.state == State.OFFICE_REVIEW
    assert (
        routed_because(proposal)
        == "It goes back to Office of Micro-Credentials committee review, which returned it."
    )
