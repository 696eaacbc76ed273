"""The outbox: follow-up work saved with the change that calls for it, done by a task queued after
the commit, and queued again from here when that task never ran.

There is no separate outbox table: the rows themselves say what is still to do (an unsent
notification, a digest not sent yet, a pending award, a published proposal without its
achievement …). ``sweep``, run by the ``sweep-outbox`` beat job, queues the task again for each row
that has waited longer than ``AGE_SECONDS``: the broker was unreachable when the task was queued (``core.queue.enqueue``
logged it and let the request succeed), or the worker died with the task and its message is not
back yet. Every task below is idempotent (a row lock and a state check, a unique constraint), so
a task queued here and one that may still be on its way do the work once between them.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from badges import tasks as badges_tasks
from badges.awarding import bulk, expiry
from badges.integrations import credly
from badges.issuing import services as badges
from core.queue import enqueue
from review.services import digests, notifications
from review.tasks import send_digest, send_notification
from transcripts import services as transcripts
from transcripts import tasks as transcripts_tasks

logger = logging.getLogger("microcred.tasks")

# A row this old is overdue: the task queued after its commit would normally have run in seconds.
AGE_SECONDS = 120
# Rows queued per kind and sweep: a long backlog is worked through over a few sweeps.
BATCH = 500


@dataclass(frozen=True)
class Kind:
    name: str
    task: object  # the Celery task that does the work, handed one row's id
    due: Callable  # due(older_than_seconds): the ids of the rows whose work is still to do


KINDS = (
    Kind("notifications", send_notification, notifications.unsent),
    Kind("digests", send_digest, digests.unsent),
    Kind("achievements", badges_tasks.create_achievement, badges.published_without_achievement),
    Kind("awards", badges_tasks.issue_award, badges.pending_awards),
    Kind("bulk_uploads", badges_tasks.process_bulk_award, bulk.unfinished),
    Kind("expiry_changes", badges_tasks.reissue_expiry, expiry.unfinished),
    Kind("credly_issues", badges_tasks.issue_in_credly, credly.unissued),
    Kind("credly_revocations", badges_tasks.revoke_in_credly, credly.unrevoked),
    Kind("transcript_records", transcripts_tasks.record_award, transcripts.awards_without_record),
    Kind("transcript_withdrawals", transcripts_tasks.award_revoked, transcripts.revoked_awards_on_record),
)


def sweep(older_than_seconds=AGE_SECONDS):
    """Queue the task of every row of every kind that has waited longer than ``older_than_seconds``,
    oldest first, up to ``BATCH`` a kind. Returns how many rows of each kind were due."""
    due = {}
    for kind in KINDS:
        ids = list(kind.due(older_than_seconds).order_by("pk")[:BATCH])
        for pk in ids:
            enqueue(kind.task, pk)
        due[kind.name] = len(ids)
        if ids:
            logger.warning(
                "Outbox: %s %s waited over %s s; queued again.", len(ids), kind.name, older_than_seconds
            )
    return due
