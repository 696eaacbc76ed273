import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Digest, Notification

logger = logging.getLogger(__name__)


@shared_task
def send_notification(notification_id):
    """Send one notification by email, exactly once.

    The row is locked while sending, and a row already marked sent is skipped, so a retried or
    duplicated message never emails twice. A failure is recorded on the row and re-raised, so the
    project task base retries it with backoff and logs it once the retries are spent.
    """
    try:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update()
                .select_related("recipient")
                .filter(pk=notification_id)
                .first()
            )
            if notification is None:
                logger.warning("Notification %s no longer exists; nothing to send.", notification_id)
                return "missing"
            if notification.sent_at is not None:
                return "already-sent"
            body = notification.body
            if notification.url:
                body = f"{body}\n\n{settings.PUBLIC_BASE_URL}{notification.url}"
            send_mail(
                subject=notification.subject,
                message=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[notification.recipient.email],
            )
            Notification.objects.filter(pk=notification_id).update(
                sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
            )
    except Exception as exc:
        Notification.objects.filter(pk=notification_id).update(
            attempts=F("attempts") + 1, last_error=repr(exc)[:2000]
        )
        raise
    return "sent"


@shared_task
def send_review_reminders():
    """Daily: remind whoever must act on a proposal that has waited at its stage longer than
    ``REVIEW_REMINDER_DAYS``. Safe to run twice a day: one reminder per person, item and day."""
    from django.urls import reverse

    from .selectors import overdue_proposals
    from .services import next_actors, notify

    now = timezone.now()
    sent = 0
    for proposal in overdue_proposals(now):
        days = (now - proposal.stage_entered_at).days
        with transaction.atomic():
            sent += len(
                notify(
                    recipients=next_actors(proposal),
                    subject=f"Reminder: “{proposal.title}” has waited {days} days at {proposal.state_label}",
                    body=f"“{proposal.title}” has been waiting at the stage {proposal.state_label} for {days} days "
                    "and needs your action.",
                    url=reverse("proposals:detail", args=[proposal.pk]),
                    key=f"reminder:{proposal.pk}:{proposal.state}:{now.date().isoformat()}",
                    # Overdue already: a digest would keep it back up to another week.
                    urgent=True,
                )
            )
    return sent


@shared_task
def refresh_dashboard_trends():
    """Every few minutes (beat): compute the office dashboard's trends and keep them in the cache,
    so that no visit waits for them. Safe to run at any time and twice: it only replaces the kept
    figures with fresh ones."""
    from . import trends

    return len(trends.refresh().trends)


@shared_task
def send_digests():
    """Hourly: record the digests of the period that began last (daily and weekly) and queue their
    sends. Safe to run as often as you like: one digest per person and period."""
    from .services import digests

    return len(digests.record_digests())


@shared_task
def send_digest(digest_id):
    """Send one digest by email, exactly once, and mark the notifications it lists as delivered by it.

    The shape of ``send_notification``: the row is locked while sending, a digest already sent (or
    found to have nothing to say) is skipped, and a failure is recorded on the row and re-raised, so
    the project task base retries it with backoff. A digest with nothing to say (no notification
    kept back, nothing waiting) or nobody to say it to (inactive, no email address) sends nothing.
    """
    from .services import digests

    try:
        with transaction.atomic():
            digest = (
                Digest.objects.select_for_update().select_related("recipient").filter(pk=digest_id).first()
            )
            if digest is None:
                logger.warning("Digest %s no longer exists; nothing to send.", digest_id)
                return "missing"
            if digest.state != Digest.State.PENDING:
                return f"already-{digest.state}"
            email = digests.compose(digest)
            if email is None:
                Digest.objects.filter(pk=digest_id).update(state=Digest.State.NOTHING, last_error="")
                return "nothing"
            send_mail(
                subject=email.subject,
                message=email.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[digest.recipient.email],
            )
            now = timezone.now()
            Notification.objects.filter(pk__in=email.notification_ids).update(digest=digest, sent_at=now)
            Digest.objects.filter(pk=digest_id).update(
                state=Digest.State.SENT,
                sent_at=now,
                attempts=F("attempts") + 1,
                last_error="",
                events=len(email.notification_ids),
                waiting=email.waiting,
            )
    except Exception as exc:
        Digest.objects.filter(pk=digest_id).update(attempts=F("attempts") + 1, last_error=repr(exc)[:2000])
        raise
    return "sent"


@shared_task
def supersede_revised():
    """Daily: published revisions whose effective date has come replace what they revise. Safe to
    run twice: each replacement happens once (row lock and state check)."""
    from .services import supersede_due

    return [proposal.pk for proposal in supersede_due()]
