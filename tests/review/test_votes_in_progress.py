"""Votes in progress: while a vote is open the body's members, its chair and staff and the office
see how many of the recorded voters have voted and whether quorum is reached, never who chose
what; the chair and staff also see who has not voted yet and remind them, once a day at most."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from proposals.policy import State
from review import services
from review.models import Ballot, Membership, Notification, ReviewBody
from tests.factories import complete_proposal
from tests.workflow import place_at

pytestmark = pytest.mark.django_db

SECRET = "The rubric is too thin for twelve credits"


@pytest.fixture
def proposal(demo):
    """A graduate proposal of the demo faculty member at the Graduate Council's vote: the chair and
    two members vote, so quorum is 2 of 3."""
    author = demo["faculty"]
    return place_at(
        complete_proposal(author=author, unit=author.unit_roles.first().unit, level="graduate"),
        State.GRADUATE_COUNCIL,
    )


def page_of(client, user, proposal):
    client.force_login(user)
    return client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()


def text(html):
    """What a reader sees: the tags dropped, the spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def progress_of(page):
    match = re.search(r"data-vote-progress>(.*?)</div>", page, re.S)
    return text(match.group(1)) if match else None


def not_voted_of(page):
    match = re.search(r"<ul [^>]*data-not-voted>(.*?)</ul>", page, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else None


def cast(demo, proposal, username, choice, comment=""):
    services.cast_vote(proposal=proposal, user=demo[username], choice=choice, comment=comment)


def remind(client, user, proposal, ballot=None, **kwargs):
    client.force_login(user)
    ballot = ballot or Ballot.objects.get(proposal=proposal, closed_at__isnull=True)
    return client.post(reverse("review:remind_voters", args=[proposal.pk]), {"ballot": ballot.pk}, **kwargs)


def reminded(mailoutbox):
    return sorted(m.to[0].split("@")[0] for m in mailoutbox)


# --- how far the vote has got ---------------------------------------------------------------------


@pytest.mark.parametrize("username", ["gc-member1", "gc-chair"])
def test_member_and_chair_see_how_many_have_voted_as_votes_arrive(client, demo, proposal, username):
    viewer = demo[username]
    assert progress_of(page_of(client, viewer, proposal)) == (
        "0 of 3 recorded voters have voted · quorum 2 of the 3 recorded voters: not yet 0 of 3"
    )
    cast(demo, proposal, "gc-member2", "approve")
    assert progress_of(page_of(client, viewer, proposal)).startswith(
        "1 of 3 recorded voters have voted · quorum 2 of the 3 recorded voters: not yet"
    )
    cast(demo, proposal, "gc-member2", "reject")  # a changed vote is still one vote
    assert progress_of(page_of(client, viewer, proposal)).startswith("1 of 3 recorded voters have voted")
    cast(demo, proposal, "gc-member1" if username == "gc-chair" else "gc-chair", "abstain")
    page = page_of(client, viewer, proposal)
    assert progress_of(page).startswith(
        "2 of 3 recorded voters have voted · quorum 2 of the 3 recorded voters: reached"
    )
    assert re.search(r'<progress [^>]*max="3" value="2" aria-labelledby="vote-progress-label"', page)


def test_the_body_quorum_setting_is_the_quorum_shown(client, demo, proposal):
    ReviewBody.objects.filter(ballots__proposal=proposal).update(quorum=3)
    cast(demo, proposal, "gc-member1", "approve")
    cast(demo, proposal, "gc-member2", "approve")
    assert progress_of(page_of(client, demo["gc-member1"], proposal)).startswith(
        "2 of 3 recorded voters have voted · quorum 3 of the 3 recorded voters: not yet"
    )


def test_the_office_sees_the_progress_but_not_who_has_not_voted(client, demo, proposal):
    cast(demo, proposal, "gc-member2", "approve")
    page = page_of(client, demo["office"], proposal)
    assert progress_of(page).startswith("1 of 3 recorded voters have voted")
    assert not_voted_of(page) is None and "Remind those who have not voted" not in page


@pytest.mark.parametrize("username", ["faculty", "eppc-member1"])
def test_authors_and_other_bodies_do_not_see_the_progress(client, demo, proposal, username):
    cast(demo, proposal, "gc-member2", "approve")
    assert progress_of(page_of(client, demo[username], proposal)) is None


@pytest.mark.parametrize("username", ["gc-chair", "gc-member1", "office"])
def test_nobody_reads_who_chose_what_while_the_vote_is_open(client, demo, proposal, username):
    cast(demo, proposal, "gc-member2", "approve", comment=SECRET)
    if username != "gc-member1":
        cast(demo, proposal, "gc-member1", "request_changes", comment="Add a capstone")
    page = page_of(client, demo[username], proposal)
    seen = text(page)
    assert SECRET not in page and "capstone" not in page
    for name in ("Priya Raman", "Daniel Kowalski"):
        for at in [m.end() for m in re.finditer(re.escape(name), seen)]:
            after = seen[at : at + 40].lower()
            assert "approve" not in after and "request changes" not in after, (name, after)


def test_a_member_reads_their_own_vote_only(client, demo, proposal):
    cast(demo, proposal, "gc-member2", "approve", comment=SECRET)
    cast(demo, proposal, "gc-member1", "reject", comment="Add a capstone")
    page = page_of(client, demo["gc-member2"], proposal)
    assert "You voted <strong>Approve</strong>" in page and SECRET in page  # their own, in the form
    assert "capstone" not in page


# --- who has not voted yet ------------------------------------------------------------------------


def test_the_chair_sees_who_has_not_voted_a_member_does_not(client, demo, proposal):
    cast(demo, proposal, "gc-member2", "approve")
    chair_page = page_of(client, demo["gc-chair"], proposal)
    assert not_voted_of(chair_page) == ["Margaret Holloway", "Daniel Kowalski"]
    assert "Remind those who have not voted" in chair_page
    member_page = page_of(client, demo["gc-member1"], proposal)
    assert not_voted_of(member_page) is None and "Not voted yet" not in member_page
    assert "Remind those who have not voted" not in member_page


def test_the_chair_is_told_when_everyone_has_voted(client, demo, proposal):
    for username in ("gc-chair", "gc-member1", "gc-member2"):
        cast(demo, proposal, username, "approve")
    page = page_of(client, demo["gc-chair"], proposal)
    assert "Every eligible member has voted." in page and "Remind those who have not voted" not in page


# --- reminding them -------------------------------------------------------------------------------


def test_reminding_emails_each_non_voter_once_a_day(
    client, demo, proposal, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    cast(demo, proposal, "gc-member2", "approve")
    with django_capture_on_commit_callbacks(execute=True):
        response = remind(client, demo["gc-chair"], proposal, follow=True)
    assert reminded(mailoutbox) == ["gc-chair", "gc-member1"]
    assert (
        "Reminded 2 members who had not voted: Margaret Holloway, Daniel Kowalski."
        in response.content.decode()
    )
    mail = next(m for m in mailoutbox if m.to[0].startswith("gc-member1"))
    assert proposal.title in mail.subject and "1 of 3 recorded voters have voted" in mail.body
    assert f"/proposals/{proposal.pk}/#vote" in mail.body

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = remind(client, demo["gc-chair"], proposal, follow=True)
    assert mailoutbox == []
    assert "Everyone who has not voted was reminded today already." in response.content.decode()

    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr("review.services.voting.timezone.localdate", lambda: tomorrow)
    with django_capture_on_commit_callbacks(execute=True):
        remind(client, demo["gc-chair"], proposal)
    assert reminded(mailoutbox) == ["gc-chair", "gc-member1"]


def test_the_body_staff_remind_too(client, demo, proposal, mailoutbox, django_capture_on_commit_callbacks):
    staff = get_user_model().objects.create_user("gc-staff", "gc-staff@example.edu", "pw")
    council = Ballot.objects.get(proposal=proposal).body
    Membership.objects.create(body=council, user=staff, role=Membership.Role.STAFF)
    cast(demo, proposal, "gc-chair", "approve")
    cast(demo, proposal, "gc-member2", "approve")
    with django_capture_on_commit_callbacks(execute=True):
        assert remind(client, staff, proposal).status_code == 302
    assert reminded(mailoutbox) == ["gc-member1"]  # staff do not vote, so are not reminded


def test_an_author_who_chairs_the_body_cannot_remind_on_their_own_proposal(client, demo, proposal):
    proposal.co_authors.add(demo["gc-chair"])
    page = page_of(client, demo["gc-chair"], proposal)
    assert not_voted_of(page) is None and "Remind those who have not voted" not in page
    assert remind(client, demo["gc-chair"], proposal).status_code == 403
    assert not Notification.objects.filter(key__startswith="vote-reminder:").exists()


@pytest.mark.parametrize("username", ["gc-member1", "eppc-chair", "office", "faculty"])
def test_others_may_not_remind(client, demo, proposal, username):
    assert remind(client, demo[username], proposal).status_code == 403
    assert not Notification.objects.filter(key__startswith="vote-reminder:").exists()


def test_reminding_is_a_post(client, demo, proposal):
    client.force_login(demo["gc-chair"])
    assert client.get(reverse("review:remind_voters", args=[proposal.pk])).status_code == 405


def test_nobody_is_reminded_once_the_vote_is_closed(client, demo, proposal, mailoutbox):
    ballot = Ballot.objects.get(proposal=proposal)
    cast(demo, proposal, "gc-member1", "approve")
    cast(demo, proposal, "gc-member2", "approve")
    services.close_vote(proposal=proposal, user=demo["gc-chair"], ballot_id=ballot.pk)
    response = remind(client, demo["gc-chair"], proposal, ballot=ballot, follow=True)
    assert "This vote is closed: nobody was reminded." in response.content.decode()
    assert mailoutbox == [] and not Notification.objects.filter(key__startswith="vote-reminder:").exists()
