"""Who is emailed when a proposal moves, recorded once per person and sent after the commit."""

import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.queue import enqueue
from core.quiet import is_quiet
from proposals.policy import State

from .. import permissions, selectors
from ..models import Membership, Notification

SUBJECT_LENGTH = Notification._meta.get_field("subject").max_length
_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line_subject(subject):
    """An email subject as one line that fits its column. A title may carry a line break or another
    control character (pasted from elsewhere), which the mail library refuses in a header, and a
    200-character title makes a longer subject, which PostgreSQL refuses: either would leave the
    email, and the act that sends it (issuing an award), failing on every retry."""
    line = " ".join(_BREAKS.sub(" ", subject).split())
    return line if len(line) <= SUBJECT_LENGTH else line[: SUBJECT_LENGTH - 1] + "…"


def notify(*, recipients, subject, body, url="", key=None, urgent=False):
    """Record one notification per distinct recipient with an email address and enqueue the sends
    after commit. With ``key``, a notification already recorded under that key is not repeated.
    A send that cannot be queued (broker down) waits unsent for the outbox sweep.

    For a recipient who chose a daily or weekly digest the notification is recorded but kept back
    for their digest (``review.services.digests``), unless it is ``urgent``: then it goes at once,
    as for everyone. The subject is made one line that fits (``one_line_subject``)."""
    from ..tasks import send_notification

    subject = one_line_subject(subject)
    if is_quiet():
        return []
    people = {}
    for user in recipients:
        if user.email and user.is_active:
            people.setdefault(user.pk, user)
    # One query for the lot: who among them reads their emails in a digest.
    held = set() if urgent or not people else selectors.digest_readers(people)
    created = []
    for user in people.values():
        row_key = f"{key}:{user.pk}" if key else None
        if row_key and Notification.objects.filter(key=row_key).exists():
            continue
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user,
                    subject=subject,
                    body=body,
                    url=url,
                    key=row_key,
                    for_digest=user.pk in held,
                )
        except IntegrityError:  # recorded by a concurrent run under the same key
            continue
        created.append(note)
    for notification in created:
        if not notification.for_digest:
            transaction.on_commit(lambda pk=notification.pk: enqueue(send_notification, pk))
    return created


def unsent(older_than_seconds):
    """The outbox of emails: notifications never attempted (their task was not queued, or its
    worker died mid-send) for longer than ``older_than_seconds``. One that was attempted and failed
    is retried by its own task, and then waits, with its error, for staff to send it again. One kept
    back for a digest is its digest's to deliver (``digests.unsent`` sweeps those)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return Notification.objects.filter(
        sent_at__isnull=True, attempts=0, for_digest=False, created_at__lt=cutoff
    ).values_list("pk", flat=True)


def next_actors(proposal):
    """Who must act now that the proposal is where it is."""
    if proposal.state in State.REVIEW_STAGES:
        authors = {u.pk for u in selectors.authors_of(proposal)}
        bodies = permissions.stage_bodies(proposal)
        members = Membership.objects.filter(body__in=bodies, is_active=True).select_related("user")
        return [m.user for m in members if m.user_id not in authors]
    if proposal.state == State.APPROVED:
        return selectors.office_staff()
    return []


def announce(proposal, what):
    """Tell the next people to act, and the authors, where the proposal now is."""
    url = reverse("proposals:detail", args=[proposal.pk])
    stage = proposal.state_label
    subject = f"[{proposal.code or 'Micro-credential'}] {proposal.title}: {stage}"
    body = f"“{proposal.title}” {what}. It is now at the stage: {stage}."
    actors = next_actors(proposal)
    if actors:
        notify(recipients=actors, subject=subject, body=body + " It is waiting for you.", url=url)
    actor_ids = {u.pk for u in actors}
    notify(
        recipients=[u for u in selectors.authors_of(proposal) if u.pk not in actor_ids],
        subject=subject,
        body=body,
        url=url,
    )


def tell_office_of_missing_bodies(proposal, stage, missing, messages):
    """Tell the office's staff (the administrators, when the office has none) that a move of
    ``proposal`` into ``stage`` was refused because a body is missing: one email per body
    (``missing``, each with its message in ``messages``), sent once per body and proposal however
    often the move is tried."""
    recipients = selectors.office_staff() or list(
        get_user_model().objects.filter(is_superuser=True, is_active=True)
    )
    for body, message in zip(missing, messages, strict=True):
        notify(
            recipients=recipients,
            subject=f"[{proposal.code or 'Micro-credential'}] {proposal.title}: held up, a review body is missing",
            body=f"“{proposal.title}” could not move to {stage.label}. {message} Nothing was changed; "
            "once it is set up, the move can be made again.",
            url=reverse("proposals:detail", args=[proposal.pk]),
            key=f"missing-body:{proposal.pk}:{body.key}",
            # Someone is held up now: not kept back for a digest.
            urgent=True,
        )
