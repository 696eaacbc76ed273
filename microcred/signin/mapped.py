"""What the OpenID Connect and SAML providers share: the institution's name on the button, the
account's identifier, names and email read through the attribute map, and the refusal of an answer
without them, before anything is written."""

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from django.conf import settings
from django.shortcuts import render

from proposals.policy import active_profile

from . import attributes


class MappedAttributesProvider:
    """A mixin for an allauth provider; ``protocol`` names the map, ``claims(data)`` reads the
    provider's answer as a dict of claims or attributes."""

    protocol = "oidc"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The button and allauth's pages say "Sign in with <this>": the institution unless named.
        self.name = self.app.name or settings.INSTITUTION_NAME_OVERRIDE or active_profile().institution

    def claims(self, data):
        raise NotImplementedError

    def person(self, data):
        return attributes.person_from(self.claims(data), attributes.attribute_map(self.protocol))

    def sociallogin_from_response(self, request, response):
        missing = attributes.missing(self.claims(response), attributes.attribute_map(self.protocol))
        if missing:
            raise ImmediateHttpResponse(
                render(
                    request,
                    "signin/refused.html",
                    {"missing": missing, "provider_name": self.name},
                    status=403,
                )
            )
        return super().sociallogin_from_response(request, response)

    def extract_uid(self, data):
        return self.person(data).uid

    def extract_common_fields(self, data):
        person = self.person(data)
        return {"email": person.email, "first_name": person.given_name, "last_name": person.family_name}

    def extract_email_addresses(self, data):
        person = self.person(data)
        if not person.email:
            return []
        return [EmailAddress(email=person.email, verified=person.email_verified, primary=True)]
