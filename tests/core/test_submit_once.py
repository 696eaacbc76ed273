"""The same form sent twice (a double click, the back button and resubmit, two tabs) is done once:
one object, one transition, and the second copy is sent where the first one went."""

import re
import threading
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from core.models import FormSubmission
from core.once import FIELD
from proposals.choices import Form, Kind, Level
from proposals.models import Comment, Proposal
from proposals.policy import State
from review.models import AuditEvent
from tests.factories import complete_proposal

pytestmark = pytest.mark.django_db


def key_in(html):
    """The submission key of the first form on the page."""
    return re.search(rf'name="{FIELD}" value="([0-9a-f-]{{36}})"', html).group(1)


def new_proposal(demo, key, **changes):
    unit = demo["faculty"].unit_roles.first().unit
    data = {
        "title": "Data Stories",
        "kind": Kind.NON_CREDIT,
        "form": Form.DIGITAL_BADGE,
        "level": Level.UNDERGRADUATE,
        "unit": unit.pk,
        FIELD: key,
    }
    return {**data, **changes}


def test_every_form_carries_its_own_submission_key_beside_the_csrf_token(client, demo):
    client.force_login(demo["faculty"])
    page = client.get(reverse("proposals:create")).content.decode()
    again = client.get(reverse("proposals:create")).content.decode()
    assert "csrfmiddlewaretoken" in page and key_in(page) != key_in(again)
    admin = Client()
    admin.force_login(demo["admin"])
    assert key_in(admin.get(reverse("admin:proposals_unit_add")).content.decode())


def test_starting_a_proposal_sent_twice_makes_one_draft_and_sends_the_copy_to_it(client, demo):
    client.force_login(demo["faculty"])
    key = key_in(client.get(reverse("proposals:create")).content.decode())
    first = client.post(reverse("proposals:create"), new_proposal(demo, key))
    second = client.post(reverse("proposals:create"), new_proposal(demo, key), follow=True)
    assert Proposal.objects.filter(title="Data Stories").count() == 1
    assert second.redirect_chain[0][0] == first["Location"]
    assert "already been sent; it was done once" in second.content.decode()


def test_the_same_content_sent_again_with_a_new_key_within_moments_is_done_once(client, demo, settings):
    """The back button brings the form back freshly rendered (a new key); sending it again then is
    the same form. Once the moments have passed, the same content is a new submission."""
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(demo["faculty"])
    client.post(reverse("proposals:create"), new_proposal(demo, str(uuid.uuid4())))
    client.post(reverse("proposals:create"), new_proposal(demo, str(uuid.uuid4())))
    assert Proposal.objects.filter(title="Data Stories").count() == 1
    other = Client()
    other.force_login(demo["coauthor"])  # another person sending the same is not a copy
    other.post(reverse("proposals:create"), new_proposal(demo, str(uuid.uuid4())))
    assert Proposal.objects.filter(title="Data Stories").count() == 2
    later = timezone.now() - timedelta(seconds=settings.FORM_RESUBMIT_SECONDS + 1)
    FormSubmission.objects.update(created_at=later)
    client.post(reverse("proposals:create"), new_proposal(demo, str(uuid.uuid4())))
    assert Proposal.objects.filter(title="Data Stories").count() == 3


def test_logging_out_and_in_again_within_moments_is_not_taken_for_a_copy(client, demo):
    """Only views that make something compare what was sent: the same login, or a second log-out,
    moments later is meant."""
    from microcred.demo import DEMO_PASSWORD

    login = reverse("login")
    for _ in range(2):
        key = key_in(client.get(login).content.decode())
        client.post(login, {"username": "faculty", "password": DEMO_PASSWORD, FIELD: key})
        assert client.get(reverse("home")).status_code == 200
        client.post(reverse("logout"), {FIELD: str(uuid.uuid4())})
        assert client.get(reverse("home")).status_code == 302  # signed out again


def test_a_form_refused_for_its_errors_can_be_corrected_and_sent_with_the_same_key(client, demo):
    client.force_login(demo["faculty"])
    key = key_in(client.get(reverse("proposals:create")).content.decode())
    refused = client.post(reverse("proposals:create"), new_proposal(demo, key, title=""))
    assert refused.status_code == 200 and not Proposal.objects.filter(title="").exists()
    assert client.post(reverse("proposals:create"), new_proposal(demo, key)).status_code == 302
    assert Proposal.objects.filter(title="Data Stories").count() == 1


def test_a_comment_sent_twice_is_added_once(client, demo):
    proposal = complete_proposal(author=demo["faculty"], unit=demo["faculty"].unit_roles.first().unit)
    client.force_login(demo["faculty"])
    key = str(uuid.uuid4())
    for _ in range(2):
        client.post(reverse("proposals:comment", args=[proposal.pk]), {"body": "Looks good.", FIELD: key})
    assert Comment.objects.filter(proposal=proposal, body="Looks good.").count() == 1


def test_a_decision_sent_twice_moves_the_proposal_once(client, demo):
    from tests.workflow import submit

    proposal = submit(complete_proposal(author=demo["faculty"], unit=demo["faculty"].unit_roles.first().unit))
    client.force_login(demo["unitreviewer"])
    key = str(uuid.uuid4())
    data = {"decision": "approve", "comment": "", "expected_state": State.UNIT_REVIEW, FIELD: key}
    for _ in range(2):
        client.post(reverse("review:decide", args=[proposal.pk]), data)
    proposal.refresh_from_db()
    assert proposal.state != State.UNIT_REVIEW
    assert AuditEvent.objects.filter(proposal=proposal, from_state=State.UNIT_REVIEW).count() == 1


def test_without_a_key_a_post_runs_as_it_always_did(client, demo):
    client.force_login(demo["faculty"])
    data = new_proposal(demo, "")
    del data[FIELD]
    client.post(reverse("proposals:create"), data)
    assert Proposal.objects.filter(title="Data Stories").count() == 1 and not FormSubmission.objects.exists()


def test_keys_older_than_the_setting_are_forgotten(demo, settings):
    from datetime import timedelta

    from django.utils import timezone

    from core.tasks import forget_old_submissions

    old = FormSubmission.objects.create(key=uuid.uuid4(), path="/old/")
    FormSubmission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    recent = FormSubmission.objects.create(key=uuid.uuid4(), path="/recent/")
    assert forget_old_submissions.apply().get() == 1
    assert list(FormSubmission.objects.all()) == [recent]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_copies_sent_at_the_same_moment_make_one_draft(services_available, demo):
    """On PostgreSQL, the second copy waits at the unique key for the first to commit."""
    from django.db import connection

    key = str(uuid.uuid4())
    barrier = threading.Barrier(2)
    answers = []

    def send():
        client = Client()
        client.force_login(demo["faculty"])
        barrier.wait()
        try:
            answers.append(client.post(reverse("proposals:create"), new_proposal(demo, key)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [302, 302]
    assert Proposal.objects.filter(title="Data Stories").count() == 1
