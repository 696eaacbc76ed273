"""Email digests: a person who chose a daily or weekly digest gets one email per period, listing
what happened on their proposals since their last digest and what waits for them now.

``notify`` keeps such a person's notifications back (``for_digest``) unless they are urgent. Each
hour the ``send-email-digests`` beat job calls ``record_digests``: one ``Digest`` row per digest
person for the period that began last (the database refuses a second), each sent by the
``send_digest`` task queued after the commit, which marks the notifications it listed as delivered
by it. A digest whose task never ran is queued again by the outbox sweep (``unsent``).
"""

import datetime
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.queue import enqueue

from .. import selectors
from ..models import Digest, Notification, NotificationPreference

Delivery = NotificationPreference.Delivery
# The oldest items of the person's queue a digest lists; the rest are counted, with a link.
QUEUE_ITEMS = 5


@transaction.atomic
def set_delivery(*, user, delivery):
    """Record how ``user`` wants their emails. Choosing immediate emails again sends at once
    (after the commit) whatever was kept back for a digest that has not gone yet, so nothing waits
    for a digest that will never come. Returns the preference."""
    if delivery not in Delivery.values:
        raise ValidationError({"delivery": "Choose immediate emails, a daily digest or a weekly digest."})
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
        user=user, defaults={"delivery": delivery}
    )
    if preference.delivery != delivery:
        preference.delivery, preference.chosen_at = delivery, timezone.now()
        preference.full_clean()
        preference.save(update_fields=["delivery", "chosen_at"])
    if delivery == Delivery.IMMEDIATE:
        _release_held(user)
    return preference


def _release_held(user):
    from ..tasks import send_notification

    held = list(
        Notification.objects.filter(
            recipient=user, for_digest=True, digest__isnull=True, sent_at__isnull=True
        )
        .select_for_update()
        .values_list("pk", flat=True)
    )
    Notification.objects.filter(pk__in=held).update(for_digest=False)
    for pk in held:
        transaction.on_commit(lambda pk=pk: enqueue(send_notification, pk))


# --- periods --------------------------------------------------------------------------------------


def period_began(period, now=None):
    """When the latest ``period`` (daily or weekly) began, at or before ``now``: the local date and
    the moment (``DIGEST_HOUR`` local time; for a weekly digest, on ``DIGEST_WEEKDAY``)."""
    local = timezone.localtime(now or timezone.now())
    start = local.replace(hour=settings.DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if start > local:
        start -= timedelta(days=1)
    if period == Digest.Period.WEEKLY:
        start -= timedelta(days=(start.weekday() - settings.WEEKDAYS.index(settings.DIGEST_WEEKDAY)) % 7)
    # Arithmetic in the local zone is on the wall clock: across a change of daylight saving time the
    # digest keeps its hour.
    return start.date(), start


# --- recording the period's digests ---------------------------------------------------------------


def record_digests(now=None):
    """One digest for each person who chose a daily or weekly digest (before the period began), is
    active and has an email address, for the period that began last; each is sent by its task after
    the commit. Running it again in the same period records none: one digest per person, kind and
    period is a database constraint. Returns the digests recorded now."""
    from ..tasks import send_digest

    created = []
    for period in Digest.Period:
        start_date, start = period_began(period, now)
        people = (
            get_user_model()
            .objects.filter(
                notification_preference__delivery=period.value,
                notification_preference__chosen_at__lte=start,
                is_active=True,
            )
            .exclude(email="")
            .exclude(
                Exists(
                    Digest.objects.filter(recipient=OuterRef("pk"), period=period, period_start=start_date)
                )
            )
            .order_by("pk")
        )
        for person in people:
            try:
                with transaction.atomic():
                    digest = Digest.objects.create(recipient=person, period=period, period_start=start_date)
            except IntegrityError:  # recorded by a concurrent run
                continue
            created.append(digest)
    for digest in created:
        transaction.on_commit(lambda pk=digest.pk: enqueue(send_digest, pk))
    return created


def unsent(older_than_seconds):
    """The outbox of digests: those never attempted (their task was not queued, or its worker died)
    for longer than ``older_than_seconds``. One that was attempted and failed is retried by its own
    task, and then waits, with its error, for staff to send it again."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return Digest.objects.filter(state=Digest.State.PENDING, attempts=0, created_at__lt=cutoff).values_list(
        "pk", flat=True
    )


# --- one digest's email ---------------------------------------------------------------------------


@dataclass
class DigestEmail:
    subject: str
    body: str
    notification_ids: list
    waiting: int


def compose(digest):
    """The email of ``digest``, or None when there is nothing to say (no notification kept back and
    nothing waiting) or nobody to say it to (inactive, no email address). Locks the notifications it
    lists, so that they are delivered by one digest only; to be called inside the sending
    transaction."""
    person = digest.recipient
    if not person.is_active or not person.email:
        return None
    notes = list(
        Notification.objects.select_for_update()
        .filter(recipient=person, for_digest=True, digest__isnull=True, sent_at__isnull=True)
        .order_by("created_at", "pk")
    )
    queue, task = selectors.queue(person)
    waiting = queue.count()
    if not notes and not waiting:
        return None
    now = timezone.now()
    base = settings.PUBLIC_BASE_URL
    oldest = [
        {
            "proposal": p,
            "task": task(p),
            "days": (now - p.stage_entered_at).days if p.stage_entered_at else None,
            "link": base + p.get_absolute_url(),
        }
        for p in queue[:QUEUE_ITEMS]
    ]
    kind = digest.get_period_display()
    parts = [f"{len(notes)} update{'s' if len(notes) != 1 else ''}"] if notes else []
    if waiting:
        parts.append(f"{waiting} waiting for you")
    body = render_to_string(
        "review/email/digest.txt",
        {
            "person": person,
            "digest": digest,
            "since": _previous_sent(digest),
            "events": [{"note": n, "link": base + n.url if n.url else ""} for n in notes],
            "waiting": waiting,
            "oldest": oldest,
            "more": waiting - len(oldest),
            "queue_link": base + reverse("review:queue"),
            "settings_link": base + reverse("review:email_settings"),
        },
    )
    return DigestEmail(
        subject=f"{kind} digest: {', '.join(parts)}",
        body=body,
        notification_ids=[n.pk for n in notes],
        waiting=waiting,
    )


def _previous_sent(digest):
    previous = (
        Digest.objects.filter(recipient_id=digest.recipient_id, state=Digest.State.SENT)
        .exclude(pk=digest.pk)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    return timezone.localtime(previous) if isinstance(previous, datetime.datetime) else None
