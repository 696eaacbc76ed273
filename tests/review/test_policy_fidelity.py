"""Policy fidelity: no sequence of edits and actions gets a proposal approved without every body its
policy requires, each profile enforces only its own rules, and a third profile is one entry."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from proposals.models import Course, Proposal, Unit
from proposals.policy import DECISION, PROFILES, VOTE, BodyKind, Stage, State, register_profile
from review import services
from review.models import AuditEvent, Membership, ReviewBody
from tests.factories import complete_proposal, curriculum_committee, faculty
from tests.workflow import (
    act,
    approve_to_the_end,
    proposal_of,
    resubmit,
    returned_at,
    routed_because,
    stages_seen,
    submit,
    walk_to,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fiu(settings, db):
    from microcred.demo import seed_demo

    settings.MICROCRED_POLICY = "fiu"
    from django.contrib.auth import get_user_model

    logins = seed_demo(with_proposals=False)
    return get_user_model().objects.in_bulk([login.username for login in logins], field_name="username")


# --- 1. revision re-routes -----------------------------------------------------------------------


def test_returned_at_eppc_and_made_graduate_goes_to_unit_review_then_graduate_council(client, demo):
    # The level is academic content: the unit committee that approved an undergraduate proposal
    # approves the graduate one again first, then the Graduate Council, which now applies.
    proposal = returned_at(proposal_of(demo), demo, State.EPPC)
    Proposal.objects.filter(pk=proposal.pk).update(level=Proposal.Level.GRADUATE)
    client.force_login(proposal.lead_author)
    before = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "Resubmit to Unit review" in before  # the authors see where it will go
    proposal = resubmit(client, proposal)
    assert proposal.state == State.UNIT_REVIEW
    assert routed_because(proposal).startswith(
        "Unit review approved version 1, and what it reviews has changed since (Level)"
    )
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "Where the resubmission went:" in page and "before EPPC review, which returned it" in page
    proposal = approve_to_the_end(proposal, demo)
    assert proposal.state == State.APPROVED
    assert stages_seen(proposal)[-6:] == [
        "unit_review",
        "graduate_council",
        "eppc",
        "fsec",
        "office_review",
        "approved",
    ]


def test_returned_at_graduate_council_and_made_undergraduate_goes_to_unit_review_then_eppc(client, demo):
    proposal = returned_at(proposal_of(demo, level=Proposal.Level.GRADUATE), demo, State.GRADUATE_COUNCIL)
    Proposal.objects.filter(pk=proposal.pk).update(level=Proposal.Level.UNDERGRADUATE)
    proposal = resubmit(client, proposal)
    assert proposal.state == State.UNIT_REVIEW
    assert "(Graduate Council review, which returned it, no longer applies)" in routed_because(proposal)
    proposal = approve_to_the_end(proposal, demo)  # no 500, no stuck proposal
    assert proposal.state == State.APPROVED
    assert stages_seen(proposal)[-5:] == ["unit_review", "eppc", "fsec", "office_review", "approved"]


def test_fiu_returned_at_asa_with_a_course_now_new_goes_to_the_curriculum_committee(client, fiu):
    # The courses changed: the unit approves them again first, then the curriculum committee.
    proposal = returned_at(proposal_of(fiu), fiu, State.ASA_REVIEW)
    Course.objects.filter(proposal=proposal, position=0).update(is_new=True)
    proposal = resubmit(client, proposal)
    assert proposal.state == State.UNIT_REVIEW
    proposal = approve_to_the_end(proposal, fiu)
    assert proposal.state == State.APPROVED
    assert stages_seen(proposal)[-4:] == ["unit_review", "fscc", "asa_review", "approved"]


def test_fiu_returned_at_fscc_with_the_new_course_dropped_goes_to_unit_review_then_asa(client, fiu):
    proposal = proposal_of(fiu)
    Course.objects.filter(proposal=proposal, position=0).update(is_new=True)
    proposal = returned_at(proposal, fiu, State.FSCC)
    Course.objects.filter(proposal=proposal).update(is_new=False)
    proposal = resubmit(client, proposal)
    assert proposal.state == State.UNIT_REVIEW  # the courses changed since the unit approved them
    proposal = approve_to_the_end(proposal, fiu)
    assert proposal.state == State.APPROVED
    assert stages_seen(proposal)[-3:] == ["unit_review", "asa_review", "approved"]


def test_a_stage_whose_route_changed_before_it_reviews_again(client, demo):
    """Returned at FSEC and made graduate: Graduate Council first, then EPPC again (it approved a
    route without Graduate Council), then FSEC."""
    proposal = returned_at(proposal_of(demo), demo, State.FSEC)
    Proposal.objects.filter(pk=proposal.pk).update(level=Proposal.Level.GRADUATE)
    proposal = approve_to_the_end(resubmit(client, proposal), demo)
    assert stages_seen(proposal)[-5:] == ["graduate_council", "eppc", "fsec", "office_review", "approved"]


def test_a_co_sponsor_added_during_revision_sends_it_back_to_unit_review(client, demo):
    proposal = returned_at(proposal_of(demo), demo, State.EPPC)
    english = Unit.objects.get(code="english")
    curriculum_committee(english)  # a co-sponsor without one is refused (tests/review/test_missing_bodies.py)
    proposal.co_sponsors.add(english)
    proposal = resubmit(client, proposal)
    assert proposal.state == State.UNIT_REVIEW


def test_approval_at_a_stage_outside_the_route_is_refused_clearly_never_a_500(client, demo):
    proposal = walk_to(proposal_of(demo, level=Proposal.Level.GRADUATE), demo, State.GRADUATE_COUNCIL)
    # Changed behind the workflow's back (say, in the database): Graduate Council no longer applies.
    Proposal.objects.filter(pk=proposal.pk).update(level=Proposal.Level.UNDERGRADUATE)
    for voter in ("gc-chair", "gc-member1"):
        services.cast_vote(proposal=proposal, user=demo[voter], choice="approve")
    ballot = proposal.ballots.get(closed_at__isnull=True)
    client.force_login(demo["gc-chair"])
    response = client.post(
        reverse("review:close_vote", args=[proposal.pk]), {"ballot": ballot.pk}, follow=True
    )
    assert response.status_code == 200
    assert "is not on this proposal&#x27;s route any more" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == State.GRADUATE_COUNCIL
    ballot.refresh_from_db()
    assert ballot.closed_at is None  # nothing half-done: the vote stays open
    # Returning it still works, and the resubmission finds the right stage.
    services.decide(
        proposal=proposal,
        user=demo["gc-chair"],
        decision="return",
        comment="Level changed.",
        expected_state=State.GRADUATE_COUNCIL,
        tally={"outcome": "request_changes"},
    )


# --- 4. fee review -------------------------------------------------------------------------------


def test_fee_sign_off_only_at_the_office_stage_and_for_the_fees_it_saw(client, demo):
    proposal = proposal_of(demo, fee_amount=Decimal(75), fee_notes="Lab kit")
    proposal = walk_to(proposal, demo, State.EPPC)
    with pytest.raises(ValidationError, match="once the proposal has reached"):
        services.sign_off_fees(proposal=proposal, user=demo["office"])
    proposal = walk_to_stage(proposal, demo, State.OFFICE_REVIEW)
    with pytest.raises(PermissionDenied):
        services.sign_off_fees(proposal=proposal, user=demo["omc-member1"])
    signed = services.sign_off_fees(proposal=proposal, user=demo["office"])
    assert (signed.fee_review_amount, signed.fee_review_notes) == (Decimal(75), "Lab kit")
    # The committee asks for changes; the authors raise the fee and resubmit.
    proposal = act(signed, demo, "request_changes")
    Proposal.objects.filter(pk=proposal.pk).update(fee_amount=Decimal(120))
    proposal = resubmit(client, proposal)
    assert proposal.state == State.OFFICE_REVIEW and proposal.fee_review_signed_at is None
    assert AuditEvent.objects.filter(proposal=proposal, action="fee_signoff_voided").exists()
    with pytest.raises(ValidationError, match="for the fees the proposal states now"):
        act(proposal, demo, "approve")  # refused, and the vote stays open: nothing half-done
    proposal.refresh_from_db()
    assert proposal.state == State.OFFICE_REVIEW and proposal.ballots.filter(closed_at__isnull=True).exists()
    services.sign_off_fees(proposal=proposal, user=demo["office"])
    assert act(proposal, demo, "approve").state == State.APPROVED


def test_a_sign_off_for_other_fees_does_not_count(demo):
    proposal = walk_to(proposal_of(demo, fee_amount=Decimal(75)), demo, State.OFFICE_REVIEW)
    services.sign_off_fees(proposal=proposal, user=demo["office"])
    Proposal.objects.filter(pk=proposal.pk).update(fee_amount=Decimal(90))  # stale behind its back
    proposal.refresh_from_db()
    with pytest.raises(ValidationError, match="fee review sign-off"):
        act(proposal, demo, "approve")


def walk_to_stage(proposal, demo, state):
    while proposal.state != state:
        proposal = act(proposal, demo, "approve")
    return proposal


# --- 3. FIU consultation ---------------------------------------------------------------------------


def test_fiu_submission_is_refused_until_asa_completes_the_consultation(client, fiu):
    proposal = proposal_of(fiu)
    proposal.consultations.all().delete()
    client.force_login(fiu["faculty"])
    response = client.post(reverse("review:submit", args=[proposal.pk]))
    assert response["Location"].endswith("/edit/basics/?check=1")
    page = client.get(response["Location"]).content.decode()
    assert "Ask Academic and Student Affairs for a consultation" in page
    assert Proposal.objects.get(pk=proposal.pk).state == State.DRAFT
    client.post(reverse("proposals:consult", args=[proposal.pk]), {"message": "Rigor?"})
    client.force_login(fiu["office"])
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "Complete the consultation" in page
    empty = client.post(
        reverse("review:complete_consultation", args=[proposal.pk]), {"rigor": " "}, follow=True
    )
    assert "Record the level of rigor agreed with the authors." in empty.content.decode()  # beside the field
    client.force_login(fiu["gc-chair"] if "gc-chair" in fiu else fiu["fscc-chair"])
    assert (
        client.post(reverse("review:complete_consultation", args=[proposal.pk]), {"rigor": "x"}).status_code
        == 404
    )
    client.force_login(fiu["office"])
    client.post(
        reverse("review:complete_consultation", args=[proposal.pk]), {"rigor": "Graduate-level capstone"}
    )
    client.force_login(fiu["faculty"])
    client.post(reverse("review:submit", args=[proposal.pk]))
    assert Proposal.objects.get(pk=proposal.pk).state == State.UNIT_REVIEW
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "Level of rigor agreed: “Graduate-level capstone”" in page


def test_fiu_credit_stacking_micro_credential_needs_the_curriculum_committee(fiu):
    from proposals.policy import route

    proposal = proposal_of(fiu, stacks_for_credit=True)
    assert [s.state for s in route(proposal)] == ["unit_review", "fscc", "asa_review"]


# --- 7. interdisciplinary proposals -----------------------------------------------------------------


def test_every_sponsoring_units_committee_approves_at_unit_review(client, demo):
    english = Unit.objects.get(code="english")
    english_committee = ReviewBody.objects.create(
        name="English curriculum committee",
        slug="english-curriculum",
        kind=BodyKind.UNIT_COMMITTEE,
        unit=english,
    )
    english_reviewer = faculty("englishreviewer")
    Membership.objects.create(body=english_committee, user=english_reviewer, role=Membership.Role.CHAIR)
    proposal = proposal_of(demo)
    proposal.co_sponsors.add(english)
    proposal = submit(proposal)
    client.force_login(english_reviewer)
    assert "Decide" in client.get(reverse("review:queue")).content.decode()
    proposal = services.decide(
        proposal=proposal, user=demo["unitreviewer"], decision="approve", expected_state=State.UNIT_REVIEW
    )
    assert proposal.state == State.UNIT_REVIEW  # English has not approved yet
    with pytest.raises(ValidationError, match="already approved"):
        services.decide(
            proposal=proposal, user=demo["unitreviewer"], decision="approve", expected_state=State.UNIT_REVIEW
        )
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "Department of English: waiting for its curriculum committee" in page
    proposal = services.decide(
        proposal=proposal, user=english_reviewer, decision="approve", expected_state=State.UNIT_REVIEW
    )
    assert proposal.state == State.EPPC
    assert list(
        AuditEvent.objects.filter(proposal=proposal, action="unit_approved").values_list(
            "unit__code", flat=True
        )
    ) == ["cs", "english"]


def test_any_sponsoring_unit_may_return_it(demo):
    english = Unit.objects.get(code="english")
    body = ReviewBody.objects.create(
        name="English committee", slug="english-curriculum", kind=BodyKind.UNIT_COMMITTEE, unit=english
    )
    reviewer = faculty("englishreviewer")
    Membership.objects.create(body=body, user=reviewer, role=Membership.Role.CHAIR)
    proposal = proposal_of(demo)
    proposal.co_sponsors.add(english)
    proposal = submit(proposal)
    proposal = services.decide(
        proposal=proposal,
        user=reviewer,
        decision="return",
        comment="Add an English course.",
        expected_state=State.UNIT_REVIEW,
    )
    assert proposal.state == State.RETURNED


# --- 8. a third profile is data ------------------------------------------------------------------


@pytest.fixture
def toy_profile(settings):
    """A made-up university whose route has a stage of its own: the Academic Senate votes on every
    proposal, then the provost's office decides."""
    base = PROFILES["fiu"]
    toy = replace(
        base,
        key="toy",
        name="Toy",
        institution="Toy State University",
        office_name="Office of the Provost",
        office_body="provost",
        bodies=(
            replace(base.bodies[0], kind="academic_senate", label="Academic Senate", slug="senate"),
            replace(base.bodies[1], kind="provost", label="Office of the Provost", slug="provost"),
        ),
        stages=(
            base.stages[0],
            Stage(
                "senate_review", "Academic Senate review", "academic_senate", VOTE, lambda p: True, "“toy”"
            ),
            Stage("provost_review", "Provost review", "provost", DECISION, lambda p: True, "“toy”"),
        ),
        rules={"title": "“toy”", "summary": "“toy”"},
    )
    register_profile(toy)
    settings.MICROCRED_POLICY = "toy"
    yield toy
    del PROFILES["toy"]


