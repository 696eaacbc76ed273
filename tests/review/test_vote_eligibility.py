"""Who votes on a ballot is fixed when it opens: the body's chairs and members with an active
account, never the proposal's authors. A later change of membership changes neither the quorum nor
the count, never deletes a vote cast, is shown to the chair and told in the proposal's history."""

import importlib
import re
from html import unescape
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from proposals.policy import State
from review import services
from review.membership_log import acting
from review.models import AuditEvent, Ballot, Membership, Vote
from tests.factories import complete_proposal, faculty
from tests.workflow import place_at

pytestmark = pytest.mark.django_db

# Each profile's committee vote: the demo fixture, the stage, its body's demo logins and what puts
# the stage on a proposal's route.
PROFILES = {
    "binghamton": ("demo", State.GRADUATE_COUNCIL, "gc", {"level": "graduate"}),
    "fiu": ("fiu_demo", State.FSCC, "fscc", {"stacks_for_credit": True}),
}


def _setup(request, before_opening=None):
    fixture, stage, prefix, fields = PROFILES[request.param]
    users = request.getfixturevalue(fixture)
    author = users["faculty"]
    proposal = complete_proposal(author=author, unit=author.unit_roles.first().unit, **fields)
    chair, member1, member2 = (users[f"{prefix}-{role}"] for role in ("chair", "member1", "member2"))
    vote = SimpleNamespace(
        users=users, proposal=proposal, chair=chair, member1=member1, member2=member2, stage=stage
    )
    if before_opening:
        before_opening(vote)
    vote.proposal = place_at(proposal, stage)
    vote.ballot = Ballot.objects.select_related("body").get(proposal=proposal, closed_at__isnull=True)
    vote.body = vote.ballot.body
    return vote


@pytest.fixture(params=list(PROFILES))
def vote(request):
    """A graduate proposal of the demo faculty member at its profile's committee vote (Graduate
    Council; FIU: the Faculty Senate Curriculum Committee): the chair and two members vote."""
    return _setup(request)


def cast(vote, user, choice):
    """As a request would: the person read afresh (their roles are kept on the user object)."""
    fresh = get_user_model().objects.get(pk=user.pk)
    return services.cast_vote(proposal=vote.proposal, user=fresh, choice=choice)


def close(vote):
    proposal, ballot = services.close_vote(proposal=vote.proposal, user=vote.chair, ballot_id=vote.ballot.pk)
    return proposal, ballot


def deactivate_membership(vote, user, by=None):
    membership = Membership.objects.get(body=vote.body, user=user)
    membership.is_active = False
    with acting(by):
        membership.save()


def page_of(client, user, proposal):
    client.force_login(user)
    return client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()


