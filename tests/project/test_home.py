"""The home page as a workspace: what waits for each person (counts, oldest first, a member's own
open votes first), their proposals by state, the recent activity on what they are part of, a
learner's micro-credentials in progress; and a constant number of queries as all of it grows."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from core import roles as global_roles
from proposals.models import UnitRole
from proposals.policy import State
from review import services
from review.models import Membership, ReviewBody
from tests.factories import complete_proposal
from tests.project.test_query_counts import count_queries
from tests.workflow import act, place_at, submit

pytestmark = pytest.mark.django_db


def home(client, user):
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def card(html, key):
    """The HTML of one card of the home page."""
    start = html.index(f'data-panel="{key}"')
    return html[start : html.index("</section>", start)]


def item_links(html):
    return re.findall(r'class="mc-item-link" href="([^"]+)">([^<]+)</a>', html)


@pytest.fixture
def unit_of(demo):
    return demo["faculty"].unit_roles.first().unit


def at_council(demo, unit_of, title, author=None):
    proposal = complete_proposal(
        author=author or demo["coauthor"], unit=unit_of, level="graduate", title=title
    )
    return place_at(proposal, State.GRADUATE_COUNCIL)


def test_a_members_open_vote_comes_first_and_opens_the_vote_panel(client, demo, unit_of):
    older = at_council(demo, unit_of, "Voted Already")
    services.cast_vote(proposal=older, user=demo["gc-member1"], choice="approve")
    waiting = at_council(demo, unit_of, "Waiting For My Vote")
    html = card(home(client, demo["gc-member1"]), "body-gc")
    assert 'data-count="1"' in html  # the proposal already voted on waits for nobody's vote here
    links = item_links(html)
    assert links == [(f"/proposals/{waiting.pk}/#vote", "Waiting For My Vote")]
    assert "Cast your vote" in html and "Open votes waiting for your vote" in html
    page = client.get(links[0][0].split("#")[0]).content.decode()
    assert 'id="vote"' in page and "Cast my vote" in page
    services.cast_vote(proposal=waiting, user=demo["gc-member1"], choice="approve")
    assert "No open votes are waiting for you." in card(home(client, demo["gc-member1"]), "body-gc")


def test_the_chair_sees_own_vote_first_then_votes_to_close_and_next_meetings(client, demo, unit_of):
    from datetime import timedelta

    from django.utils import timezone

    to_close = at_council(demo, unit_of, "Ready To Close")
    services.cast_vote(proposal=to_close, user=demo["gc-chair"], choice="approve")
    services.cast_vote(proposal=to_close, user=demo["gc-member1"], choice="approve")
    to_vote = at_council(demo, unit_of, "Chair Has Not Voted")
    services.create_meeting(
        body=ReviewBody.objects.get(slug="gc"),
        user=demo["gc-chair"],
        date=timezone.now() + timedelta(days=3),
        location="Library 2205",
    )
    html = card(home(client, demo["gc-chair"]), "body-gc")
    assert [label for _url, label in item_links(html)] == ["Chair Has Not Voted", "Ready To Close"]
    assert "Close the vote (2 cast so far)" in html
    assert "Next meetings" in html and "Library 2205" in html
    assert f"/proposals/{to_vote.pk}/#vote" in html and f"/proposals/{to_close.pk}/#vote" in html


def test_the_unit_reviewer_goes_straight_to_the_decision_oldest_first(client, demo, unit_of):
    first = submit(complete_proposal(author=demo["coauthor"], unit=unit_of, title="Submitted First"))
    submit(complete_proposal(author=demo["coauthor"], unit=unit_of, title="Submitted Second"))
    html = card(home(client, demo["unitreviewer"]), "unit-review")
    assert [label for _url, label in item_links(html)] == ["Submitted First", "Submitted Second"]
    assert item_links(html)[0][0] == f"/proposals/{first.pk}/#decide"
    assert 'data-count="2"' in html
    page = client.get(f"/proposals/{first.pk}/").content.decode()
    assert 'id="decide"' in page and "Record the decision" in page


def test_office_links_to_publishing_and_consultations(client, demo, unit_of):
    from proposals import services as proposal_services

    approved = place_at(
        complete_proposal(author=demo["faculty"], unit=unit_of, title="To Publish"), "approved"
    )
    draft = complete_proposal(author=demo["faculty"], unit=unit_of, title="Asks Advice")
    proposal_services.request_consultation(proposal=draft, user=demo["faculty"], message="Please look")
    html = card(home(client, demo["office"]), "office")
    links = {label: url for url, label in item_links(html)}
    assert links["To Publish"] == f"/proposals/{approved.pk}/#publish"
    assert links["Asks Advice"] == f"/proposals/{draft.pk}/#consultation"
    assert "Approved, to publish" in html and "Consultations requested" in html
    page = client.get(f"/proposals/{approved.pk}/").content.decode()
    assert 'id="publish"' in page


def test_faculty_see_their_proposals_by_state_each_opening_the_filtered_list(client, demo, unit_of):
    author = demo["faculty"]
    returned = act(
        submit(complete_proposal(author=author, unit=unit_of, title="Came Back")), demo, "request_changes"
    )
    assert returned.state == State.RETURNED
    complete_proposal(author=author, unit=unit_of, title="Still A Draft")
    submit(complete_proposal(author=author, unit=unit_of, title="Under Review"))
    html = home(client, author)
    by_state = card(html, "faculty")
    assert 'data-count="3"' in by_state
    link = f"/proposals/?state={State.RETURNED}"
    assert f'href="{link}"' in by_state
    todo = card(html, "faculty-todo")
    # Returned for revision before drafts, and each opens the proposal where it is resubmitted.
    assert item_links(todo) == [
        (f"/proposals/{returned.pk}/#submit", "Came Back"),
        (item_links(todo)[1][0], "Still A Draft"),
    ]
    assert "Revise and resubmit" in todo
    listed = client.get(link).content.decode()
    assert "Came Back" in listed and "Still A Draft" not in listed and "Under Review" not in listed
    assert "Show all your proposals" in listed
    assert 'id="submit"' in client.get(f"/proposals/{returned.pk}/").content.decode()


def test_recent_activity_says_who_did_what_and_when_on_my_proposals_only(client, demo, unit_of):
    author = demo["faculty"]
    mine = at_council(demo, unit_of, "My Own At Council", author=author)
    services.cast_vote(proposal=mine, user=demo["gc-member2"], choice="reject", comment="Secret reasons")
    elsewhere = at_council(demo, unit_of, "Someone Else's")
    services.cast_vote(proposal=elsewhere, user=demo["gc-member2"], choice="approve")
    html = card(home(client, author), "activity")
    assert "My Own At Council" in html and "Someone Else" not in html
    member = demo["gc-member2"].get_full_name()
    assert f"{member}: vote cast" in html and "Secret reasons" not in html
    assert "ago" in html or "now" in html
    assert f"/proposals/{mine.pk}/#history" in html
    # The member who voted follows both proposals they acted on.
    theirs = card(home(client, demo["gc-member2"]), "activity")
    assert "My Own At Council" in theirs and "Someone Else" in theirs and "You: vote cast" in theirs


def test_a_learner_sees_what_is_in_progress_and_what_to_do_next(
    client, demo, settings, tmp_path, django_capture_on_commit_callbacks
):
    from badges.issuing import services as badge_services
    from badges.learning import selectors as learning_selectors
    from badges.learning import services as learning
    from badges.models import Learner
    from tests.workflow import publish_achievement

    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    badge_services.create_issuer_key()
    achievement = publish_achievement(demo, django_capture_on_commit_callbacks)
    learner = demo["learner"]
    Learner.objects.create(user=learner, student_id="B00012345")
    enrolment = learning.join(user=learner, achievement=achievement)
    part, _title = learning_selectors.required_parts(achievement)[0]
    learning.submit_evidence(enrolment=enrolment, user=learner, part=part, text="My projects.")
    html = card(home(client, learner), "learner")
    assert item_links(html) == [(f"/badges/learning/{enrolment.pk}/", achievement.name)]
    assert "1 waiting for review" in html
    assert "No award yet." in card(home(client, learner), "awards")


def test_the_home_page_makes_the_same_queries_with_2_and_20_proposals(client, demo, unit_of):
    """A person holding every role (faculty, unit reviewer, member of one committee and chair of
    another, program evaluator, registrar, learner): as many queries with two proposals of each
    kind and their history as with twenty."""
    user = demo["faculty"]
    Membership.objects.create(
        body=ReviewBody.objects.get(unit=unit_of, kind="unit_committee"),
        user=user,
        role=Membership.Role.MEMBER,
    )
    Membership.objects.create(body=ReviewBody.objects.get(slug="gc"), user=user, role=Membership.Role.MEMBER)
    Membership.objects.create(body=ReviewBody.objects.get(slug="eppc"), user=user, role=Membership.Role.CHAIR)
    UnitRole.objects.create(unit=unit_of, user=user, role=UnitRole.Role.PROGRAM_EVALUATOR)
    user.groups.add(*Group.objects.filter(name__in=[global_roles.REGISTRAR, global_roles.LEARNER]))

    def grow(n):
        for i in range(n):
            title = f"Grown {grow.made}"
            grow.made += 1
            submit(complete_proposal(author=user, unit=unit_of, title=f"Mine {title}"))
            complete_proposal(author=user, unit=unit_of, title=f"Draft {title}")
            submit(complete_proposal(author=demo["coauthor"], unit=unit_of, title=f"Unit {title}"))
            at_gc = at_council(demo, unit_of, f"Council {title}")
            if i % 2:
                services.cast_vote(proposal=at_gc, user=user, choice="approve")
            place_at(complete_proposal(author=demo["coauthor"], unit=unit_of, title=f"E {title}"), "eppc")

    grow.made = 0
    grow(2)
    client.force_login(user)
    few = count_queries(client, reverse("home"))
    html = client.get(reverse("home")).content.decode()
    for key in ("faculty", "faculty-todo", "unit-review", "body-gc", "body-eppc", "evaluator", "registrar"):
        assert f'data-panel="{key}"' in html, key
    grow(18)
    html = client.get(reverse("home")).content.decode()
    assert 'data-count="20"' in card(html, "unit-review")
    assert count_queries(client, reverse("home")) == few
