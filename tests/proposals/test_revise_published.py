"""Issue 14: revising a published micro-credential as a new proposal that goes through the route
again, while the published one stays available to learners until the revision, once published,
replaces it from its effective date."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from badges import permissions, selectors
from badges.issuing import services as badge_services
from badges.learning import selectors as learning_selectors
from badges.learning import services as learning
from badges.models import Achievement, Award, Learner
from proposals import services as proposal_services
from proposals.models import Attachment, Experience, Proposal
from proposals.policy import State
from review import services
from review.models import AuditEvent
from review.tasks import supersede_revised
from tests.factories import faculty, unit
from tests.workflow import publish_achievement, walk_to

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(params=["binghamton", "fiu"])
def people(request, settings, tmp_path):
    """The demo organisation of each profile, with an issuer key for the awards."""
    users = request.getfixturevalue("demo" if request.param == "binghamton" else "fiu_demo")
    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    badge_services.create_issuer_key()
    return users


@pytest.fixture
def published(people, django_capture_on_commit_callbacks):
    """A published micro-credential of the demo faculty member, with a co-author and an attachment."""
    achievement = publish_achievement(people, django_capture_on_commit_callbacks)
    proposal = achievement.proposal
    proposal.co_authors.add(people["coauthor"])
    attachment = Attachment(
        proposal=proposal,
        original_name="employers.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=people["faculty"],
    )
    attachment.file.save("employers.pdf", SimpleUploadedFile("employers.pdf", PDF), save=False)
    attachment.save()
    return proposal


def today():
    return timezone.localdate()


def revise(proposal, user, days=0):
    return proposal_services.start_revision(
        proposal=proposal, user=user, effective_from=today() + timedelta(days=days)
    )


def publish(revision, people, capture):
    """Walk the revision through its whole route with the real services, then publish it."""
    approved = walk_to(revision, people, State.APPROVED)
    with capture(execute=True):
        return services.publish(proposal=approved, user=people["office"])


def evaluator(people):
    return people["office"] if permissions.evaluates_centrally() else people["evaluator"]


def student(people):
    Learner.objects.update_or_create(user=people["learner"], defaults={"student_id": "B00012345"})
    return people["learner"]


def earn(enrolment, people, capture):
    """The learner submits every required part; the evaluator accepts each. Returns the award."""
    award = None
    with capture(execute=True):
        for part, _title in learning_selectors.required_parts(enrolment.achievement):
            evidence = learning.submit_evidence(
                enrolment=enrolment, user=enrolment.learner, part=part, text="My work."
            )
            award = learning.review_evidence(evidence=evidence, user=evaluator(people), decision="accept")
    award.refresh_from_db()
    return award


# --- who may start one ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["faculty", "coauthor", "office"])
def test_its_authors_and_the_office_start_a_revision(people, published, client, who):
    client.force_login(people[who])
    page = client.get(published.get_absolute_url()).content.decode()
    assert "Revise this micro-credential" in page
    form = client.get(reverse("proposals:revise", args=[published.pk]))
    assert form.status_code == 200 and 'type="date"' in form.content.decode()

    response = client.post(
        reverse("proposals:revise", args=[published.pk]), {"effective_from": today().isoformat()}
    )
    revision = Proposal.objects.get(revision_of=published)
    assert response.status_code == 302 and response["Location"] == revision.get_absolute_url()
    # Whoever starts it, the micro-credential's authors stay its authors.
    assert revision.lead_author == people["faculty"] and list(revision.co_authors.all()) == [
        people["coauthor"]
    ]
    assert revision.revision_started_by == people[who]
    assert client.get(revision.get_absolute_url()).status_code == 200


def test_others_may_not_start_a_revision(people, published, client):
    url = reverse("proposals:revise", args=[published.pk])
    data = {"effective_from": today().isoformat()}
    assert client.post(url, data)["Location"].startswith(reverse("login"))
    # A reviewer reads the published micro-credential but does not revise it: 403, and no button.
    client.force_login(people["unitreviewer"])
    assert "Revise this micro-credential" not in client.get(published.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 403 and client.post(url, data).status_code == 403
    # Another faculty member and a learner cannot even read the proposal: 404.
    for outsider in (faculty("stranger", unit("physics")), people["learner"]):
        client.force_login(outsider)
        assert client.post(url, data).status_code == 404
    with pytest.raises(PermissionDenied):
        revise(published, people["unitreviewer"])
    assert not Proposal.objects.filter(revision_of=published).exists()


def test_a_retired_micro_credential_is_not_revised(people, published, client):
    services.retire(proposal=published, user=people["office"])
    with pytest.raises(ValidationError, match="Only a published micro-credential can be revised"):
        revise(published, people["faculty"])
    client.force_login(people["faculty"])
    assert "Revise this micro-credential" not in client.get(published.get_absolute_url()).content.decode()
    response = client.post(
        reverse("proposals:revise", args=[published.pk]), {"effective_from": today().isoformat()}, follow=True
    )
    assert "Only a published micro-credential can be revised" in response.content.decode()
    assert not Proposal.objects.filter(revision_of=published).exists()


# --- the revision itself ----------------------------------------------------------------------------


def test_the_revision_holds_the_published_content_and_says_what_it_revises(people, published):
    before = (published.state, published.updated_at)
    revision = revise(published, people["office"], days=30)
    assert revision.state == State.DRAFT and revision.effective_from == today() + timedelta(days=30)
    assert (revision.title, revision.code, revision.unit) == (published.title, published.code, published.unit)
    assert revision.courses.count() == published.courses.count() == 2
    assert revision.outcomes.first().assessments.get().proposal == revision
    # The attachment is copied, file and all: removing it from the revision keeps the published one's.
    copy = revision.attachments.get()
    assert copy.file.name != published.attachments.get().file.name and copy.file.read() == PDF
    comment = revision.comments.get().body
    assert comment.startswith(f"Revision of {published}, started by {people['office'].get_full_name()}")
    published.refresh_from_db()
    assert (published.state, published.updated_at) == before


@pytest.mark.parametrize("given", ["yesterday", "", "31/02/2026", "not a date"])
def test_an_invalid_effective_date_is_refused_beside_the_field(people, published, client, given):
    value = (today() - timedelta(days=1)).isoformat() if given == "yesterday" else given
    client.force_login(people["faculty"])
    response = client.post(reverse("proposals:revise", args=[published.pk]), {"effective_from": value})
    page = response.content.decode()
    assert response.status_code == 200
    # The message sits beside the field and the field points at it.
    field = re.search(r'<input type="date" name="effective_from"[^>]*>', page).group()
    assert 'aria-invalid="true"' in field
    assert "id_effective_from_error" in re.search(r'aria-describedby="([^"]*)"', field).group(1)
    assert 'id="id_effective_from_error"' in page
    expected = "cannot be in the past" if given == "yesterday" else "required" if not given else "valid date"
    assert expected in page
    assert not Proposal.objects.filter(revision_of=published).exists()


def test_one_revision_at_a_time(people, published, client):
    first = revise(published, people["faculty"])
    with pytest.raises(ValidationError, match="already under way"):
        revise(published, people["coauthor"])
    # The database says so too, whatever the code above it does.
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.create(
            title="x", unit=published.unit, lead_author=people["faculty"], revision_of=published,
            effective_from=today(),
        )  # fmt: skip
    # The button gives way to a link to the revision under way.
    client.force_login(people["faculty"])
    page = client.get(published.get_absolute_url()).content.decode()
    assert "Revise this micro-credential" not in page and "data-revised-by" in page
    assert first.get_absolute_url() in page
    # Once the first is withdrawn, another may start.
    services.withdraw(proposal=first, user=people["faculty"])
    assert revise(published, people["coauthor"]).revision_of == published


def test_reviewers_see_it_as_a_revision_with_what_it_changes(people, published, client):
    revision = revise(published, people["faculty"])
    Proposal.objects.filter(pk=revision.pk).update(summary="Learners turn data into clear, honest stories.")
    revision.courses.filter(number="301").update(title="Visual Data Stories")
    Experience.objects.create(proposal=revision, title="Newsroom visit")
    revision = walk_to(revision, people, State.UNIT_REVIEW)
    client.force_login(people["unitreviewer"])
    page = client.get(revision.get_absolute_url()).content.decode()
    assert (
        "data-revision-of" in page and "data-revision-badge" in page and published.get_absolute_url() in page
    )
    # Its history begins with who started it, then its submission and decisions.
    assert page.index("Revision started") < page.index('data-action="submitted"')
    assert "Learners turn data into clear, honest stories." in page and "Visual Data Stories" in page
    # Each edit shows once for what it is; the parts left as they were do not show at all.
    assert page.count('data-change="changed"') == 2 and page.count('data-change="added"') == 1
    assert 'data-change="removed"' not in page


# --- while it is in review, and once it is published --------------------------------------------------


def test_the_published_one_stays_joinable_while_the_revision_is_in_review(people, published, client):
    old = Achievement.objects.get(proposal=published)
    revision = walk_to(revise(published, people["faculty"]), people, State.UNIT_REVIEW)
    assert revision.state == State.UNIT_REVIEW
    published.refresh_from_db()
    assert published.state == State.PUBLISHED
    assert learning_selectors.catalog() == [old]
    enrolment = learning.join(user=student(people), achievement=old)
    assert enrolment.achievement == old


def test_published_with_an_effective_date_of_today_it_replaces_the_old_one_at_once(
    people, published, client, django_capture_on_commit_callbacks
):
    old = Achievement.objects.get(proposal=published)
    revision = publish(revise(published, people["faculty"]), people, django_capture_on_commit_callbacks)
    new = Achievement.objects.get(proposal=revision)
    published.refresh_from_db()
    assert published.state == State.RETIRED and revision.state == State.PUBLISHED
    assert learning_selectors.catalog() == [new]
    assert permissions.may_join(student(people), new) == (True, "")
    assert permissions.may_join(student(people), old)[0] is False
    replaced = AuditEvent.objects.get(proposal=published, action=AuditEvent.Action.RETIRED)
    assert replaced.actor == people["office"] and f"Replaced by its revision {revision}" in replaced.comment
    assert AuditEvent.objects.get(proposal=revision, action=AuditEvent.Action.PUBLISHED).comment.startswith(
        f"Revision of {published}"
    )
    # Both pages say so, and link each other.
    client.force_login(people["faculty"])
    old_page = client.get(published.get_absolute_url()).content.decode()
    assert "Replaced by its revision" in old_page and revision.get_absolute_url() in old_page
    assert published.get_absolute_url() in client.get(revision.get_absolute_url()).content.decode()
    old_catalog = client.get(reverse("badges:catalog_detail", args=[old.uuid])).content.decode()
    assert "data-replaced-by" in old_catalog and str(new.uuid) in old_catalog


def test_with_a_future_effective_date_it_replaces_it_when_the_job_runs_on_that_date(
    people, published, django_capture_on_commit_callbacks
):
    old = Achievement.objects.get(proposal=published)
    revision = publish(
        revise(published, people["faculty"], days=10), people, django_capture_on_commit_callbacks
    )
    new = Achievement.objects.get(proposal=revision)
    published.refresh_from_db()
    # Published, but not yet in force: the catalog and joins stay with the old one.
    assert published.state == State.PUBLISHED and learning_selectors.catalog() == [old]
    allowed, why = permissions.may_join(student(people), new)
    assert not allowed and "opens to new learners on" in why
    assert permissions.may_join(student(people), old) == (True, "")
    with pytest.raises(ValidationError, match="revise it once it has"):
        revise(revision, people["faculty"])

    assert services.supersede_due(today=today() + timedelta(days=9)) == []
    published.refresh_from_db()
    assert published.state == State.PUBLISHED

    on_the_day = today() + timedelta(days=10)
    assert [p.pk for p in services.supersede_due(today=on_the_day)] == [published.pk]
    assert services.supersede_due(today=on_the_day) == []  # run twice: once
    published.refresh_from_db()
    assert published.state == State.RETIRED and learning_selectors.catalog() == [new]
    assert AuditEvent.objects.filter(proposal=published, action=AuditEvent.Action.RETIRED).count() == 1
    assert supersede_revised.apply().get() == []  # the daily task, after the date: nothing left to do


def test_enrolled_learners_of_the_old_one_finish_it_and_earlier_awards_still_verify(
    people, published, django_capture_on_commit_callbacks
):
    old = Achievement.objects.get(proposal=published)
    learner = student(people)
    holder = Learner.objects.create(user=faculty("earlier-holder"), student_id="B00099999").user
    earlier = earn(learning.join(user=holder, achievement=old), people, django_capture_on_commit_callbacks)
    enrolment = learning.join(user=learner, achievement=old)

    publish(revise(published, people["faculty"]), people, django_capture_on_commit_callbacks)
    published.refresh_from_db()
    assert published.state == State.RETIRED

    award = earn(enrolment, people, django_capture_on_commit_callbacks)
    assert award.achievement == old and award.state == Award.State.ISSUED
    earlier.refresh_from_db()
    assert earlier.state == Award.State.ISSUED
    assert badge_services.verify_credential(selectors.credential_data(earlier))


def test_a_micro_certificate_built_on_it_counts_its_revision(fiu_demo, django_capture_on_commit_callbacks):
    """FIU: a micro-certificate lists the published micro-credential; a learner who joins after the
    revision took over earns the revision, and the certificate still comes."""
    from proposals.choices import Form
    from tests.factories import complete_proposal
    from tests.workflow import place_at

    people, capture = fiu_demo, django_capture_on_commit_callbacks
    badge_services.create_issuer_key()
    first = publish_achievement(people, capture, title="Data Storytelling", code="MC-DS-1")
    second = publish_achievement(people, capture, title="Data Ethics", code="MC-DE-1")
    certificate = complete_proposal(
        author=people["faculty"],
        unit=first.proposal.unit,
        title="Data Leadership",
        code="MC-DL-1",
        form=Form.MICRO_CERTIFICATE,
        theme="Leading with data",
    )
    certificate.components.set([first.proposal, second.proposal])
    with capture(execute=True):
        services.publish(proposal=place_at(certificate, State.APPROVED), user=people["office"])
    revision = publish(revise(first.proposal, people["faculty"]), people, capture)
    revised = Achievement.objects.get(proposal=revision)

    learner = student(people)
    with capture(execute=True):
        for achievement in (revised, second):
            badge_services.award(learner=learner, achievement=achievement, awarded_by=people["office"])
    held = Award.objects.get(learner=learner, achievement__proposal=certificate)
    assert held.source == Award.Source.STACKED
