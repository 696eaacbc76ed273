from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from .signin.institution import institution_provider, must_use_institution


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That username and password do not match an account. Check both and try again; "
        "passwords are case-sensitive.",
        "use_institution": "Staff sign in with %(institution)s, with the button above: "
        "this account's password login is turned off.",
    }

    # People log in with a username or an email address (django-allauth's backend): the longer of
    # the two, and within the 255 characters django-axes keeps of a failed login.
    username_max_length = 254

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's form checks no length: an over-long name reached authenticate() and axes' record
        # of the failure, a server error on PostgreSQL. Refused as too long instead, before that.
        self.fields["username"].validators.append(MaxLengthValidator(self.username_max_length))

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if must_use_institution(self.request, user):
            raise ValidationError(
                self.error_messages["use_institution"],
                code="use_institution",
                params={"institution": institution_provider(self.request).name},
            )


class QueuedPasswordResetForm(PasswordResetForm):
    """The reset email is sent by a task: the page answers alike, and as fast, whether or not an
    account has that address."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from django.template import loader

        from core.queue import enqueue
        from core.tasks import send_account_email

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context) if html_email_template_name else None
        )
        # Not kept in the outbox: with the broker down the page answers as usual and the person,
        # who receives nothing, asks again (a reset link is short-lived anyway).
        enqueue(send_account_email, subject, body, to_email, html)
