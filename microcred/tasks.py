"""Project-level tasks."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives


@shared_task(name="microcred.tasks.send_account_email")
def send_account_email(subject, body, to, html_body=None):
    """Send an account email (a password reset) outside the request, so that how long the request
    takes never tells whether the account exists. Retried by the project task base on failure."""
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()


# The next beat run is the retry: a failed sweep is not retried on its own.
@shared_task(name="microcred.tasks.sweep_outbox", autoretry_for=())
def sweep_outbox():
    """Every two minutes (beat): queue again the follow-up work whose task never ran, from the rows
    that record it (``microcred.outbox``). Safe to run at any time and twice: every task it queues
    is idempotent."""
    from . import outbox

    return outbox.sweep()
