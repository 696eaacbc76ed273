from unittest import mock

import pytest
from django.contrib.auth import get_user_model

from review.models import Notification
from review.services import notify
from review.tasks import send_notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    User = get_user_model()
    return [
        User.objects.create_user("ann", email="ann@example.edu"),
        User.objects.create_user("bob", email="bob@example.edu"),
        User.objects.create_user("noemail", email=""),
    ]


def test_notify_sends_once_per_person_after_commit(people, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[*people, people[0]], subject="Proposal waiting", body="Please look.", url="/p/1/")
        assert mailoutbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mailoutbox) == ["ann@example.edu", "bob@example.edu"]
    assert "http://" in mailoutbox[0].body and "/p/1/" in mailoutbox[0].body
    assert Notification.objects.filter(sent_at__isnull=False).count() == 2


def test_sending_twice_emails_once(people, mailoutbox):
    note = Notification.objects.create(recipient=people[0], subject="s", body="b")
    assert send_notification.apply(args=[note.pk]).get() == "sent"
    assert send_notification.apply(args=[note.pk]).get() == "already-sent"
    assert len(mailoutbox) == 1


def test_failed_send_is_recorded_and_retried(people, mailoutbox):
    note = Notification.objects.create(recipient=people[0], subject="s", body="b")
    with mock.patch("review.tasks.send_mail", side_effect=[ConnectionRefusedError("smtp down"), 1]):
        result = send_notification.apply(args=[note.pk])
    assert result.get() == "sent"
    note.refresh_from_db()
    assert note.sent_at is not None
    assert note.attempts == 2


def test_failure_after_every_retry_is_reported_not_dropped(people, caplog):
    note = Notification.objects.create(recipient=people[0], subject="s", body="b")
    with mock.patch("review.tasks.send_mail", side_effect=ConnectionRefusedError("smtp down")):
        result = send_notification.apply(args=[note.pk], throw=False)
    assert result.failed()
    note.refresh_from_db()
    assert note.sent_at is None
    assert "smtp down" in note.last_error
    assert note.attempts == send_notification.max_retries + 1
    assert "failed for good" in caplog.text


def test_task_defaults_are_late_ack_with_backoff():
    assert send_notification.acks_late is True
    assert send_notification.retry_backoff
    assert Exception in send_notification.autoretry_for


def test_staff_find_a_failed_email_with_its_error_in_the_admin_and_send_it_again(
    people, mailoutbox, admin_client
):
    from django.urls import reverse

    note = Notification.objects.create(recipient=people[0], subject="Vote closes", body="b")
    with mock.patch("review.tasks.send_mail", side_effect=ConnectionRefusedError("smtp down")):
        send_notification.apply(args=[note.pk], throw=False)
    changelist = reverse("admin:review_notification_changelist")
    failed = admin_client.get(changelist, {"delivery": "failed"}).content.decode()
    assert "Vote closes" in failed and "smtp down" in failed
    assert "Vote closes" not in admin_client.get(changelist, {"delivery": "sent"}).content.decode()
    admin_client.post(changelist, {"action": "resend", "_selected_action": [note.pk]})
    note.refresh_from_db()
    assert note.sent_at is not None and len(mailoutbox) == 1
    admin_client.post(changelist, {"action": "resend", "_selected_action": [note.pk]})
    assert len(mailoutbox) == 1  # sent is sent: a second resend does nothing
