"""Issue 14: duplicating a proposal as a new draft, what depends on a published micro-credential
(and the warning before retiring it), the favicon and the page titles."""

from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from badges.models import Achievement, Award, Enrolment
from core.roles import FACULTY
from proposals import services as proposal_services
from proposals.models import Activity, Assessment, Comment, Experience, LearningOutcome, Proposal, UnitRole
from proposals.policy import State
from proposals.versions import snapshot
from review import services
from tests.factories import complete_proposal, curriculum_committee, faculty, unit
from tests.workflow import place_at

pytestmark = pytest.mark.django_db


def content(proposal):
    """Everything a copy must carry over, without ids, names of people, unit or code."""
    from proposals.selectors import prefetched

    data = snapshot(prefetched().get(pk=proposal.pk))
    for name in ("courses", "experiences", "activities", "assessments", "outcomes", "attachments"):
        for item in data[name]:
            item.pop("id")
    for name in ("title", "code", "unit", "lead_author", "co_authors", "attachments"):
        data.pop(name)
    return data


@pytest.fixture
def original(demo):
    """A complete proposal of the demo faculty member with every kind of part and link."""
    author = demo["faculty"]
    proposal = complete_proposal(author=author, unit=author.unit_roles.first().unit, level="graduate")
    proposal.co_sponsors.add(unit("history"))
    curriculum_committee(unit("history"))
    Experience.objects.create(proposal=proposal, title="Field visit", description="A day at a newsroom.")
    second = Activity.objects.create(proposal=proposal, position=1, title="Studio critique")
    exam = Assessment.objects.create(proposal=proposal, position=1, title="Oral defence")
    last = proposal.outcomes.last()
    last.activities.add(second)
    last.assessments.set([exam])
    return proposal


def test_a_copy_carries_every_part_and_link_and_says_where_it_came_from(demo, original):
    before = content(original)
    copy = proposal_services.duplicate(original, demo["faculty"])

    assert content(copy) == before
    assert copy.state == State.DRAFT and copy.pk != original.pk
    assert copy.title == "Copy of Data Storytelling" and copy.code == ""
    assert copy.lead_author == demo["faculty"] and copy.unit == original.unit
    assert copy.attachments.count() == 0
    # The links point at the copy's own parts, never at the original's.
    assert set(
        LearningOutcome.activities.through.objects.filter(learningoutcome__proposal=copy).values_list(
            "activity__proposal", flat=True
        )
    ) == {copy.pk}
    assert (
        Comment.objects.get(proposal=copy).body
        == "Copied from MC-DS-1 Data Storytelling, its current content."
    )


def test_the_original_is_untouched(demo, original):
    before, updated = content(original), original.updated_at
    proposal_services.duplicate(original, demo["faculty"])
    original.refresh_from_db()
    assert content(original) == before and original.updated_at == updated
    assert original.comments.count() == 0


def test_a_frozen_version_is_copied_as_it_was(demo, original):
    version = proposal_services.snapshot_version(proposal=original, user=demo["faculty"])
    frozen = content(original)
    original.outcomes.first().delete()
    Proposal.objects.filter(pk=original.pk).update(summary="Changed after the version.")

    copy = proposal_services.duplicate(original, demo["faculty"], version=version)

    assert content(copy) == frozen
    assert Comment.objects.get(proposal=copy).body.endswith(", version 1.")


def test_a_published_micro_credential_can_be_copied_by_another_faculty_member(demo, original):
    place_at(original, State.PUBLISHED)
    # A reviewer of the original's unit who teaches in another unit.
    other = demo["unitreviewer"]
    other.groups.add(Group.objects.get(name=FACULTY))
    UnitRole.objects.create(user=other, unit=unit("chemistry"), role=UnitRole.Role.FACULTY)
    copy = proposal_services.duplicate(original, other)
    assert copy.state == State.DRAFT and copy.lead_author == other
    # Not a faculty member of the original's unit: the copy lives in their own.
    assert copy.unit.code == "chemistry"
    # The original's authors did not ask to author someone else's draft.
    assert copy.co_authors.count() == 0


