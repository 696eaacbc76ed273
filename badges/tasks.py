"""Thin, idempotent tasks around the badges services."""

import logging

from celery import shared_task

from .awarding import bulk, expiry
from .integrations import credly
from .issuing import services

logger = logging.getLogger(__name__)


@shared_task(name="badges.tasks.create_achievement")
def create_achievement(proposal_id):
    """Build the achievement of a just-published proposal (once per proposal version)."""
    return services.create_achievement(proposal_id=proposal_id).pk


@shared_task(name="badges.tasks.issue_award")
def issue_award(award_id):
    """Issue one award's signed credential; delivered twice, it issues once."""
    return services.issue_credential(award_id=award_id).state


@shared_task(name="badges.tasks.issue_pending_awards")
def issue_pending_awards():
    """Issue awards still pending, in this process (the outbox sweep, ``microcred.outbox``, queues
    them instead; this is for running by hand). Safe to overlap with the per-award task: issuing
    locks the award row."""
    issued = 0
    for award_id in services.pending_awards():
        services.issue_credential(award_id=award_id)
        issued += 1
    # Confirmed bulk uploads whose task was lost (broker down, worker killed) carry on from where
    # they stopped; a re-issue of expiries likewise.
    for bulk_id in bulk.unfinished():
        bulk.process(bulk_id)
    for change_id in expiry.unfinished():
        expiry.process(change_id)
    return issued


@shared_task(name="badges.tasks.process_bulk_award")
def process_bulk_award(bulk_id):
    """Award the rows of a confirmed spreadsheet; delivered twice, it awards each row once."""
    return bulk.process(bulk_id)


@shared_task(name="badges.tasks.reissue_expiry")
def reissue_expiry(change_id):
    """Re-issue the awards of an expiry change with their new expiry; safe to deliver twice."""
    return expiry.process(change_id)


# --- Credly: after the Open Badges credential, never in its way ---------------------------------------


@shared_task(name=credly.ISSUE_TASK, bind=True, autoretry_for=(), max_retries=credly.MAX_RETRIES)
def issue_in_credly(self, award_id):
    """Issue an issued award through Credly too (where configured); delivered twice, it issues once."""
    return _in_credly(self, credly.issue, award_id)


@shared_task(name=credly.REVOKE_TASK, bind=True, autoretry_for=(), max_retries=credly.MAX_RETRIES)
def revoke_in_credly(self, award_id):
    """Revoke a revoked award's Credly badge, where one was issued."""
    return _in_credly(self, credly.revoke, award_id)


def _in_credly(task, service, award_id):
    """Run a Credly service; retry what is worth retrying with backoff and jitter (never sooner than
    Credly's Retry-After), and once the retries are spent leave the row FAILED for staff."""
    try:
        badge = service(award_id=award_id)
    except credly.CredlyError as refusal:
        if not refusal.retryable:
            return "failed"  # the service has written Credly's answer on the row
        failure, wait = refusal, refusal.retry_after
    except Exception as exc:  # the database or a bug: retried the same way, shown to staff in the end
        logger.warning("Credly task for award %s failed.", award_id, exc_info=True)
        failure, wait = exc, None
    else:
        return badge.state if badge is not None else "skipped"
    if task.request.retries >= task.max_retries:
        credly.record_failure(award_id=award_id, error=failure)
        return "failed"
    raise task.retry(countdown=credly.retry_delay(task.request.retries, wait), exc=failure)
