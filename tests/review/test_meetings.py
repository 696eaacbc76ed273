"""Meetings: a chair builds and prints an agenda; decisions taken at the meeting link to it."""

import pytest
from django.urls import reverse

from proposals.policy import State
from review.models import AgendaItem, AuditEvent, Ballot, Meeting
from tests.factories import complete_proposal
from tests.review.test_workflow import put_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_eppc(demo):
    author = demo["faculty"]
    unit = author.unit_roles.first().unit
    return [
        put_at(complete_proposal(author=author, unit=unit, title=f"Item {n}"), State.EPPC) for n in range(3)
    ]


def create_meeting(client, chair, body_slug="eppc"):
    from review.models import ReviewBody

    body = ReviewBody.objects.get(slug=body_slug)
    client.force_login(chair)
    return client.post(
        reverse("review:meeting_create", args=[body.pk]),
        {"date": "2026-12-03T14:00", "location": "Library 2205"},
    )


def test_chair_builds_orders_and_prints_an_agenda(client, demo, at_eppc):
    response = create_meeting(client, demo["eppc-chair"])
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("review:meeting", args=[meeting.pk])
    agenda = reverse("review:agenda", args=[meeting.pk])
    for proposal in at_eppc:
        client.post(agenda, {"action": "add", "proposal": proposal.pk})
    items = list(meeting.items.order_by("position"))
    client.post(agenda, {"action": "up", "item": items[2].pk})
    client.post(agenda, {"action": "remove", "item": items[0].pk})
    assert [i.proposal.title for i in meeting.items.order_by("position")] == ["Item 2", "Item 1"]
    page = client.get(reverse("review:meeting", args=[meeting.pk])).content.decode()
    listed = page.split("list-group-numbered")[1]
    assert listed.index("Item 2") < listed.index("Item 1") and "Print the agenda" in page


def test_only_proposals_waiting_for_the_body_can_be_added(client, demo, at_eppc):
    elsewhere = put_at(complete_proposal(author=demo["faculty"], title="At FSEC"), State.FSEC)
    create_meeting(client, demo["eppc-chair"])
    meeting = Meeting.objects.get()
    client.post(reverse("review:agenda", args=[meeting.pk]), {"action": "add", "proposal": elsewhere.pk})
    assert not AgendaItem.objects.exists()


def test_members_see_the_agenda_but_do_not_change_it(client, demo, at_eppc):
    create_meeting(client, demo["eppc-chair"])
    meeting = Meeting.objects.get()
    client.force_login(demo["eppc-member1"])
    assert client.get(reverse("review:meeting", args=[meeting.pk])).status_code == 200
    response = client.post(
        reverse("review:agenda", args=[meeting.pk]), {"action": "add", "proposal": at_eppc[0].pk}
    )
    assert response.status_code == 403 and not AgendaItem.objects.exists()
    client.force_login(demo["fsec-chair"])
    assert client.get(reverse("review:meeting", args=[meeting.pk])).status_code == 403
    assert create_meeting(client, demo["eppc-member1"]).status_code == 404


def test_decision_taken_at_a_meeting_links_to_it(client, demo, at_eppc):
    from review import services

    create_meeting(client, demo["eppc-chair"])
    meeting = Meeting.objects.get()
    proposal = at_eppc[0]
    for username in ("eppc-chair", "eppc-member1"):
        services.cast_vote(proposal=proposal, user=demo[username], choice="approve")
    ballot = Ballot.objects.get(proposal=proposal, closed_at__isnull=True)
    client.force_login(demo["eppc-chair"])
    client.post(
        reverse("review:close_vote", args=[proposal.pk]), {"ballot": ballot.pk, "meeting": meeting.pk}
    )
    ballot.refresh_from_db()
    assert ballot.meeting == meeting
    assert (
        AuditEvent.objects.get(proposal=proposal, action="approved", meeting__isnull=False).meeting == meeting
    )
    page = client.get(reverse("review:meeting", args=[meeting.pk])).content.decode()
    assert "Decisions taken at this meeting" in page and "Item 0: Approved" in page
