"""A stage whose body is inactive or missing: every move into it is refused, whole, with a message
naming what is missing, never a 500; the office is told; ``manage.py check`` warns."""

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ValidationError
from django.urls import reverse

from proposals.models import Proposal, ProposalVersion
from proposals.policy import BodyKind, State, active_profile
from review import permissions, services
from review.models import AuditEvent, Ballot, Notification, ReviewBody
from tests.factories import complete_proposal
from tests.workflow import act, submit, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["binghamton", "fiu"])
def site(request):
    """The demo organisation of each profile; returns users by username."""
    return request.getfixturevalue("demo" if request.param == "binghamton" else "fiu_demo")


def non_credit(site):
    """A complete non-credit proposal of the demo faculty member: unit review, then the office's stage."""
    author = site["faculty"]
    return complete_proposal(
        author=author, unit=author.unit_roles.first().unit, kind=Proposal.Kind.NON_CREDIT
    )


def deactivate_office_body():
    """What an administrator does in the admin: untick the office's body "active"."""
    ReviewBody.objects.filter(kind=active_profile().office_body).update(is_active=False)


def office_refusal():
    profile = active_profile()
    return (
        f"{profile.body_label(profile.office_body)} has no active review body: an administrator must set "
        f"it up (or reactivate it) before the proposal can move to {profile.office_stage.label}."
    )


def stored(proposal):
    return Proposal.objects.get(pk=proposal.pk)


def test_the_message_names_the_office_committee_and_its_stage_as_the_policy_does(demo):
    proposal = submit(non_credit(demo))
    deactivate_office_body()
    with pytest.raises(ValidationError) as refused:
        services.decide(
            proposal=proposal, user=demo["unitreviewer"], decision="approve", expected_state=State.UNIT_REVIEW
        )
    assert refused.value.messages == [
        "Office of Micro-Credentials review committee has no active review body: an administrator must "
        "set it up (or reactivate it) before the proposal can move to Office of Micro-Credentials "
        "committee review."
    ]


# --- refused, whole ----------------------------------------------------------------------------


def test_approving_at_unit_review_into_a_stage_without_body_is_refused_and_nothing_moves(site):
    proposal = submit(non_credit(site))
    deactivate_office_body()
    with pytest.raises(ValidationError) as refused:
        services.decide(
            proposal=proposal, user=site["unitreviewer"], decision="approve", expected_state=State.UNIT_REVIEW
        )
    assert refused.value.messages == [office_refusal()]
    assert stored(proposal).state == State.UNIT_REVIEW
    assert not Ballot.objects.filter(proposal=proposal).exists()
    assert not AuditEvent.objects.filter(proposal=proposal, action=AuditEvent.Action.APPROVED).exists()


def test_the_refusal_shows_on_the_proposal_page_never_a_500(client, site):
    proposal = submit(non_credit(site))
    deactivate_office_body()
    client.force_login(site["unitreviewer"])
    path = reverse("review:decide", args=[proposal.pk])
    response = client.post(path, {"decision": "approve", "expected_state": State.UNIT_REVIEW})
    assert response.status_code == 302
    assert response["Location"] == proposal.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert office_refusal() in page
    assert stored(proposal).state == State.UNIT_REVIEW


def test_a_committee_vote_that_approves_into_a_stage_without_body_is_refused_and_stays_open(demo):
    """EPPC approves a credit-bearing proposal, and FSEC has been deactivated: the vote stays open."""
    author = demo["faculty"]
    proposal = walk_to(
        complete_proposal(author=author, unit=author.unit_roles.first().unit), demo, State.EPPC
    )
    ReviewBody.objects.filter(kind=BodyKind.FSEC).update(is_active=False)
    with pytest.raises(ValidationError, match="before the proposal can move to FSEC review"):
        act(proposal, demo, "approve")
    assert stored(proposal).state == State.EPPC
    ballot = Ballot.objects.get(proposal=proposal)
    assert ballot.is_open and ballot.body.kind == BodyKind.EPPC
    # Told although the refusal came from inside the vote's closing, whose transaction rolled back.
    told = Notification.objects.filter(key__startswith=f"missing-body:{proposal.pk}:{BodyKind.FSEC}:")
    assert [n.recipient for n in told] == [demo["office"]]


def test_a_resubmission_that_resumes_at_a_stage_without_body_is_refused(site):
    proposal = walk_to(non_credit(site), site, active_profile().office_stage.state)
    proposal = act(proposal, site, "request_changes")
    assert proposal.state == State.RETURNED
    deactivate_office_body()
    with pytest.raises(ValidationError) as refused:
        submit(stored(proposal))
    assert refused.value.messages == [office_refusal()]
    assert stored(proposal).state == State.RETURNED
    assert ProposalVersion.objects.filter(proposal=proposal).count() == 1
    assert not AuditEvent.objects.filter(proposal=proposal, action=AuditEvent.Action.RESUBMITTED).exists()


def test_unit_review_needs_a_committee_for_each_sponsoring_unit(demo):
    """Unit review has no one body: each sponsoring unit's committee (at it or above it) approves."""
    from proposals.models import Unit

    proposal = non_credit(demo)
    english = Unit.objects.get(code="english")
    proposal.co_sponsors.add(english)
    stage = active_profile().stages[0]
    assert [m.name for m in permissions.missing_bodies(proposal, stage)] == ["Department of English"]
    ReviewBody.objects.create(
        name="Harpur curriculum committee",
        slug="harpur-curriculum",
        kind=BodyKind.UNIT_COMMITTEE,
        unit=Unit.objects.get(code="harpur"),
    )
    assert permissions.missing_bodies(proposal, stage) == []


# --- the office is told ------------------------------------------------------------------------


def test_the_office_is_told_once_per_missing_body_and_proposal(client, site):
    proposal = submit(non_credit(site))
    deactivate_office_body()
    client.force_login(site["unitreviewer"])
    path = reverse("review:decide", args=[proposal.pk])
    for _attempt in range(2):
        client.post(path, {"decision": "approve", "expected_state": State.UNIT_REVIEW})
    told = Notification.objects.filter(key__startswith=f"missing-body:{proposal.pk}:")
    assert [n.recipient for n in told] == [site["office"]]
    assert office_refusal() in told[0].body
    assert told[0].url == proposal.get_absolute_url()


# --- manage.py check -----------------------------------------------------------------------------


def warnings_of(checks):
    return [c for c in checks if c.id == "review.W001"]


def test_the_system_check_is_silent_when_every_stage_has_its_body(site):
    assert warnings_of(run_checks()) == []


def test_the_system_check_warns_of_a_stage_whose_body_is_inactive(site):
    deactivate_office_body()
    warned = warnings_of(run_checks())
    assert [w.obj for w in warned] == [active_profile().office_stage.state]
    assert active_profile().office_stage.label in warned[0].msg


def test_the_system_check_warns_when_no_unit_has_a_curriculum_committee(demo):
    ReviewBody.objects.filter(kind=BodyKind.UNIT_COMMITTEE).update(is_active=False)
    warned = warnings_of(run_checks())
    assert [w.obj for w in warned] == [State.UNIT_REVIEW]
    assert "no unit has an active curriculum committee" in warned[0].msg
