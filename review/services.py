"""Writes for the review app. Notifications are rows first, email second: the row is committed
with the change that caused it, and the send is enqueued only once that transaction commits."""

from django.db import transaction

from .models import Notification


def notify(*, recipients, subject, body, url=""):
    """Record one notification per distinct recipient with an email address and enqueue the sends
    after commit. Returns the notifications created."""
    from .tasks import send_notification

    seen, created = set(), []
    for user in recipients:
        if user.pk in seen or not user.email or not user.is_active:
            continue
        seen.add(user.pk)
        created.append(Notification.objects.create(recipient=user, subject=subject, body=body, url=url))
    for notification in created:
        transaction.on_commit(lambda pk=notification.pk: send_notification.delay(pk))
    return created
