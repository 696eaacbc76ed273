"""The production path: PostgreSQL, Redis and a real Celery worker process."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from review.models import Notification
from review.services import notify
from tests.conftest import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_database_is_postgresql(services_available):
    assert connection.vendor == "postgresql"


def test_task_enqueued_on_commit_is_run_by_the_worker(celery_worker_process):
    _proc, log = celery_worker_process
    user = get_user_model().objects.create_user("worker-test", email="worker-test@example.edu")
    with transaction.atomic():
        (note,) = notify(recipients=[user], subject="Queued through Redis", body="Hello from the worker.")
        # Inside the transaction the row is invisible to the worker and nothing is queued yet.
    sent = wait_for(lambda: Notification.objects.filter(pk=note.pk, sent_at__isnull=False).exists())
    assert sent, f"the worker did not send the notification:\n{log.read_text()[-3000:]}"
    note.refresh_from_db()
    assert note.attempts == 1
    assert "Queued through Redis" in log.read_text()  # the console email backend wrote it


def test_rolled_back_transaction_enqueues_nothing(celery_worker_process):
    _proc, log = celery_worker_process
    user = get_user_model().objects.create_user("rollback-test", email="rollback@example.edu")
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[user], subject="Never sent", body="rolled back")
        raise RuntimeError("the change failed")
    assert not Notification.objects.filter(subject="Never sent").exists()
    # Send a marker afterwards: once it has arrived, the rolled-back one would have too.
    with transaction.atomic():
        (marker,) = notify(recipients=[user], subject="Marker", body="after rollback")
    assert wait_for(lambda: Notification.objects.filter(pk=marker.pk, sent_at__isnull=False).exists())
    assert "Never sent" not in log.read_text()


def test_two_chairs_closing_the_same_vote_at_once_make_one_transition(services_available, demo):
    """Two threads (two connections) close the same vote at the same moment on PostgreSQL: the
    row lock lets one through; the other is told the vote is already closed. One transition."""
    import threading

    from django.db import connection as main_connection

    from proposals.models import Proposal
    from proposals.policy import State
    from review import services
    from review.models import AuditEvent, Ballot, Membership, ReviewBody
    from tests.factories import complete_proposal
    from tests.workflow import place_at

    author = demo["faculty"]
    proposal = complete_proposal(author=author, unit=author.unit_roles.first().unit, level="graduate")
    proposal = place_at(proposal, State.GRADUATE_COUNCIL)
    gc = ReviewBody.objects.get(slug="gc")
    Membership.objects.filter(body=gc, user=demo["gc-member2"]).update(role=Membership.Role.STAFF)
    for username in ("gc-chair", "gc-member1"):
        services.cast_vote(proposal=proposal, user=demo[username], choice="approve")
    ballot = Ballot.objects.get(proposal=proposal, closed_at__isnull=True)

    barrier = threading.Barrier(2)
    results = {}

    def close(username):
        from django.db import connection

        try:
            barrier.wait(timeout=10)
            services.close_vote(proposal=proposal, user=demo[username], ballot_id=ballot.pk)
            results[username] = "closed"
        except services.StaleState as stale:
            results[username] = str(stale)
        finally:
            connection.close()

    threads = [threading.Thread(target=close, args=(name,)) for name in ("gc-chair", "gc-member2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert main_connection.vendor == "postgresql"
    assert sorted(results.values()) == [
        "This vote has already been closed by someone else. Nothing was changed.",
        "closed",
    ]
    assert Proposal.objects.get(pk=proposal.pk).state == State.EPPC
    assert (
        AuditEvent.objects.filter(
            proposal=proposal, action="approved", from_state=State.GRADUATE_COUNCIL
        ).count()
        == 1
    )
    assert Ballot.objects.filter(proposal=proposal, stage=State.GRADUATE_COUNCIL).count() == 1


def test_transition_emails_are_sent_by_the_worker(celery_worker_process, demo):
    """A real submission through the web layer: its emails are sent by the worker via Redis."""
    from django.test import Client

    from review.models import Notification
    from tests.factories import complete_proposal

    _proc, log = celery_worker_process
    author = demo["faculty"]
    proposal = complete_proposal(author=author, unit=author.unit_roles.first().unit)
    client = Client()
    client.force_login(author)
    client.post(f"/review/proposals/{proposal.pk}/submit/")
    notes = Notification.objects.filter(url=f"/proposals/{proposal.pk}/")
    assert sorted(n.recipient.username for n in notes) == ["faculty", "unitreviewer"]
    assert wait_for(lambda: not notes.filter(sent_at__isnull=True).exists()), log.read_text()[-3000:]
    assert "waiting for you" in log.read_text()


def test_daily_reminders_run_on_the_worker(celery_worker_process, demo, settings):
    """The beat job's task, queued through Redis, reminds only for the overdue item."""
    from datetime import timedelta

    from django.utils import timezone

    from proposals.models import Proposal
    from proposals.policy import State
    from review.models import Notification
    from review.tasks import send_review_reminders
    from tests.factories import complete_proposal

    _proc, log = celery_worker_process
    author = demo["faculty"]
    unit = author.unit_roles.first().unit
    old, fresh = (
        complete_proposal(author=author, unit=unit),
        complete_proposal(author=author, unit=unit, title="Fresh"),
    )
    Proposal.objects.filter(pk=old.pk).update(
        state=State.UNIT_REVIEW,
        stage_entered_at=timezone.now() - timedelta(days=settings.REVIEW_REMINDER_DAYS + 2),
    )
    Proposal.objects.filter(pk=fresh.pk).update(state=State.UNIT_REVIEW, stage_entered_at=timezone.now())
    send_review_reminders.delay()
    reminders = Notification.objects.filter(key__startswith="reminder:")
    assert wait_for(lambda: reminders.filter(sent_at__isnull=False).exists()), log.read_text()[-3000:]
    assert [(n.recipient.username, n.key.split(":")[1]) for n in reminders] == [("unitreviewer", str(old.pk))]


