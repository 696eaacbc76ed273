"""Submission freezes an immutable snapshot; any reader compares two versions field by field."""

from decimal import Decimal

import pytest
from django.urls import reverse

from proposals import services
from proposals.models import Course, LearningOutcome, Proposal, ProposalVersion
from proposals.versions import diff
from tests.factories import complete_proposal, faculty, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted():
    proposal = complete_proposal()
    proposal, version, _before = services.submit_proposal(proposal=proposal, user=proposal.lead_author)
    return proposal, version


def test_snapshot_holds_the_whole_proposal(submitted):
    _proposal, version = submitted
    data = version.data
    assert data["title"] == "Data Storytelling"
    assert [c["number"] for c in data["courses"]] == ["300", "301"]
    assert data["outcomes"][0]["activities"] == ["Weekly data clinic"]
    assert len(data["competencies"]) == 2


def test_snapshot_does_not_change_when_the_live_proposal_does(submitted):
    proposal, version = submitted
    frozen = dict(version.data)
    Proposal.objects.filter(pk=proposal.pk).update(title="Renamed later")
    Course.objects.filter(proposal=proposal).delete()
    version.refresh_from_db()
    assert version.data == frozen
    with pytest.raises(ValueError, match="immutable"):
        version.save()


def _second_version(proposal):
    """Edit the live proposal as a revision would, and freeze it as version 2."""
    Proposal.objects.filter(pk=proposal.pk).update(title="Data Storytelling for Scientists")
    first, second = proposal.courses.order_by("position")
    second.title = "Visual Analytics"
    second.save()
    first.delete()
    Course.objects.create(proposal=proposal, subject="DS", number="450", title="Capstone", credits=Decimal(3))
    outcome = proposal.outcomes.order_by("position").last()
    outcome.text = "Explain a finding to a board of directors."
    outcome.save()
    LearningOutcome.objects.create(proposal=proposal, position=9, kind="slo", text="A brand new outcome.")
    return services.snapshot_version(proposal=proposal, user=proposal.lead_author)


def test_diff_lists_exactly_what_changed(submitted):
    proposal, v1 = submitted
    v2 = _second_version(proposal)
    changes = {(c.change, c.label, c.field, str(c.old), str(c.new)) for c in diff(v1.data, v2.data)}
    assert changes == {
        ("changed", "Title", "", "Data Storytelling", "Data Storytelling for Scientists"),
        ("changed", "Course DS 301", "title", "Course 1", "Visual Analytics"),
        (
            "added",
            "Course DS 450",
            "",
            "—",
            "subject: DS; number: 450; title: Capstone; credits: 3.0; is new: No",
        ),
        (
            "removed",
            "Course DS 300",
            "",
            "subject: DS; number: 300; title: Course 0; credits: 3.0; is new: No",
            "—",
        ),
        (
            "changed",
            "Outcome “Explain a finding to a board of directors.”",
            "text",
            "Outcome 1: explain a finding to a lay audience.",
            "Explain a finding to a board of directors.",
        ),
        (
            "added",
            "Outcome “A brand new outcome.”",
            "",
            "—",
            "kind: slo; text: A brand new outcome.; competencies: —; activities: —; assessments: —",
        ),
    }


def test_same_version_compared_with_itself_has_no_changes(submitted):
    _proposal, v1 = submitted
    assert diff(v1.data, v1.data) == []


def test_reader_compares_two_versions_in_the_browser(client, submitted):
    proposal, _v1 = submitted
    _second_version(proposal)
    client.force_login(proposal.lead_author)
    html = client.get(
        reverse("proposals:versions", args=[proposal.pk]), {"from": 1, "to": 2}
    ).content.decode()
    assert "Data Storytelling for Scientists" in html
    assert html.count('data-change="added"') == 2 and html.count('data-change="removed"') == 1


def test_version_pages_are_closed_to_people_who_may_not_read(client, submitted):
    proposal, _v1 = submitted
    client.force_login(faculty("outsider", unit("far-away")))
    assert client.get(reverse("proposals:versions", args=[proposal.pk])).status_code == 404
    assert client.get(reverse("proposals:version", args=[proposal.pk, 1])).status_code == 404


def test_versions_are_numbered_per_proposal(submitted):
    proposal, v1 = submitted
    v2 = services.snapshot_version(proposal=proposal, user=proposal.lead_author)
    assert (v1.number, v2.number) == (1, 2)
    assert ProposalVersion.objects.filter(proposal=proposal).count() == 2
