"""Pages keep a constant number of SQL queries as data grows (1 versus 50 parts or proposals)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals.models import Activity, Assessment, Course, LearningOutcome
from tests.factories import complete_proposal

pytestmark = pytest.mark.django_db


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def grow(proposal, n):
    activity, assessment = proposal.activities.get(), proposal.assessments.get()
    competency = proposal.competencies.first()
    for i in range(n):
        Course.objects.create(
            proposal=proposal, subject="X", number=str(500 + i), title=f"C{i}", credits=Decimal(1)
        )
        Activity.objects.create(proposal=proposal, title=f"A{i}")
        Assessment.objects.create(proposal=proposal, title=f"S{i}")
        outcome = LearningOutcome.objects.create(proposal=proposal, text=f"O{i}", position=10 + i)
        outcome.competencies.add(competency)
        outcome.activities.add(activity)
        outcome.assessments.add(assessment)


@pytest.mark.parametrize("page", ["detail", "edit-outcomes", "edit-alignment", "edit-courses"])
def test_proposal_pages_do_not_grow_with_parts(client, page):
    small, large = (
        complete_proposal(outcomes=1, courses=1),
        complete_proposal(outcomes=1, courses=1, title="L"),
    )
    grow(large, 49)
    name, _, section = page.partition("-")

    def path(p):
        return reverse(f"proposals:{name}", args=[p.pk, section] if section else [p.pk])

    client.force_login(small.lead_author)
    few = count_queries(client, path(small))
    client.force_login(large.lead_author)
    many = count_queries(client, path(large))
    assert many == few, f"{page}: {few} queries with 1 of each part, {many} with 50"


def test_what_changed_since_a_review_does_not_grow_with_the_changes(client, demo):
    """A reviewer of version 1 reads version 2 with its changed sections marked and the diff: the
    same queries whether one field changed or two hundred parts were added (which version the
    reviewer last reviewed is one query, the two versions compared another)."""
    from tests.workflow import return_and_resubmit

    author = demo["faculty"]
    home = author.unit_roles.first().unit

    def retitle(p):
        p.title = "Retitled"
        p.save(update_fields=["title"])

    def grow_and_retitle(p):
        # 50 outcomes, activities and assessments, aligned (courses would pass the credit limit).
        competency = p.competencies.first()
        for i in range(50):
            activity = Activity.objects.create(proposal=p, title=f"A{i}")
            assessment = Assessment.objects.create(proposal=p, title=f"S{i}")
            outcome = LearningOutcome.objects.create(proposal=p, text=f"O{i}", position=10 + i)
            outcome.competencies.add(competency)
            outcome.activities.add(activity)
            outcome.assessments.add(assessment)
        retitle(p)

    small = return_and_resubmit(complete_proposal(author=author, unit=home), demo, retitle)
    large = return_and_resubmit(
        complete_proposal(author=author, unit=home, title="L"), demo, grow_and_retitle
    )
    client.force_login(demo["unitreviewer"])
    few = count_queries(client, reverse("proposals:detail", args=[small.pk]))
    page = client.get(reverse("proposals:detail", args=[large.pk])).content.decode()
    assert page.count("data-changed-since=") == 3, "the basics, outcomes and alignment are marked"
    assert count_queries(client, reverse("proposals:detail", args=[large.pk])) == few


def test_my_proposals_does_not_grow_with_proposals(client):
    first = complete_proposal()
    client.force_login(first.lead_author)
    few = count_queries(client, reverse("proposals:mine"))
    for n in range(49):
        complete_proposal(author=first.lead_author, title=f"P{n}")
    many = count_queries(client, reverse("proposals:mine"))
    assert many == few


def test_home_page_does_not_grow_with_proposals(client):
    first = complete_proposal()
    client.force_login(first.lead_author)
    few = count_queries(client, reverse("home"))
    for n in range(49):
        complete_proposal(author=first.lead_author, title=f"P{n}")
    assert count_queries(client, reverse("home")) == few


# --- exact counts: a regression shows as a changed number ----------------------------------------


def _at(proposal, state):
    from tests.workflow import place_at

    return place_at(proposal, state)


# The dashboard's twelve-month trends: per month, the stays at each stage (two), the awards per
# month, per micro-credential and the micro-credentials' competencies.
TREND_QUERIES = 6
EXACT_PAGES = {
    # (page, who): queries
    # Session, user, roles (3), own proposals by state, the recent activity; what the authors
    # are to revise or submit only when they have some.
    ("home", "faculty"): 7,
    # The person's group names are read once for the page and the navigation.
    ("mine", "faculty"): 7,
    # The vote panel's progress (N of M voted, quorum) and who may vote: one query for the
    # ballot's recorded voters, whatever their number (``test_vote_panel_does_not_grow_with_the_body``).
    ("detail", "gc-member1"): 31,
    ("detail", "gc-chair"): 32,
    ("detail", "faculty"): 28,
    ("queue", "unitreviewer"): 8,
    ("queue", "gc-member1"): 7,
    ("queue", "office"): 7,
    # The waiting table (3), and the trends: per month (1), stays per stage and their percentiles
    # (2), awards per month and per achievement (2); whatever the history's length.
    ("dashboard", "office"): 14,  # of which TREND_QUERIES compute the trends (kept in the cache)
}


@pytest.fixture
def pipeline(demo):
    author = demo["faculty"]
    unit = author.unit_roles.first().unit
    at_gc = _at(
        complete_proposal(author=author, unit=unit, level="graduate", title="At GC"), "graduate_council"
    )
    _at(complete_proposal(author=author, unit=unit, title="At unit"), "unit_review")
    _at(complete_proposal(author=author, unit=unit, title="Approved"), "approved")
    return at_gc


@pytest.mark.parametrize(("page", "who"), list(EXACT_PAGES))
def test_main_pages_make_exactly_this_many_queries(client, demo, pipeline, page, who):
    paths = {
        "home": reverse("home"),
        "mine": reverse("proposals:mine"),
        "detail": reverse("proposals:detail", args=[pipeline.pk]),
        "queue": reverse("review:queue"),
        "dashboard": reverse("review:dashboard"),
    }
    client.force_login(demo[who])
    count = count_queries(client, paths[page])
    assert count == EXACT_PAGES[(page, who)]


@pytest.mark.parametrize("who", ["gc-member1", "gc-chair", "office"])
def test_vote_panel_does_not_grow_with_the_body(client, demo, pipeline, who):
    """The vote's progress and the chair's list of who has not voted: the same queries with the
    demo's three members and one vote as with 33 members and 21 votes (the members joined before
    the vote opened: a vote's voters are those recorded then)."""
    from django.contrib.auth import get_user_model

    from review import services
    from review.models import Membership, ReviewBody

    services.cast_vote(proposal=pipeline, user=demo["gc-member2"], choice="approve")
    client.force_login(demo[who])
    few = count_queries(client, reverse("proposals:detail", args=[pipeline.pk]))
    council = ReviewBody.objects.get(ballots__proposal=pipeline)
    extra = []
    for n in range(30):
        member = get_user_model().objects.create_user(f"extra{n}", f"extra{n}@example.edu", "x")
        Membership.objects.create(body=council, user=member, role=Membership.Role.MEMBER)
        extra.append(member)
    author = demo["faculty"]
    large = _at(
        complete_proposal(author=author, unit=author.unit_roles.first().unit, level="graduate", title="Big"),
        "graduate_council",
    )
    services.cast_vote(proposal=large, user=demo["gc-member2"], choice="approve")
    for n, member in enumerate(extra):
        if n % 3:
            services.cast_vote(proposal=large, user=member, choice="reject")
    assert count_queries(client, reverse("proposals:detail", args=[large.pk])) == few


