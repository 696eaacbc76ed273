"""Learner registration through django-allauth: a person who signs up is a learner (not an enrolled
student: those come with a university account and a student ID) and must verify their email
before joining anything."""

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.models import Group

from core import roles

from ..models import Learner


class LearnerAccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=True)
        Learner.objects.get_or_create(user=user)
        user.groups.add(Group.objects.get_or_create(name=roles.LEARNER)[0])
        return user

    def get_signup_redirect_url(self, request):
        return "/badges/catalog/"

    def send_mail(self, template_prefix, email, context):
        from ..issuing.documents import institution_name

        super().send_mail(template_prefix, email, {**context, "institution_name": institution_name()})