def test_an_author_copying_keeps_the_other_authors_as_co_authors(demo, original):
    original.co_authors.add(demo["coauthor"])
    copy = proposal_services.duplicate(original, demo["coauthor"])
    assert copy.lead_author == demo["coauthor"]
    assert list(copy.co_authors.all()) == [demo["faculty"]]


def test_nothing_is_saved_when_copying_fails_half_way(demo, original):
    count = Proposal.objects.count()
    parts = LearningOutcome.objects.count()
    # The last step fails, after the draft and all its parts were written.
    with (
        mock.patch.object(Comment.objects, "create", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        proposal_services.duplicate(original, demo["faculty"])
    assert Proposal.objects.count() == count and LearningOutcome.objects.count() == parts


def test_only_faculty_who_read_it_may_copy_it(demo, original, client):
    with pytest.raises(PermissionDenied):
        proposal_services.duplicate(original, demo["learner"])
    url = reverse("proposals:duplicate", args=[original.pk])
    client.force_login(demo["faculty"])
    assert client.get(url).status_code == 405
    client.force_login(demo["learner"])
    assert client.post(url).status_code == 404  # the learner may not even read it
    stranger = faculty("stranger", unit("physics"))
    client.force_login(stranger)
    assert client.post(url).status_code == 404
    assert Proposal.objects.count() == 1


def test_the_button_copies_and_opens_the_new_draft(demo, original, client):
    client.force_login(demo["faculty"])
    page = client.get(original.get_absolute_url()).content.decode()
    assert "Duplicate as a new draft" in page
    response = client.post(reverse("proposals:duplicate", args=[original.pk]), follow=True)
    copy = Proposal.objects.exclude(pk=original.pk).get()
    assert response.redirect_chain[-1][0] == copy.get_absolute_url()
    assert "This is your new draft" in response.content.decode()


def test_a_reader_who_may_not_start_proposals_sees_no_duplicate_button(demo, original, client):
    place_at(original, State.UNIT_REVIEW)
    client.force_login(demo["unitreviewer"])
    page = client.get(original.get_absolute_url())
    assert page.status_code == 200 and "Duplicate as a new draft" not in page.content.decode()
    assert client.post(reverse("proposals:duplicate", args=[original.pk])).status_code == 403


def test_a_version_of_another_proposal_is_refused(demo, original):
    other = complete_proposal(author=demo["faculty"], unit=original.unit, title="Other")
    version = proposal_services.snapshot_version(proposal=other, user=demo["faculty"])
    with pytest.raises(ValidationError):
        proposal_services.duplicate(original, demo["faculty"], version=version)


# --- what depends on a published micro-credential ------------------------------------------------


def achievement_of(proposal):
    return Achievement.objects.create(
        proposal=proposal,
        version=1,
        proposal_version=1,
        name=proposal.title,
        achievement_type=Achievement.Type.BADGE,
        data={},
        image_png=b"",
        image_svg="",
    )


@pytest.fixture
def component(demo):
    """A published micro-credential that a published micro-certificate is built on."""
    author = demo["faculty"]
    home = author.unit_roles.first().unit
    badge = place_at(
        complete_proposal(author=author, unit=home, stacks_into="BS in Data Science"), State.PUBLISHED
    )
    certificate = complete_proposal(
        author=author,
        unit=home,
        title="Data Leadership",
        code="MC-DL-9",
        form=Proposal.Form.MICRO_CERTIFICATE,
    )
    certificate.components.add(badge)
    place_at(certificate, State.PUBLISHED)
    return badge


def learners(n, start=0):
    group = Group.objects.get_or_create(name="Learner")[0]
    made = [get_user_model().objects.create_user(f"learner-{start + i}") for i in range(n)]
    for user in made:
        user.groups.add(group)
    return made


def test_the_page_says_what_depends_on_it_and_counts_learners(demo, component, client):
    achievement = achievement_of(component)
    enrolled = learners(3)
    for learner in enrolled:
        Enrolment.objects.create(learner=learner, achievement=achievement)
    Award.objects.create(
        learner=enrolled[0], achievement=achievement, state=Award.State.ISSUED, status_index=900_001
    )
    Award.objects.create(
        learner=enrolled[1], achievement=achievement, state=Award.State.REVOKED, status_index=900_002
    )
    client.force_login(demo["office"])
    page = client.get(component.get_absolute_url()).content.decode()
    assert "Depends on it" in page
    assert "MC-DL-9 Data Leadership" in page and "BS in Data Science" in page
    assert "3 enrolled · 1 holds it" in page


def test_the_panel_asks_a_constant_number_of_queries(demo, component, client):
    from badges.panels import impact_panel
    from proposals.selectors import proposal_for_page

    achievement = achievement_of(component)
    request = mock.Mock(user=demo["office"])
    proposal = proposal_for_page(pk=component.pk, user=demo["office"])
    with CaptureQueriesContext(connection) as few:
        impact_panel(request, proposal)
    for learner in learners(20):
        Enrolment.objects.create(learner=learner, achievement=achievement)
    for n in range(3):
        extra = complete_proposal(author=demo["faculty"], unit=component.unit, title=f"Cert {n}")
        extra.components.add(component)
    with CaptureQueriesContext(connection) as many:
        context = impact_panel(request, proposal)
    assert len(many) == len(few) == 3
    assert context["enrolled"] == 20 and len(context["dependents"]) == 4


def test_no_panel_before_it_is_published(demo, original, client):
    client.force_login(demo["faculty"])
    assert "Depends on it" not in client.get(original.get_absolute_url()).content.decode()


def test_retiring_what_a_published_micro_certificate_needs_asks_for_confirmation(demo, component, client):
    client.force_login(demo["office"])
    page = client.get(component.get_absolute_url()).content.decode()
    assert "data-retire-warning" in page and 'name="confirm_dependents"' in page

    with pytest.raises(ValidationError, match="MC-DL-9 Data Leadership"):
        services.retire(proposal=component, user=demo["office"])
    client.post(reverse("review:retire", args=[component.pk]))
    component.refresh_from_db()
    assert component.state == State.PUBLISHED

    client.post(reverse("review:retire", args=[component.pk]), {"confirm_dependents": "on"})
    component.refresh_from_db()
    assert component.state == State.RETIRED


def test_someone_who_may_not_retire_learns_nothing_of_the_dependents(demo, component):
    with pytest.raises(PermissionDenied):
        services.retire(proposal=component, user=demo["faculty"], confirm_dependents=True)


def test_retiring_needs_no_confirmation_when_nothing_published_depends_on_it(demo, component):
    component.part_of.update(state=State.RETIRED)
    place_at(component, State.PUBLISHED)
    assert services.retire(proposal=component, user=demo["office"]).state == State.RETIRED


# --- favicon and titles ------------------------------------------------------------------------


def test_every_page_links_the_favicon_and_it_is_served(demo, client):
    page = client.get(reverse("login")).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.svg"
    from django.contrib.staticfiles import finders

    with open(finders.find("favicon.svg")) as icon:
        svg = icon.read()
    assert svg.startswith("<svg") and "#1d2a3a" in svg and "#7fd6cf" in svg


def title_of(response):
    html = response.content.decode()
    return html[html.index("<title>") + 7 : html.index("</title>")]


def test_page_titles_name_the_page_and_the_proposal(demo, original, client):
    proposal_services.snapshot_version(proposal=original, user=demo["faculty"])
    proposal_services.snapshot_version(proposal=original, user=demo["faculty"])
    client.force_login(demo["faculty"])
    pk = original.pk
    assert title_of(client.get(reverse("proposals:detail", args=[pk]))).startswith("Data Storytelling ·")
    assert title_of(client.get(reverse("proposals:edit", args=[pk, "basics"]))).startswith(
        "Edit Basics · Data Storytelling"
    )
    assert title_of(client.get(reverse("proposals:versions", args=[pk]))).startswith(
        "Changes from version 1 to 2 · Data Storytelling"
    )
    assert title_of(client.get(reverse("proposals:version", args=[pk, 1]))).startswith(
        "Version 1 · Data Storytelling"
    )
