"""Signing in through the institution's identity provider (single sign-on, django-allauth's
``openid_connect`` provider): the provider as configured in settings, the attribute map that reads
a person from it, and the adapter that makes and updates their account."""
