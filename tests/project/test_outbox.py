"""Redis unreachable when work is saved: the person sees success, the follow-up work waits in the
database (the outbox) and the sweep does it once the broker is back, once.

These tests commit for real (``transaction=True``): the on-commit queueing runs inside the request,
as in production, so an error there would reach the person."""

from datetime import timedelta

import pytest
from celery.app.task import Task
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from badges.issuing import services as badges_services
from badges.learning import selectors as learning_selectors
from badges.learning import services as learning
from badges.models import Achievement, Award, Credential, Learner
from core import queue
from microcred import outbox
from microcred.tasks import sweep_outbox
from proposals.models import Proposal
from proposals.policy import State
from review import services as review_services
from review.models import Notification
from tests.factories import complete_proposal
from tests.workflow import place_at
from transcripts.models import TranscriptRecord

pytestmark = pytest.mark.django_db(transaction=True)

LONG_AGO = timedelta(minutes=10)


def refused(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def broker_down(monkeypatch):
    """Every publish fails as it does with Redis stopped; ``broker_down.undo()`` brings it back."""
    monkeypatch.setattr(Task, "apply_async", refused)
    return monkeypatch


def after_a_while():
    """Everything saved so far is older than the sweep's age limit."""
    then = timezone.now() - LONG_AGO
    Notification.objects.update(created_at=then)
    Award.objects.update(created_at=then)
    Award.objects.filter(issued_at__isnull=False).update(issued_at=then)
    Award.objects.filter(revoked_at__isnull=False).update(revoked_at=then)
    Proposal.objects.update(stage_entered_at=then)


@pytest.fixture
def issuer_key(settings, tmp_path):
    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    return badges_services.create_issuer_key()


@pytest.fixture
def achievement(demo, issuer_key):
    """A published credit-bearing micro-credential (its achievement built while the broker is up)."""
    author = demo["faculty"]
    proposal = place_at(complete_proposal(author=author, unit=author.unit_roles.first().unit), State.APPROVED)
    review_services.publish(proposal=proposal, user=demo["office"])
    return Achievement.objects.get(proposal=proposal)


@pytest.fixture
def student(demo):
    """The demo learner as an enrolled student: a credit-bearing award reaches the registrar."""
    Learner.objects.create(user=demo["learner"], student_id="B00012345")
    return demo["learner"]


def test_an_approval_while_the_broker_is_down_succeeds_and_its_emails_go_once_it_is_back(
    client, demo, broker_down, mailoutbox
):
    author = demo["faculty"]
    proposal = place_at(
        complete_proposal(author=author, unit=author.unit_roles.first().unit, level="graduate"),
        State.UNIT_REVIEW,
    )
    client.force_login(demo["unitreviewer"])
    response = client.post(
        reverse("review:decide", args=[proposal.pk]),
        {"decision": "approve", "expected_state": State.UNIT_REVIEW},
        follow=True,
    )
    assert response.redirect_chain == [(proposal.get_absolute_url(), 302)]
    assert "Decision recorded. The proposal is now “Graduate Council review”." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == State.GRADUATE_COUNCIL
    notes = Notification.objects.filter(url=proposal.get_absolute_url())
    assert sorted(n.recipient.username for n in notes) == ["faculty", "gc-chair", "gc-member1", "gc-member2"]
    assert not notes.filter(sent_at__isnull=False).exists() and mailoutbox == []

    broker_down.undo()
    assert sweep_outbox()["notifications"] == 0  # younger than the age limit: maybe still in the queue
    after_a_while()
    assert sweep_outbox()["notifications"] == 4
    assert sorted(m.to[0].split("@")[0] for m in mailoutbox) == [
        "faculty",
        "gc-chair",
        "gc-member1",
        "gc-member2",
    ]
    assert not notes.filter(sent_at__isnull=True).exists()
    assert sweep_outbox()["notifications"] == 0
    assert len(mailoutbox) == 4


def test_an_award_accepted_while_the_broker_is_down_is_issued_and_recorded_once_by_the_sweep(
    client, demo, achievement, student, broker_down, mailoutbox
):
    broker_down.undo()  # the learner submitted while it was up
    enrolment = learning.join(user=student, achievement=achievement)
    (part, _title), *_ = learning_selectors.required_parts(achievement)
    evidence = learning.submit_evidence(enrolment=enrolment, user=student, part=part, text="My portfolio.")
    broker_down.setattr(Task, "apply_async", refused)
    before = len(mailoutbox)

    client.force_login(demo["evaluator"])
    response = client.post(reverse("badges:review", args=[evidence.pk]), {"decision": "accept"}, follow=True)
    assert response.redirect_chain == [(reverse("badges:evaluation_queue"), 302)]
    assert "Accepted. That was the last piece: the award is being issued." in response.content.decode()
    award = Award.objects.get(learner=student, achievement=achievement)
    assert award.state == Award.State.PENDING
    assert not Credential.objects.exists() and not TranscriptRecord.objects.exists()

    broker_down.undo()
    after_a_while()
    assert sweep_outbox()["awards"] == 1
    award.refresh_from_db()
    assert award.state == Award.State.ISSUED
    assert Credential.objects.filter(award=award).count() == 1
    assert TranscriptRecord.objects.filter(award=award).count() == 1
    earned = [m for m in mailoutbox[before:] if m.subject.startswith("You have earned")]
    assert [m.to for m in earned] == [[student.email]]

    after_a_while()
    assert sum(sweep_outbox().values()) == 0
    assert Credential.objects.filter(award=award).count() == 1
    assert TranscriptRecord.objects.filter(award=award).count() == 1
    assert len([m for m in mailoutbox[before:] if m.subject.startswith("You have earned")]) == 1


@pytest.fixture
def pending_award(demo, achievement, student, broker_down):
    """An award made while the broker is down: pending, its issuing task never queued."""
    return badges_services.award(learner=student, achievement=achievement, awarded_by=demo["evaluator"])


def test_an_issue_whose_follow_ups_could_not_be_queued_gets_its_email_and_record_from_the_sweep(
    pending_award, broker_down, mailoutbox
):
    mailoutbox.clear()  # the publication's emails
    badges_services.issue_credential(award_id=pending_award.pk)  # the worker ran, the broker is still down
    assert Award.objects.get(pk=pending_award.pk).state == Award.State.ISSUED
    assert not TranscriptRecord.objects.exists() and mailoutbox == []

    broker_down.undo()
    after_a_while()
    due = sweep_outbox()
    assert (due["awards"], due["notifications"], due["transcript_records"]) == (0, 1, 1)
    assert [m.subject for m in mailoutbox] == [f"You have earned “{pending_award.achievement.name}”"]
    assert TranscriptRecord.objects.filter(award=pending_award).count() == 1
    after_a_while()
    assert sum(sweep_outbox().values()) == 0
    assert len(mailoutbox) == 1 and TranscriptRecord.objects.count() == 1


def test_a_revocation_while_the_broker_is_down_withdraws_the_record_through_the_sweep(
    demo, pending_award, broker_down
):
    broker_down.undo()
    badges_services.issue_credential(award_id=pending_award.pk)
    record = TranscriptRecord.objects.get(award=pending_award)
    broker_down.setattr(Task, "apply_async", refused)
    badges_services.revoke(award=pending_award, user=demo["office"], reason="Evidence was not the learner's.")
    record.refresh_from_db()
    assert record.state == TranscriptRecord.State.PENDING

    broker_down.undo()
    after_a_while()
    assert sweep_outbox()["transcript_withdrawals"] == 1
    record.refresh_from_db()
    assert record.state == TranscriptRecord.State.WITHDRAWN
    assert record.events.filter(action="withdrawn").count() == 1
    after_a_while()
    assert sweep_outbox()["transcript_withdrawals"] == 0


def test_a_publication_while_the_broker_is_down_gets_its_achievement_from_the_sweep(
    demo, issuer_key, broker_down
):
    author = demo["faculty"]
    proposal = place_at(complete_proposal(author=author, unit=author.unit_roles.first().unit), State.APPROVED)
    review_services.publish(proposal=proposal, user=demo["office"])
    assert Proposal.objects.get(pk=proposal.pk).state == State.PUBLISHED
    assert not Achievement.objects.filter(proposal=proposal).exists()

    broker_down.undo()
    after_a_while()
    assert sweep_outbox()["achievements"] == 1
    assert Achievement.objects.filter(proposal=proposal).count() == 1
    after_a_while()
    assert sweep_outbox()["achievements"] == 0


def test_an_issue_whose_credly_copy_could_not_be_queued_is_issued_there_by_the_sweep(
    settings, pending_award, broker_down
):
    from tests.fake_credly import FakeCredly

    server = FakeCredly().start()
    try:
        settings.CREDLY_ORGANIZATION_ID, settings.CREDLY_API_TOKEN = "org-1", "token"
        settings.CREDLY_BASE_URL, settings.CREDLY_TIMEOUT_SECONDS = server.url, 5
        Achievement.objects.update(credly_template_id="tmpl-1")
        badges_services.issue_credential(award_id=pending_award.pk)
        assert server.requests == []

        broker_down.undo()
        after_a_while()
        assert sweep_outbox()["credly_issues"] == 1
        assert [r.method for r in server.requests] == ["POST"]
        assert pending_award.credly.state == "issued"
        after_a_while()
        assert sweep_outbox()["credly_issues"] == 0
        assert len(server.requests) == 1
    finally:
        server.stop()


def test_after_a_failed_publish_the_process_leaves_the_broker_alone_for_a_moment(monkeypatch):
    from celery import current_app

    tried = []

    def unreachable(*args, **kwargs):
        tried.append(args)
        refused()

    monkeypatch.setattr(Task, "apply_async", unreachable)
    monkeypatch.setattr(current_app.conf, "task_always_eager", False)
    monkeypatch.setattr(queue, "_paused_until", 0.0)
    assert queue.enqueue(sweep_outbox) is False
    assert queue.enqueue("microcred.tasks.sweep_outbox") is False  # skipped: not even tried
    assert len(tried) == 1
    monkeypatch.setattr(queue, "_paused_until", 0.0)  # the pause is over
    assert queue.enqueue(sweep_outbox) is False and len(tried) == 2


def test_the_outbox_covers_every_kind_of_follow_up_work():
    assert [kind.name for kind in outbox.KINDS] == [
        "notifications",
        "digests",
        "achievements",
        "awards",
        "bulk_uploads",
        "expiry_changes",
        "credly_issues",
        "credly_revocations",
        "transcript_records",
        "transcript_withdrawals",
    ]
    assert all(kind.due(0).count() == 0 for kind in outbox.KINDS)  # each query runs; nothing is due
