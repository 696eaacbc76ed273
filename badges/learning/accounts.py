"""Learner registration through django-allauth: a person who signs up is a learner (not an enrolled
student: those come with a university account and a student ID) and must verify their email
before joining anything."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.models import Group

from core import roles
from core.clients import client_address
from core.queue import enqueue
from core.tasks import send_account_email

from ..models import Learner

logger = logging.getLogger(__name__)


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


def enrol_signed_in_student(user, person):
    """A student signing in through the institution is a learner with the student ID it asserts,
    treated as enrolled without typing anything (``core.hooks.PERSON_SIGNED_IN``). Someone else
    holding that student ID (a local account that typed it) keeps it: the new one is logged and left
    without one, for the office to sort out, rather than taken from its holder."""
    if not person.is_student:
        return
    learner = Learner.objects.get_or_create(user=user)[0]
    user.groups.add(Group.objects.get_or_create(name=roles.LEARNER)[0])
    if learner.student_id == person.student_id:
        return
    if Learner.objects.filter(student_id=person.student_id).exclude(pk=learner.pk).exists():
        logger.warning("Student ID asserted for user %s is already another learner's; left unset.", user.pk)
        return
    learner.student_id = person.student_id
    learner.save(update_fields=["student_id"])
