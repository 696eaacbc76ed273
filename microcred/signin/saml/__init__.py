"""django-allauth's SAML 2.0 provider (python3-saml), read through the attribute map in settings
(``SSO_SAML_ATTRIBUTES``) rather than allauth's own, and refusing an assertion without a name or an
identifier, before anything is written, with a page naming what is missing
(``SOCIALACCOUNT_PROVIDERS["saml"]["provider_class"]`` names it).

Signatures, audience, validity window and destination are python3-saml's checks (``strict``, signed
assertions wanted); an answer to no request of this browser, or one shown twice, finds no stashed
request and is refused (allauth)."""

from allauth.socialaccount.providers.saml.provider import SAMLProvider

from ..mapped import MappedAttributesProvider


class UniversitySAMLProvider(MappedAttributesProvider, SAMLProvider):
    # allauth finds the provider's urls by package: saml/urls.py, allauth's views but one.
    package = "microcred.signin.saml"
    protocol = "saml"

    def claims(self, data):
        return data.get_attributes()
