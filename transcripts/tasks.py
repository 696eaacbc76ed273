"""Thin, idempotent tasks around the registrar's services, handed awards by the awards app."""

from celery import shared_task

from . import services


@shared_task(name="transcripts.tasks.record_award")
def record_award(award_id):
    record = services.record_award(award_id=award_id)
    return record.pk if record else None


@shared_task(name="transcripts.tasks.award_revoked")
def award_revoked(award_id):
    record = services.award_revoked(award_id=award_id)
    return record.pk if record else None
