"""Pages keep a constant number of SQL queries as data grows (1 versus 50 parts or proposals)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals.models import Activity, Assessment, Course, LearningOutcome

from .factories import complete_proposal

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
