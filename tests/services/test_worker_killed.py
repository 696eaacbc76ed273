"""Workers that die or race in the middle of a task, on PostgreSQL, Redis and real worker processes:
the work is done exactly once all the same (one credential, one transcript record, one email)."""

import os
import re
import signal
import time
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from badges.issuing import services as badges_services
from badges.models import Achievement, Award, Credential, Learner
from microcred.tasks import sweep_outbox
from proposals.policy import State
from review import services as review_services
from review.models import Notification
from tests.conftest import at_the_same_time, start_celery_worker, stop_celery_worker, tasks_sent_to, wait_for
from tests.factories import complete_proposal
from tests.workflow import place_at
from transcripts.models import TranscriptRecord

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# The console email backend writes each email to the worker's log (the subject MIME-encoded).
EARNED = "Subject: =?utf-8?q?You_have_earned_"


def runs(log, task, what="received"):
    """Ids of the runs of ``task`` that the worker's log says were received (or succeeded), in order."""
    return re.findall(rf"{re.escape(task)}\[([0-9a-f-]+)\] {what}", log.read_text())


def test_a_worker_killed_while_issuing_an_award_leaves_it_done_exactly_once(
    services_available, demo, settings, tmp_path
):
    keys = tmp_path / "keys"
    settings.ISSUER_KEY_DIR = keys
    badges_services.create_issuer_key()
    learner = demo["learner"]
    Learner.objects.create(user=learner, student_id="B00012345")  # so the award reaches the registrar
    queue = f"test-killed-{uuid.uuid4().hex[:8]}"
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    # The first worker holds every issue open for a minute before it commits: long enough to kill it.
    first = start_celery_worker(
        queue, first_log, ISSUER_KEY_DIR=str(keys), BADGES_TEST_ISSUE_DELAY_SECONDS="60"
    )
    second = None
    try:
        with tasks_sent_to(queue):
            author = demo["faculty"]
            proposal = place_at(
                complete_proposal(author=author, unit=author.unit_roles.first().unit), State.APPROVED
            )
            review_services.publish(proposal=proposal, user=demo["office"])
            achievement = wait_for(lambda: Achievement.objects.filter(proposal=proposal).first())
            assert achievement, first_log.read_text()[-3000:]
            award = badges_services.award(
                learner=learner, achievement=achievement, awarded_by=demo["evaluator"]
            )
            assert wait_for(lambda: f"Pausing the issue of award {award.pk}" in first_log.read_text()), (
                first_log.read_text()[-3000:]
            )
            # Half-way: the credential and the email are written, not committed. Kill the worker.
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            assert Award.objects.get(pk=award.pk).state == Award.State.PENDING
            assert not Credential.objects.filter(award=award).exists()

            # A new worker. Redis hands it the dead worker's unacknowledged message when it starts,
            # the visibility timeout (1 s here, an hour by default) having passed.
            time.sleep(2)
            second = start_celery_worker(
                queue, second_log, ISSUER_KEY_DIR=str(keys), CELERY_VISIBILITY_TIMEOUT="1"
            )
            emailed = Notification.objects.filter(
                key=f"award-issued:{award.pk}:{learner.pk}", sent_at__isnull=False
            )
            recorded = TranscriptRecord.objects.filter(award=award)
            assert wait_for(lambda: emailed.exists() and recorded.exists()), second_log.read_text()[-3000:]
            (killed,) = runs(first_log, "badges.tasks.issue_award")
            assert runs(second_log, "badges.tasks.issue_award") == [killed]  # the same message, redelivered

            # Later the outbox sweep runs on that worker: nothing is left to do, nothing is done twice.
            Award.objects.filter(pk=award.pk).update(created_at=timezone.now() - timedelta(minutes=10))
            sweep_outbox.delay()
            swept = wait_for(lambda: runs(second_log, sweep_outbox.name, "succeeded"))
            assert swept, second_log.read_text()[-3000:]
            time.sleep(1)  # anything it had queued would have run by now
    finally:
        if first.poll() is None:
            first.kill()
        if second is not None:
            stop_celery_worker(second)

    assert Award.objects.get(pk=award.pk).state == Award.State.ISSUED
    assert Credential.objects.filter(award=award).count() == 1
    assert TranscriptRecord.objects.filter(award=award).count() == 1
    assert Notification.objects.filter(key__startswith=f"award-issued:{award.pk}:").count() == 1
    assert EARNED not in first_log.read_text()
    assert second_log.read_text().count(EARNED) == 1


def test_two_workers_sending_one_notification_at_once_email_once(services_available, demo, monkeypatch):
    """Two deliveries of the same notification at the same moment (two connections): the row lock
    makes the second wait, then find it sent. One email, however slow the mail server."""
    from review import tasks

    slow = tasks.send_mail

    def slow_send(**kwargs):
        time.sleep(0.5)
        return slow(**kwargs)

    monkeypatch.setattr(tasks, "send_mail", slow_send)
    note = Notification.objects.create(recipient=demo["learner"], subject="Once only", body="b")
    results = at_the_same_time(*[lambda: tasks.send_notification(note.pk)] * 2)
    assert sorted(results) == ["already-sent", "sent"]
    assert [m.subject for m in mail.outbox] == ["Once only"]
