"""Thin, idempotent tasks around the badges services."""

from celery import shared_task

from . import services


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
    """Every few minutes: issue awards still pending (their task could not be queued, or failed
    for good). Safe to overlap with the per-award task: issuing locks the award row."""
    issued = 0
    for award_id in services.pending_awards():
        services.issue_credential(award_id=award_id)
        issued += 1
    return issued