def test_a_third_profile_with_a_stage_of_its_own_approves_a_proposal(client, toy_profile):
    from microcred.demo import seed_demo
    from proposals.policy import validate_profiles

    validate_profiles()
    seed_demo(with_proposals=False)
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.in_bulk(field_name="username")
    assert {"senate-chair", "senate-member1", "office"} <= set(users)
    proposal = complete_proposal(author=users["faculty"], unit=users["faculty"].unit_roles.first().unit)
    proposal = submit(proposal)
    proposal = act(proposal, users, "approve")
    assert proposal.state == "senate_review"
    client.force_login(users["senate-member1"])
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "Academic Senate review" in page and "Cast my vote" in page
    proposal = act(proposal, users, "approve")
    assert proposal.state == "provost_review"
    client.force_login(users["office"])
    assert proposal.title in client.get(reverse("review:queue")).content.decode()
    proposal = act(proposal, users, "approve")
    assert proposal.state == State.APPROVED
    assert stages_seen(proposal) == ["unit_review", "senate_review", "provost_review", "approved"]


def test_no_code_outside_the_profiles_names_a_profile():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    # The profiles' modules, and the demo's units under each profile.
    profiles = {*(root / "proposals" / "policy").glob("*.py"), root / "proposals" / "demo_units.py"}
    offenders = []
    for path in [*root.glob("[a-z]*/**/*.py"), *root.glob("[a-z]*/**/*.html")]:
        if {".venv", "tests", "migrations"} & set(path.parts) or path in profiles:
            continue
        if re.search(r"""["'](binghamton|fiu)["']""", path.read_text()):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