# POSTs write the audit trail and one notification row per recipient (the demo bodies' members),
# after one query per announcement for who among the recipients reads a digest (two a transition:
# the next actors, then the authors). A submission asks, in the rules and again as the proposal enters
# unit review, which sponsoring units have a curriculum committee (one query each time). A transition
# into a committee stage opens its vote and records its voters: two queries (read the voting members,
# insert them), whatever the body's size; closing a vote counts over the recorded voters, one query,
# where it read the authors and the members.
EXACT_ACTIONS = {"submit": 62, "decide": 62, "vote": 37, "close": 69}


def _post_queries(client, path, data):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(path, data)
    assert response.status_code == 302
    return len(queries)


@pytest.mark.parametrize("action", list(EXACT_ACTIONS))
def test_workflow_actions_make_exactly_this_many_queries(client, demo, action):
    from review import services

    author = demo["faculty"]
    proposal = complete_proposal(author=author, unit=author.unit_roles.first().unit, level="graduate")
    if action == "submit":
        client.force_login(author)
        count = _post_queries(client, reverse("review:submit", args=[proposal.pk]), {})
    elif action == "decide":
        proposal, _version = services.submit(proposal=proposal, user=author)
        client.force_login(demo["unitreviewer"])
        count = _post_queries(
            client,
            reverse("review:decide", args=[proposal.pk]),
            {"decision": "approve", "expected_state": "unit_review"},
        )
    else:
        proposal = _at(proposal, "graduate_council")
        if action == "vote":
            client.force_login(demo["gc-member1"])
            count = _post_queries(client, reverse("review:vote", args=[proposal.pk]), {"choice": "approve"})
        else:
            for voter in ("gc-member1", "gc-member2"):
                services.cast_vote(proposal=proposal, user=demo[voter], choice="approve")
            client.force_login(demo["gc-chair"])
            ballot = proposal.ballots.get(closed_at__isnull=True)
            count = _post_queries(
                client, reverse("review:close_vote", args=[proposal.pk]), {"ballot": ballot.pk}
            )
    assert count == EXACT_ACTIONS[action]


