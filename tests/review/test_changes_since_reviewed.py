"""A revised proposal tells each reviewer what changed since the version they last reviewed
(issue 14, item 2): the sections that changed are marked on the page and in its navigation, one
click from the diff; nobody else sees such marks."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from proposals.models import Activity, Proposal, ProposalVersion
from proposals.page import PAGE_SECTIONS, changes_by_section, section_of
from proposals.versions import PARTS, SCALAR_FIELDS, diff, snapshot
from review import services
from tests.factories import complete_proposal
from tests.workflow import return_and_resubmit

pytestmark = pytest.mark.django_db

MARK = "Changed since you reviewed version"


def revise(demo, first_submitter="faculty"):
    """Version 1 returned by the unit reviewer; version 2, with a new purpose and fees, back at unit
    review. The co-author may submit version 1; the lead author submits version 2."""
    author = demo["faculty"]
    proposal = complete_proposal(author=author, unit=author.unit_roles.first().unit)
    proposal.co_authors.add(demo["coauthor"])

    def change(p):
        Proposal.objects.filter(pk=p.pk).update(
            purpose="Serves working analysts as well as students.", fee_amount=Decimal(40)
        )

    proposal = return_and_resubmit(proposal, demo, change, submitter=demo[first_submitter])
    assert proposal.state == "unit_review"
    assert list(ProposalVersion.objects.filter(proposal=proposal).values_list("number", flat=True)) == [1, 2]
    return proposal


@pytest.fixture
def revised(demo):
    return revise(demo)


def page_of(client, user, proposal):
    client.force_login(user)
    response = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert response.status_code == 200
    return response.content.decode()


def section_html(html, anchor):
    """The HTML of the reading section whose heading has this id."""
    start = html.index(f'aria-labelledby="{anchor}"')
    return html[start : html.index("</section>", start)]


def nav_html(html):
    start = html.index('aria-label="On this page"')
    return html[start : html.index("</nav>", start)]


def test_reviewer_of_version_1_sees_the_changed_sections_marked_on_version_2(client, demo, revised):
    html = page_of(client, demo["unitreviewer"], revised)
    for anchor in ("read-purpose", "read-fees"):
        section = section_html(html, anchor)
        assert f"{MARK} 1" in section, anchor
        assert 'href="#changes-since"' in section
    for anchor in ("read-basics", "read-courses", "read-outcomes", "read-alignment", "read-evidence"):
        assert MARK not in section_html(html, anchor), anchor
    # The diff is on the page, and on the comparison page of those two versions.
    diff_card = section_html(html, "changes-since")
    assert "Serves working analysts as well as students." in diff_card
    assert 'data-change="changed"' in diff_card
    versions = reverse("proposals:versions", args=[revised.pk])
    assert f'href="{versions}?from=1&amp;to=2"' in diff_card
    # The navigation marks the same two sections, and nothing else.
    nav = nav_html(html)
    marked = re.findall(r'href="#([\w-]+)">[^<]*<span class="badge mc-changed-badge" data-nav-changed', nav)
    assert marked == ["read-purpose", "read-fees"]


def test_the_comparison_page_linked_from_the_marks_shows_the_changes(client, demo, revised):
    client.force_login(demo["unitreviewer"])
    response = client.get(reverse("proposals:versions", args=[revised.pk]), {"from": 1, "to": 2})
    assert "Serves working analysts as well as students." in response.content.decode()


def test_a_reader_who_never_reviewed_it_sees_no_marks(client, demo, revised):
    html = page_of(client, demo["office"], revised)
    assert MARK not in html and "data-changed-since" not in html
    assert 'id="changes-since"' not in html and "data-nav-changed" not in html


@pytest.mark.parametrize("who", ["faculty", "coauthor"])
def test_an_author_sees_no_since_you_reviewed_marks(client, demo, who):
    # The co-author submitted version 1 and the lead author version 2: submitting is not reviewing.
    revised = revise(demo, first_submitter="coauthor")
    html = page_of(client, demo[who], revised)
    assert MARK not in html and "What changed since you last reviewed it" not in html


def test_a_reviewer_who_reviewed_the_newest_version_sees_no_marks(client, demo, revised):
    services.decide(
        proposal=revised, user=demo["unitreviewer"], decision="approve", expected_state="unit_review"
    )
    assert MARK not in page_of(client, demo["unitreviewer"], revised)


def test_every_part_of_a_snapshot_is_shown_in_one_section_of_the_page():
    proposal = complete_proposal()
    keys = set(snapshot(proposal)) | {
        f"{part}.{name}" for part, (_n, fields) in PARTS.items() for name in fields
    }
    assert set(SCALAR_FIELDS) <= keys
    anchors = {s.anchor for s in PAGE_SECTIONS}
    for key in keys:
        assert section_of(key) in anchors, key


def test_a_changed_alignment_marks_the_alignment_section_not_the_outcomes():
    proposal = complete_proposal(outcomes=1)
    before = snapshot(Proposal.objects.get(pk=proposal.pk))
    proposal.outcomes.get().activities.add(Activity.objects.create(proposal=proposal, title="Studio"))
    changes = diff(before, snapshot(Proposal.objects.get(pk=proposal.pk)))
    assert set(changes_by_section(changes)) == {"read-alignment"}
