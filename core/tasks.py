"""Ground-floor housekeeping tasks."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives


@shared_task(name="core.tasks.forget_old_submissions")
def forget_old_submissions():
    """Daily (beat): forget the submission keys of forms sent more than
    ``FORM_SUBMISSION_DAYS`` ago; a page kept open that long is sent as a new form."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import FormSubmission

    cutoff = timezone.now() - timedelta(days=settings.FORM_SUBMISSION_DAYS)
    return FormSubmission.objects.filter(created_at__lt=cutoff).delete()[0]


# Registered under the name it had in the project package, so that a message queued before it moved
# to the ground floor is still delivered.
@shared_task(name="microcred.tasks.send_account_email")
def send_account_email(subject, body, to, html_body=None):
    """Send an account email (a password reset, a sign-up confirmation) outside the request, so that how long the request
    takes never tells whether the account exists. Retried by the project task base on failure."""
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()
