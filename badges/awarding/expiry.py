"""Changing when many awards of one achievement expire.

The office's staff pick an achievement and a new expiry (or none), see which issued awards it
re-issues, and confirm with a reason. A task then re-issues each award (``services.
issuing.reissue.reissue_credential``): a new signed credential with the new expiry becomes the one in force, and
the earlier one is superseded in the published status list. Safe to run twice or to resume after a
worker dies: progress is kept on the change, a chunk per transaction with the change locked.
"""

from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.queue import enqueue

from ..issuing import reissue as issuing_reissue
from ..issuing import services
from ..models import Award, ExpiryChange
from ..permissions import may_change_expiry

CHUNK = 25


def end_of_day(day):
    """An expiry date as the end of that day in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def affected(achievement, user):
    """The issued awards of the achievement a change would re-issue: never the person's own."""
    return (
        Award.objects.filter(achievement=achievement, state=Award.State.ISSUED)
        .exclude(learner=user)
        .select_related("learner__learner")
        .order_by("learner__last_name", "learner__first_name", "pk")
    )


@transaction.atomic
def change(*, achievement, user, valid_until, reason):
    """Record the change and hand it to the re-issuing task once it commits."""
    if not may_change_expiry(user):
        raise PermissionDenied("Only the awarding office's staff change when awards expire.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the expiry changes: learners are told."})
    if valid_until is not None and valid_until <= timezone.now():
        raise ValidationError(
            {"valid_until": "Choose a date in the future, or leave it blank for no expiry."}
        )
    award_ids = list(affected(achievement, user).values_list("pk", flat=True))
    if not award_ids:
        raise ValidationError("No issued award of this micro-credential would change.")
    made = ExpiryChange.objects.create(
        achievement=achievement, valid_until=valid_until, reason=reason, changed_by=user, award_ids=award_ids
    )
    transaction.on_commit(lambda: _enqueue(made.pk))
    return made


def _enqueue(change_id):
    from ..tasks import reissue_expiry

    enqueue(reissue_expiry, change_id)  # broker down: the outbox sweep carries on with unfinished changes


def process(change_id):
    """Re-issue the next awards of a change, a chunk per transaction, then publish the status list
    with the superseded credentials. Returns how many awards it re-issued now."""
    reissued = 0
    while True:
        with transaction.atomic():
            found = ExpiryChange.objects.select_for_update().get(pk=change_id)
            if found.finished_at is not None:
                return reissued
            chunk = found.award_ids[found.processed : found.processed + CHUNK]
            for award_id in chunk:
                reissued += issuing_reissue.reissue_credential(
                    award_id=award_id, valid_until=found.valid_until
                )
            found.processed += len(chunk)
            if found.processed >= len(found.award_ids):
                found.finished_at = timezone.now()
            found.save(update_fields=["processed", "finished_at"])
            services.publish_status_list()
            if found.finished_at is not None:
                return reissued


def unfinished(older_than_seconds=120):
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return ExpiryChange.objects.filter(finished_at__isnull=True, created_at__lt=cutoff).values_list(
        "pk", flat=True
    )
