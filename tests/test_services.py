"""The production path: PostgreSQL, Redis and a real Celery worker process."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from review.models import Notification
from review.services import notify

from .conftest import wait_for

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