def test_an_award_is_issued_once_by_the_worker(celery_worker_process, demo, settings, worker_issuer_keys):
    """Publishing builds the achievement on the worker; an award made in a committed transaction is
    issued there once, even when its task is delivered again."""
    from badges.issuing import services as badges_services
    from badges.models import Achievement, Award, Credential
    from badges.tasks import issue_award
    from proposals.policy import State
    from review import services as review_services
    from tests.factories import complete_proposal
    from tests.workflow import place_at

    _proc, log = celery_worker_process
    settings.ISSUER_KEY_DIR = worker_issuer_keys
    badges_services.create_issuer_key()
    author = demo["faculty"]
    proposal = place_at(complete_proposal(author=author, unit=author.unit_roles.first().unit), State.APPROVED)
    review_services.publish(proposal=proposal, user=demo["office"])
    assert wait_for(lambda: Achievement.objects.filter(proposal=proposal).exists()), log.read_text()[-3000:]
    achievement = Achievement.objects.get(proposal=proposal)
    award = badges_services.award(
        learner=demo["learner"], achievement=achievement, awarded_by=demo["evaluator"]
    )
    assert wait_for(lambda: Credential.objects.filter(award=award).exists()), log.read_text()[-3000:]
    issue_award.delay(award.pk)  # delivered again

    def runs():
        return sum(
            1
            for line in log.read_text().splitlines()
            if "badges.tasks.issue_award[" in line and "succeeded" in line
        )

    assert wait_for(lambda: runs() >= 2), log.read_text()[-3000:]
    assert Credential.objects.filter(award=award).count() == 1
    assert Award.objects.get(pk=award.pk).state == Award.State.ISSUED
    assert Notification.objects.filter(key=f"award-issued:{award.pk}:{demo['learner'].pk}").count() == 1


def _credit_award(demo, settings, keys_dir):
    from badges.issuing import services as badges_services
    from badges.models import Achievement, Learner
    from proposals.policy import State
    from review import services as review_services
    from tests.factories import complete_proposal
    from tests.workflow import place_at

    settings.ISSUER_KEY_DIR = keys_dir
    badges_services.create_issuer_key()
    author = demo["faculty"]
    proposal = place_at(complete_proposal(author=author, unit=author.unit_roles.first().unit), State.APPROVED)
    with transaction.atomic():
        review_services.publish(proposal=proposal, user=demo["office"])
    achievement = wait_for(lambda: Achievement.objects.filter(proposal=proposal).first())
    Learner.objects.get_or_create(user=demo["learner"], defaults={"student_id": "B00012345"})
    return badges_services.award(
        learner=demo["learner"], achievement=achievement, awarded_by=demo["evaluator"]
    )


def test_one_transcript_record_per_award_under_repeated_deliveries_on_the_worker(
    celery_worker_process, demo, settings, worker_issuer_keys
):
    from transcripts.models import TranscriptRecord
    from transcripts.tasks import record_award

    _proc, log = celery_worker_process
    award = _credit_award(demo, settings, worker_issuer_keys)
    assert wait_for(lambda: TranscriptRecord.objects.filter(award=award).exists()), log.read_text()[-3000:]
    for _ in range(3):
        record_award.delay(award.pk)

    def runs():
        return sum(
            1
            for line in log.read_text().splitlines()
            if "transcripts.tasks.record_award[" in line and "succeeded" in line
        )

    assert wait_for(lambda: runs() >= 4), log.read_text()[-3000:]
    assert TranscriptRecord.objects.filter(award=award).count() == 1


def test_two_deliveries_at_once_make_one_record(celery_worker_process, demo, settings, worker_issuer_keys):
    """Two processes delivering the same award at the same moment on PostgreSQL: one record."""
    import threading

    from django.db import connection as main_connection

    from transcripts import services as transcripts
    from transcripts.models import TranscriptRecord

    award = _credit_award(demo, settings, worker_issuer_keys)
    wait_for(lambda: TranscriptRecord.objects.filter(award=award).exists())
    TranscriptRecord.objects.filter(award=award).delete()  # as if the worker had not run yet
    barrier = threading.Barrier(2)
    made = []

    def deliver():
        from django.db import connection

        try:
            barrier.wait(timeout=10)
            made.append(transcripts.record_award(award_id=award.pk).pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert main_connection.vendor == "postgresql"
    assert len(made) == 2 and len(set(made)) == 1
    assert TranscriptRecord.objects.filter(award=award).count() == 1