def text(html):
    """What a reader sees: the tags dropped, the entities read, the spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def progress_of(page):
    match = re.search(r'id="vote-progress-label">(.*?)</p>', page, re.S)
    return text(match.group(1)) if match else None


def listed(page, marker):
    match = re.search(rf"<ul [^>]*{marker}>(.*?)</ul>", page, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else None


def name(user):
    return user.get_full_name() or user.username


def recorded(ballot):
    """The usernames the ballot recorded as its voters when it opened."""
    from review.models import BallotVoter

    return set(BallotVoter.objects.filter(ballot=ballot).values_list("user__username", flat=True))


# --- the scenario of issue 20, hole 6 -------------------------------------------------------------


def test_members_deactivated_during_the_vote_do_not_turn_it_into_an_approval(vote):
    cast(vote, vote.chair, "approve")
    cast(vote, vote.member1, "reject")
    cast(vote, vote.member2, "reject")
    deactivate_membership(vote, vote.member1)
    deactivate_membership(vote, vote.member2)
    proposal, ballot = close(vote)
    # Three recorded voters, quorum 2, three votes: one approve, two reject. Never "eligible 1, quorum 1".
    assert ballot.outcome == Ballot.Outcome.REJECTED and proposal.state == State.REJECTED
    assert (ballot.tally["eligible"], ballot.tally["quorum"], ballot.tally["returned"]) == (3, 2, 3)
    assert ballot.tally["left"] == 2
    summary = AuditEvent.objects.get(proposal=proposal, action=AuditEvent.Action.REJECTED).comment
    assert "3 of 3 recorded voters voted" in summary and "2 no longer members" in summary


def test_a_member_who_left_keeps_the_vote_cast_and_cannot_vote_again(vote):
    cast(vote, vote.member1, "approve")
    deactivate_membership(vote, vote.member1)
    with pytest.raises(PermissionDenied, match="no longer a voting member"):
        cast(vote, vote.member1, "reject")
    assert Vote.objects.get(ballot=vote.ballot, voter=vote.member1).choice == "approve"


def test_the_chair_is_shown_who_can_no_longer_vote_and_how_the_count_treats_them(client, vote):
    cast(vote, vote.member1, "approve")
    deactivate_membership(vote, vote.member1)
    deactivate_membership(vote, vote.member2)
    page = page_of(client, vote.chair, vote.proposal)
    assert (
        progress_of(page) == "1 of 3 recorded voters have voted · quorum 2 of the 3 recorded voters: not yet"
    )
    assert (
        f"2 of the 3 recorded voters are no longer voting members of {vote.body.name}: still counted "
        "among the recorded voters for the quorum; their votes cast before stay counted; they cannot vote now."
    ) in text(page)
    assert listed(page, "data-not-voted") == [name(vote.chair)]  # nobody is reminded who cannot vote
    assert sorted(listed(page, "data-cannot-vote")) == sorted(
        f"{name(u)} (no longer a voting member)" for u in (vote.member1, vote.member2)
    )


def test_votes_are_never_deleted_by_a_membership_change(client, vote):
    cast(vote, vote.member1, "approve")
    cast(vote, vote.member2, "reject")
    deactivate_membership(vote, vote.member1)
    Membership.objects.get(body=vote.body, user=vote.member2).delete()
    assert set(vote.ballot.votes.values_list("voter__username", "choice")) == {
        (vote.member1.username, "approve"),
        (vote.member2.username, "reject"),
    }
    assert progress_of(page_of(client, vote.chair, vote.proposal)).startswith(
        "2 of 3 recorded voters have voted · quorum 2 of the 3 recorded voters: reached"
    )


# --- deactivated accounts -------------------------------------------------------------------------


def test_a_deactivated_account_keeps_its_vote_and_cannot_cast_a_new_one(client, vote):
    cast(vote, vote.member1, "approve")
    vote.member1.is_active = False
    vote.member1.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied, match="account is deactivated"):
        cast(vote, vote.member1, "reject")
    assert Vote.objects.get(ballot=vote.ballot, voter=vote.member1).choice == "approve"
    page = page_of(client, vote.chair, vote.proposal)
    assert progress_of(page).startswith("1 of 3 recorded voters have voted · quorum 2 of the 3")
    assert (
        "1 of the 3 recorded voters has a deactivated account: still counted among the recorded voters "
        "for the quorum; a vote cast before stays counted; they cannot vote now."
    ) in text(page)
    cast(vote, vote.chair, "approve")
    _proposal, ballot = close(vote)
    assert ballot.tally["approve"] == 2 and ballot.tally["deactivated"] == 1
    assert ballot.outcome == Ballot.Outcome.APPROVED


@pytest.fixture(params=list(PROFILES))
def vote_with_an_account_deactivated_before(request):
    """As ``vote``, with the second member's account deactivated before the vote opened."""

    def deactivate(vote):
        vote.member2.is_active = False
        vote.member2.save(update_fields=["is_active"])

    return _setup(request, before_opening=deactivate)


def test_an_account_deactivated_before_the_vote_opens_is_not_a_voter(
    client, vote_with_an_account_deactivated_before
):
    vote = vote_with_an_account_deactivated_before
    page = page_of(client, vote.chair, vote.proposal)
    assert (
        progress_of(page) == "0 of 2 recorded voters have voted · quorum 2 of the 2 recorded voters: not yet"
    )
    assert listed(page, "data-not-voted") == sorted(
        [name(vote.chair), name(vote.member1)], key=lambda n: n.split()[-1]
    )


# --- members who join during the vote -------------------------------------------------------------


