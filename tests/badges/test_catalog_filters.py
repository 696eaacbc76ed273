"""The catalog people can search: filters in the URL, each card saying who may join, credits and
fee; an edited URL never errors."""

import pytest
from django.urls import reverse

from proposals.models import Competency, Proposal
from tests.badges import test_issuing
from tests.workflow import publish_achievement

pytestmark = pytest.mark.django_db

issuer_key = test_issuing.issuer_key


@pytest.fixture
def two(demo, issuer_key, django_capture_on_commit_callbacks):
    open_one = publish_achievement(
        demo, django_capture_on_commit_callbacks, title="Data Storytelling", code="MC-DS"
    )
    closed = publish_achievement(
        demo, django_capture_on_commit_callbacks, title="Grant Writing", code="MC-GW", kind="non_credit"
    )
    Proposal.objects.filter(pk=open_one.proposal_id).update(open_to_non_matriculated=True, fee_amount=0)
    Proposal.objects.filter(pk=closed.proposal_id).update(open_to_non_matriculated=False, fee_amount=150)
    return open_one, closed


def catalog(client, **query):
    return client.get(reverse("badges:catalog"), query).content.decode()


def test_an_outside_learner_finds_what_they_may_join(client, two):
    page = catalog(client, who="anyone")

    assert "Data Storytelling" in page and "Grant Writing" not in page
    assert "Open to learners from outside" in page and "No fee" in page


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"q": "storytelling"}, "Data Storytelling"),
        ({"q": "MC-GW"}, "Grant Writing"),
        ({"kind": "non_credit"}, "Grant Writing"),
        ({"fee": "fee"}, "Grant Writing"),
        ({"fee": "none"}, "Data Storytelling"),
        ({"who": "students"}, "Grant Writing"),
    ],
)
def test_each_filter_narrows_the_list(client, two, query, shown):
    page = catalog(client, **query)

    assert 'data-count="1"' in page and shown in page


def test_a_competency_and_a_unit_filter(client, two):
    open_one, _closed = two
    competency = Competency.objects.first()
    Proposal.objects.get(pk=open_one.proposal_id).competencies.set([competency])
    Proposal.objects.get(pk=_closed.proposal_id).competencies.clear()

    assert 'data-count="1"' in catalog(client, competency=competency.pk)
    assert 'data-count="2"' in catalog(client, unit=open_one.proposal.unit_id)


def test_an_edited_url_is_ignored_not_an_error(client, two):
    response = client.get(
        reverse("badges:catalog"), {"unit": "x';--", "competency": "99999", "who": "<script>"}
    )

    assert response.status_code == 200 and 'data-count="2"' in response.content.decode()
