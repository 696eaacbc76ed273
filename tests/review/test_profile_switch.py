"""Switching the policy profile on a site in use (issue 20, hole 7).

The rule: a proposal keeps the profile it was submitted under from submission to publication. After
``MICROCRED_POLICY`` changes, a proposal in review continues on its own profile's route, reviewed by
its own profile's bodies, and is published as that route approved it; a draft, or a returned
proposal resubmitted after the switch, takes the active profile and starts its route, where no
approval given under the earlier profile counts. The active office may move a proposal in review to
the active profile with a recorded decision; ``migrate`` (a database check) says what is in flight.
"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from microcred.demo import seed_demo
from proposals.models import Proposal
from proposals.policy import State
from review import services
from review.models import AuditEvent, Ballot
from review.panels import progress_track
from tests.factories import complete_proposal
from tests.workflow import act, stages_seen, walk_to

pytestmark = pytest.mark.django_db

BINGHAMTON_CREDIT_ROUTE = [State.UNIT_REVIEW, State.EPPC, State.FSEC, State.OFFICE_REVIEW]


@pytest.fixture
def both(demo, settings):
    """The demo bodies of both profiles in one database; the site runs Binghamton until a test
    switches. Returns ``switch()``, which sets ``MICROCRED_POLICY=fiu`` and gives the demo users
    afresh (a person's roles are read once per request: a new request after the switch)."""
    home = demo["faculty"].unit_roles.get().unit
    settings.MICROCRED_POLICY = "fiu"
    seed_demo(with_proposals=False)
    settings.MICROCRED_POLICY = "binghamton"

    def switch():
        settings.MICROCRED_POLICY = "fiu"
        return get_user_model().objects.in_bulk(list(demo), field_name="username")

    return demo, home, switch


def proposal_of(users, home, **fields):
    return complete_proposal(author=users["faculty"], unit=home, **fields)


def refreshed(proposal):
    return Proposal.objects.get(pk=proposal.pk)


def test_a_proposal_approved_under_binghamton_is_published_on_its_own_route_after_the_switch(client, both):
    """Published as Binghamton's route approved it: it needed no ASA review, and its page and its
    route say Binghamton's stages, not FIU's. (Before: the page showed FIU's route, ASA review
    included, as done.)"""
    users, home, switch = both
    proposal = walk_to(proposal_of(users, home, kind=Proposal.Kind.NON_CREDIT), users, State.OFFICE_REVIEW)
    proposal = act(proposal, users, "approve")
    assert proposal.state == State.APPROVED and proposal.profile == "binghamton"

    users = switch()
    proposal = services.publish(proposal=refreshed(proposal), user=users["office"])

    assert proposal.state == State.PUBLISHED and proposal.profile == "binghamton"
    assert stages_seen(proposal) == [State.UNIT_REVIEW, State.OFFICE_REVIEW, State.APPROVED, State.PUBLISHED]
    track = [step["state"] for step in progress_track(proposal)]
    assert track == [State.UNIT_REVIEW, State.OFFICE_REVIEW, State.APPROVED, State.PUBLISHED]
    assert all(step["status"] == "done" for step in progress_track(proposal)[:-1])


def test_fees_signed_off_under_binghamton_are_still_required_after_the_switch(client, both):
    """FIU has no fee review, Binghamton does: a Binghamton proposal charging additional fees is not
    approved at the Office committee until the Office signs the fees off. (Before: nobody could act
    at the Office committee's stage under FIU, and FIU's missing fee rule would have let it through.)"""
    users, home, switch = both
    proposal = walk_to(proposal_of(users, home, fee_amount=Decimal(200)), users, State.OFFICE_REVIEW)

    users = switch()
    ballot = Ballot.objects.get(proposal=proposal, closed_at__isnull=True)
    assert ballot.body.slug == "omc"
    client.force_login(users["omc-chair"])
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "Office of Micro-Credentials staff sign off the fee review" in page
    with pytest.raises(ValidationError, match="fee review sign-off by Office of Micro-Credentials staff"):
        act(refreshed(proposal), users, "approve")
    assert refreshed(proposal).state == State.OFFICE_REVIEW

    services.sign_off_fees(proposal=refreshed(proposal), user=users["office"])
    proposal = act(refreshed(proposal), users, "approve")
    assert proposal.state == State.APPROVED and proposal.profile == "binghamton"


def test_a_proposal_at_eppc_is_not_stranded_after_the_switch(client, both):
    """EPPC's members still read it and vote, its chair closes the vote, and it continues on
    Binghamton's route to approval. (Before: nobody might vote or act at EPPC under FIU.)"""
    users, home, switch = both
    proposal = walk_to(proposal_of(users, home), users, State.EPPC)

    users = switch()
    client.force_login(users["eppc-chair"])
    page = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert page.status_code == 200
    assert "Reviewed under the Binghamton policy profile" in page.content.decode()
    queue = client.get(reverse("review:queue"))
    assert proposal.title in queue.content.decode()

    ballot = Ballot.objects.get(proposal=proposal, closed_at__isnull=True)
    for voter in ("eppc-chair", "eppc-member1", "eppc-member2"):
        services.cast_vote(proposal=refreshed(proposal), user=users[voter], choice="approve")
    proposal, _ = services.close_vote(
        proposal=refreshed(proposal), user=users["eppc-chair"], ballot_id=ballot.pk
    )
    assert proposal.state == State.FSEC
    assert Ballot.objects.get(proposal=proposal, closed_at__isnull=True).body.slug == "fsec"

    while proposal.state in State.REVIEW_STAGES:
        proposal = act(proposal, users, "approve")
    assert proposal.state == State.APPROVED
    assert stages_seen(proposal) == [*BINGHAMTON_CREDIT_ROUTE, State.APPROVED]


def test_the_start_up_check_names_what_is_in_flight_under_the_earlier_profile(both):
    """``migrate`` (and ``check --database default``) says how many proposals are in review under
    Binghamton, where, and what becomes of them; nothing when the profile has not changed, and
    nothing without a migrated database. (Before: no such check.)"""
    from django.core.checks import run_checks
    from django.db import OperationalError

    from review import checks

    users, home, switch = both
    walk_to(proposal_of(users, home, title="At EPPC"), users, State.EPPC)
    walk_to(proposal_of(users, home, title="At EPPC too", code="MC-2"), users, State.EPPC)
    returned = walk_to(proposal_of(users, home, title="Returned", code="MC-3"), users, State.UNIT_REVIEW)
    act(returned, users, "request_changes")
    walk_to(proposal_of(users, home, title="Draft", code="MC-4"), users, State.UNIT_REVIEW)  # same either way
    assert not [w for w in run_checks(databases=["default"]) if w.id == "proposals.W001"]

    switch()
    warnings = [w for w in run_checks(databases=["default"]) if w.id == "proposals.W001"]
    assert len(warnings) == 1
    message = warnings[0].msg
    assert message.startswith(
        "4 proposals are in review under the Binghamton profile while MICROCRED_POLICY is fiu"
    )
    assert "2 at EPPC review" in message and "1 at Unit review" in message
    assert "1 returned to its authors" in message
    assert (
        "continue on Binghamton's route" in message
        and "move one to FIU with a recorded decision (“Move to the FIU profile”" in message
    )
    # Not a deployment check: ``check --deploy`` never reads the database.
    assert not [w for w in run_checks() if w.id == "proposals.W001"]

    def no_table():
        raise OperationalError("no such table: proposals_proposal")

    checks_in_flight, checks.in_flight_elsewhere = checks.in_flight_elsewhere, no_table
    try:
        assert checks.profile_switch_in_flight(None, databases=["default"]) == []
    finally:
        checks.in_flight_elsewhere = checks_in_flight


def test_the_office_moves_a_proposal_to_fiu_with_a_recorded_decision(client, both):
    """ASA's staff move a Binghamton proposal at EPPC to FIU, saying why: it starts FIU's route at
    unit review (its Binghamton unit approval does not count), EPPC's vote is closed, and the history
    keeps the decision. Nobody else may, and not without a reason. (Before: no such action.)"""
    users, home, switch = both
    proposal = walk_to(proposal_of(users, home), users, State.EPPC)
    users = switch()
    url = reverse("review:move_to_profile", args=[proposal.pk])

    client.force_login(users["office"])
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert url in page and "Move to the FIU profile" in page
    client.force_login(users["eppc-chair"])
    assert url not in client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert client.post(url, {"comment": "Not mine to move."}).status_code == 403

    client.force_login(users["office"])
    response = client.post(url, {"comment": ""}, follow=True)
    assert "Say why" in response.content.decode()
    assert refreshed(proposal).state == State.EPPC

    response = client.post(url, {"comment": "The Senate asked that it follow FIU 380.104."}, follow=True)
    assert "Moved to the FIU policy profile" in response.content.decode()
    proposal = refreshed(proposal)
    assert (proposal.state, proposal.profile) == (State.UNIT_REVIEW, "fiu")
    assert not Ballot.objects.filter(proposal=proposal, closed_at__isnull=True).exists()
    event = AuditEvent.objects.get(proposal=proposal, action=AuditEvent.Action.PROFILE_CHANGED)
    assert (event.actor, event.from_state, event.to_state) == (users["office"], State.EPPC, State.UNIT_REVIEW)
    assert "The Senate asked that it follow FIU 380.104." in event.comment
    assert "no approval given under Binghamton counts" in event.comment

    # Its Binghamton unit approval does not count: ASA review is refused until FIU's unit review approves.
    assert [s.state for s in Proposal.objects.get(pk=proposal.pk).route()] == [
        State.UNIT_REVIEW,
        State.ASA_REVIEW,
    ]
    proposal = act(proposal, users, "approve")
    assert proposal.state == State.ASA_REVIEW
    proposal = act(proposal, users, "approve")
    assert proposal.state == State.APPROVED
    assert stages_seen(proposal)[-3:] == [State.UNIT_REVIEW, State.ASA_REVIEW, State.APPROVED]


def test_a_moved_proposal_is_not_moved_twice_and_a_current_one_not_at_all(both):
    users, home, switch = both
    proposal = walk_to(proposal_of(users, home), users, State.EPPC)
    users = switch()
    services.move_to_profile(proposal=refreshed(proposal), user=users["office"], comment="Follow FIU.")
    with pytest.raises(services.StaleState):
        services.move_to_profile(proposal=refreshed(proposal), user=users["office"], comment="Again.")
    with pytest.raises(PermissionDenied):
        services.move_to_profile(proposal=refreshed(proposal), user=users["faculty"], comment="Mine.")


def test_a_draft_submitted_after_the_switch_follows_fius_route(both):
    """A draft written under Binghamton and submitted after the switch takes FIU: unit review, then
    ASA review (a credit-bearing one went to EPPC under Binghamton). (Before: no profile recorded.)"""
    users, home, switch = both
    proposal = proposal_of(users, home)
    users = switch()
    proposal = walk_to(refreshed(proposal), users, State.UNIT_REVIEW)
    assert proposal.profile == "fiu"
    proposal = act(proposal, users, "approve")
    assert proposal.state == State.ASA_REVIEW


def test_a_proposal_returned_under_binghamton_and_resubmitted_after_the_switch_starts_fius_route(both):
    """Returned by EPPC under Binghamton, resubmitted under FIU: it starts FIU's route at unit review,
    where its Binghamton unit approval does not count, and the history says why. (Before: the
    Binghamton unit approval counted and it went straight to ASA review.)"""
    users, home, switch = both
    proposal = walk_to(proposal_of(users, home), users, State.EPPC)
    proposal = act(proposal, users, "request_changes")
    assert proposal.state == State.RETURNED

    users = switch()
    proposal, _version = services.submit(proposal=refreshed(proposal), user=users["faculty"])
    assert (proposal.state, proposal.profile) == (State.UNIT_REVIEW, "fiu")
    why = AuditEvent.objects.filter(proposal=proposal, action="resubmitted").latest("created_at").comment
    assert "no approval given under Binghamton counts" in why


def test_records_made_before_proposals_kept_their_profile_are_given_the_one_their_stages_name(settings):
    """The data migration's rule: the profile whose route names the stage (EPPC is Binghamton's),
    else the active one (unit review is every profile's)."""
    from proposals.policy.routing import profile_naming

    assert profile_naming({State.EPPC}, "fiu") == "binghamton"
    assert profile_naming({State.UNIT_REVIEW, State.ASA_REVIEW}, "binghamton") == "fiu"
    assert profile_naming({State.UNIT_REVIEW}, "fiu") == "fiu"
    assert profile_naming(set(), "binghamton") == "binghamton"