def test_a_member_added_after_opening_cannot_vote_and_is_told_why(client, vote):
    newcomer = faculty("newcomer")
    Membership.objects.create(body=vote.body, user=newcomer, role=Membership.Role.MEMBER)
    with pytest.raises(PermissionDenied, match="after this vote opened"):
        cast(vote, newcomer, "approve")
    assert not Vote.objects.filter(voter=newcomer).exists()
    page = page_of(client, newcomer, vote.proposal)
    assert "Cast my vote" not in page
    assert f"You joined {vote.body.name} after this vote opened" in page
    client.force_login(newcomer)
    assert "Cast your vote" not in client.get(reverse("review:queue")).content.decode()
    chair_page = page_of(client, vote.chair, vote.proposal)
    assert progress_of(chair_page).startswith("0 of 3 recorded voters have voted")
    assert name(newcomer) not in listed(chair_page, "data-not-voted")


# --- authors --------------------------------------------------------------------------------------


@pytest.fixture(params=list(PROFILES))
def vote_with_authors_on_the_body(request):
    """As ``vote``, with the lead author a member of the body and its first member a co-author."""

    def authors_on_the_body(vote):
        body = Membership.objects.get(user=vote.chair, role=Membership.Role.CHAIR).body
        Membership.objects.create(body=body, user=vote.proposal.lead_author, role=Membership.Role.MEMBER)
        vote.proposal.co_authors.add(vote.member1)

    return _setup(request, before_opening=authors_on_the_body)


def test_authors_are_left_out_of_a_votes_eligible_members(client, vote_with_authors_on_the_body):
    vote = vote_with_authors_on_the_body
    author = vote.proposal.lead_author
    assert recorded(vote.ballot) == {vote.chair.username, vote.member2.username}
    page = page_of(client, vote.chair, vote.proposal)
    # The quorum's denominator: two voters, not four; the authors are not waited for.
    assert (
        progress_of(page) == "0 of 2 recorded voters have voted · quorum 2 of the 2 recorded voters: not yet"
    )
    assert sorted(listed(page, "data-not-voted")) == sorted([name(vote.chair), name(vote.member2)])
    for user in (author, vote.member1):
        assert name(user) not in listed(page, "data-not-voted")
        with pytest.raises(PermissionDenied, match="You author this proposal"):
            cast(vote, user, "approve")


# --- the history ----------------------------------------------------------------------------------


def test_the_history_tells_a_membership_change_during_the_vote(client, vote):
    admin = vote.users["admin"]
    cast(vote, vote.member2, "approve")
    deactivate_membership(vote, vote.member2, by=admin)
    newcomer = faculty("newcomer")
    Membership.objects.create(body=vote.body, user=newcomer, role=Membership.Role.MEMBER)
    left, joined = AuditEvent.objects.filter(
        proposal=vote.proposal, action=AuditEvent.Action.VOTER_MEMBERSHIP_CHANGED
    ).order_by("id")
    assert left.actor == admin and left.from_state == left.to_state == vote.stage
    assert left.comment.startswith(
        f"{name(vote.member2)}'s membership of {vote.body.name} was deactivated while this vote was open."
    )
    assert "a vote they cast before stays counted, they cannot vote now" in left.comment
    assert f"Changed by {name(admin)}." in left.comment
    assert joined.comment.startswith(f"{name(newcomer)} joined {vote.body.name} as member")
    assert "not one of this vote's recorded voters" in joined.comment
    assert "Who made the change was not recorded." in joined.comment
    history = text(page_of(client, vote.proposal.lead_author, vote.proposal))
    assert "Membership changed during the vote by " + name(admin) in history
    assert left.comment in history
    # Still the vote it was: three recorded voters, the one vote cast counted.
    assert vote.ballot.votes.count() == 1


def test_a_change_of_staff_only_is_not_told_to_the_votes(vote):
    staff = faculty("body-staff")
    Membership.objects.create(body=vote.body, user=staff, role=Membership.Role.STAFF)
    assert not AuditEvent.objects.filter(
        proposal=vote.proposal, action=AuditEvent.Action.VOTER_MEMBERSHIP_CHANGED
    ).exists()


# --- votes already open when the voters began to be recorded ------------------------------------


def test_open_ballots_get_todays_voters_when_migrated(vote):
    """The migration records, for each open ballot, the voters today's count used: the body's active
    chairs and members, never the authors; so nothing in flight changes."""
    from django.apps import apps

    from review.models import BallotVoter

    migration = importlib.import_module("review.migrations.0006_ballot_voters")
    vote.proposal.co_authors.add(vote.member1)
    BallotVoter.objects.all().delete()
    migration.record_voters_of_open_ballots(apps, None)
    assert recorded(vote.ballot) == {vote.chair.username, vote.member2.username}