def test_awarding_pages_do_not_grow_with_uploads_or_rows(
    client, demo, settings, tmp_path, django_capture_on_commit_callbacks
):
    """The evaluator's awarding page and an upload's preview: the same queries for 1 or 40 rows and
    uploads; the office's page likewise with lapsed certificates listed."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from badges.issuing import services
    from badges.models import BulkAward
    from tests.workflow import publish_achievement

    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    services.create_issuer_key()
    achievement = publish_achievement(demo, django_capture_on_commit_callbacks)
    client.force_login(demo["evaluator"])

    def upload(rows):
        body = "email,given name,family name,student ID,narrative\n" + "".join(
            f"p{n}@example.edu,P,N{n},S{n:05d},Capstone graded A\n" for n in range(rows)
        )
        client.post(
            reverse("badges:awarding"),
            {"achievement": achievement.pk, "file": SimpleUploadedFile("c.csv", body.encode())},
        )
        return BulkAward.objects.order_by("-pk").first()

    small = upload(1)
    page_small = count_queries(client, reverse("badges:awarding"))
    preview_small = count_queries(client, small.get_absolute_url())
    for _ in range(5):
        large = upload(40)
    assert count_queries(client, reverse("badges:awarding")) == page_small
    assert count_queries(client, large.get_absolute_url()) == preview_small
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("badges:bulk_confirm", args=[large.pk]))
    assert count_queries(client, large.get_absolute_url()) == preview_small


def test_dashboard_does_not_grow_with_history_or_awards(client, demo, pipeline):
    """The dashboard's trends are aggregated in the database: the same queries with three proposals
    as with twenty more sent through the workflow (returned, resubmitted, approved, rejected) and
    sixty awards of twelve micro-credentials."""
    from datetime import timedelta

    from django.core.cache import cache
    from django.utils import timezone

    from badges.issuing.documents import NACE_FRAMEWORK
    from tests.factories import issued_awards
    from tests.workflow import act, submit

    client.force_login(demo["office"])
    path = reverse("review:dashboard")

    def computed():  # the trends computed in the request, as on a fresh cache
        cache.clear()
        return count_queries(client, path)

    assert computed() == EXACT_PAGES[("dashboard", "office")]
    author = demo["faculty"]
    unit = author.unit_roles.first().unit
    for n in range(20):
        proposal = submit(complete_proposal(author=author, unit=unit, title=f"Grown {n}"))
        proposal = act(proposal, demo, ["approve", "request_changes", "reject"][n % 3])
        if proposal.state == "returned":
            proposal = submit(proposal)
        while n % 3 == 0 and proposal.state != "approved":
            proposal = act(proposal, demo, "approve")
    now = timezone.now()
    issued_awards(
        author,
        {f"Credential {c}": [now - timedelta(days=25 * i) for i in range(5)] for c in range(12)},
        alignment=[{"targetName": "Teamwork", "targetFramework": NACE_FRAMEWORK}],
    )
    assert computed() == EXACT_PAGES[("dashboard", "office")]
    # Kept in the cache, the trends cost no query at all on the next visit.
    assert count_queries(client, path) == EXACT_PAGES[("dashboard", "office")] - TREND_QUERIES
