"""Learner registration through django-allauth: a person who signs up is a learner (not an enrolled
student: those come with a university account and a student ID) and must verify their email
before joining anything."""

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.models import Group

from core import roles
from core.clients import client_address
from core.queue import enqueue
from core.tasks import send_account_email

from ..models import Learner


class LearnerAccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=True)
        Learner.objects.get_or_create(user=user)
        user.groups.add(Group.objects.get_or_create(name=roles.LEARNER)[0])
        return user

    def get_signup_redirect_url(self, request):
        return "/badges/catalog/"

    def get_client_ip(self, request):
        return client_address(request)

    def send_mail(self, template_prefix, email, context):
        """Rendered here, sent by a task: a slow mail server never holds the page, and the answer
        takes as long whichever email (a new account's, or "you already have one") goes out."""
        from ..issuing.documents import institution_name

        message = self.render_mail(
            template_prefix, email, {**context, "institution_name": institution_name()}
        )
        html = next((body for body, kind in message.alternatives if kind == "text/html"), None)
        enqueue(send_account_email, message.subject, message.body, email, html)
