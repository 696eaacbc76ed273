"""Signing in through the institution's identity provider (single sign-on, django-allauth's
``openid_connect`` and ``saml`` providers): the providers as configured in settings, the attribute
maps that read a person from them, and the adapter that makes and updates their account."""
