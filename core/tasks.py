"""Ground-floor housekeeping tasks."""

from celery import shared_task
from django.conf import settings


@shared_task(name="core.tasks.forget_old_submissions")
def forget_old_submissions():
    """Daily (beat): forget the submission keys of forms sent more than
    ``FORM_SUBMISSION_DAYS`` ago; a page kept open that long is sent as a new form."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import FormSubmission

    cutoff = timezone.now() - timedelta(days=settings.FORM_SUBMISSION_DAYS)
    return FormSubmission.objects.filter(created_at__lt=cutoff).delete()[0]
