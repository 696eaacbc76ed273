"""The account side of single sign-on (``SOCIALACCOUNT_ADAPTER``): the first sign-in makes the
account just in time, every later one brings it up to date, and both hand the person to
``core.people.record_person`` (names, email, affiliation, unit, then the apps' ``PERSON_SIGNED_IN``).

An account is found by the identity provider's stable identifier (allauth's ``SocialAccount.uid``),
never by an email that changed. A local account made before single sign-on is linked on the first
sign-in only when the institution says the email is verified (``SOCIALACCOUNT_EMAIL_AUTHENTICATION``
with auto-connect); otherwise the sign-in is refused rather than a second account made."""

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.auth import get_user_model
from django.shortcuts import render

from core.people import record_person

from . import attributes


def person_of(sociallogin):
    """The person as the institution describes them, whichever protocol it spoke."""
    data = sociallogin.account.extra_data
    if sociallogin.provider.id == "saml":
        return attributes.person_from(data, attributes.attribute_map("saml"))
    return attributes.person_from(attributes.claims_of(data))


class UniversitySignInAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin):
        person = person_of(sociallogin)
        if sociallogin.is_existing:
            # An account the administrator deactivated stays as it is; allauth refuses the sign-in.
            if sociallogin.user.is_active:
                record_person(user=sociallogin.user, person=person)
            return
        if self._email_taken(person.email):
            raise ImmediateHttpResponse(
                render(
                    request,
                    "signin/refused.html",
                    {"email_taken": True, "provider_name": sociallogin.provider.name},
                    status=403,
                )
            )

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        record_person(user=user, person=person_of(sociallogin))
        return user

    @staticmethod
    def _email_taken(email):
        return (
            EmailAddress.objects.filter(email__iexact=email).exists()
            or get_user_model().objects.filter(email__iexact=email).exists()
        )
