"""A micro-certificate's components are checked at each approval and at publication, not only at
submission, and a micro-credential and its revisions are one (issue 20, hole 5; FIU, where
micro-certificates are: “A micro-certificate is a collection of related micro-credentials”)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from proposals.models import Proposal
from proposals.policy import State
from proposals.services import SubmissionRefused
from review import services
from tests.factories import complete_proposal
from tests.workflow import act, submit

pytestmark = pytest.mark.django_db


def published(users, code, **fields):
    author = users["faculty"]
    proposal = complete_proposal(
        author=author, unit=author.unit_roles.first().unit, code=code, title=code, **fields
    )
    Proposal.objects.filter(pk=proposal.pk).update(state=State.PUBLISHED)
    return Proposal.objects.get(pk=proposal.pk)


def certificate(users, components):
    author = users["faculty"]
    proposal = complete_proposal(
        author=author,
        unit=author.unit_roles.first().unit,
        code="MC-CERT",
        title="Data Certificate",
        form=Proposal.Form.MICRO_CERTIFICATE,
        kind=Proposal.Kind.NON_CREDIT,
        theme="Data-informed decision making",
    )
    proposal.components.set(components)
    return proposal


def retire_for_good(component, users):
    return services.retire(
        proposal=component, user=users["office"], reason="Discontinued.", confirm_dependents=True
    )


def test_fiu_a_component_retired_during_review_stops_the_approval_with_the_reason(client, fiu_demo):
    first, second = published(fiu_demo, "MC-A"), published(fiu_demo, "MC-B")
    proposal = submit(certificate(fiu_demo, [first, second]))
    assert proposal.state == State.UNIT_REVIEW
    retire_for_good(second, fiu_demo)
    with pytest.raises(ValidationError, match="no longer make a micro-certificate learners can complete"):
        act(proposal, fiu_demo, "approve")
    assert Proposal.objects.get(pk=proposal.pk).state == State.UNIT_REVIEW
    # Through the page: the reviewer is told why, nothing moves, no server error.
    client.force_login(fiu_demo["unitreviewer"])
    response = client.post(
        reverse("review:decide", args=[proposal.pk]),
        {"decision": "approve", "comment": "", "expected_state": State.UNIT_REVIEW},
        follow=True,
    )
    assert response.status_code == 200
    assert "not yet published: “MC-B”" in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).state == State.UNIT_REVIEW
    # Returned to the authors, it can be resubmitted with another component.
    proposal = act(Proposal.objects.get(pk=proposal.pk), fiu_demo, "request_changes")
    proposal.components.set([first, published(fiu_demo, "MC-C")])
    assert submit(proposal).state == State.UNIT_REVIEW


def test_fiu_a_component_retired_after_approval_stops_the_publication(fiu_demo):
    first, second = published(fiu_demo, "MC-A"), published(fiu_demo, "MC-B")
    proposal = submit(certificate(fiu_demo, [first, second]))
    while proposal.state in State.REVIEW_STAGES:
        proposal = act(proposal, fiu_demo, "approve")
    assert proposal.state == State.APPROVED
    retire_for_good(first, fiu_demo)
    with pytest.raises(ValidationError, match="not yet published: “MC-A”"):
        services.publish(proposal=proposal, user=fiu_demo["office"])
    assert Proposal.objects.get(pk=proposal.pk).state == State.APPROVED


def test_fiu_a_component_replaced_by_its_published_revision_still_counts(fiu_demo):
    first, second = published(fiu_demo, "MC-A"), published(fiu_demo, "MC-B")
    proposal = submit(certificate(fiu_demo, [first, second]))
    # MC-B is replaced by its revision: retired, with the revision published.
    revision = published(fiu_demo, "MC-B2", revision_of=second, effective_from="2026-01-01")
    Proposal.objects.filter(pk=second.pk).update(state=State.RETIRED)
    assert revision.revision_of_id == second.pk
    proposal = act(Proposal.objects.get(pk=proposal.pk), fiu_demo, "approve")
    assert proposal.state != State.UNIT_REVIEW


def test_fiu_a_component_and_its_own_revision_count_as_one(fiu_demo):
    original = published(fiu_demo, "MC-A")
    revision = published(fiu_demo, "MC-A2", revision_of=original, effective_from="2026-01-01")
    proposal = certificate(fiu_demo, [original, revision])
    said = " ".join(p.message for p in proposal.submission_problems())
    assert "“MC-A” and “MC-A2” are one micro-credential" in said or "“MC-A2” and “MC-A” are one" in said
    assert "at least 2 other micro-credentials" in said
    with pytest.raises(SubmissionRefused):
        submit(proposal)
    assert Proposal.objects.get(pk=proposal.pk).state == State.DRAFT


def test_fiu_components_of_distinct_lines_ask_nothing_more_of_the_database(
    fiu_demo, django_assert_num_queries
):
    # The usual case (published components, none a revision) reads no more than the components.
    proposal = certificate(fiu_demo, [published(fiu_demo, "MC-A"), published(fiu_demo, "MC-B")])
    from proposals.selectors import prefetched

    loaded = prefetched().get(pk=proposal.pk)
    with django_assert_num_queries(0):
        assert loaded.component_problems() == []
