"""Deployment checks of our own, run by ``manage.py check --deploy`` beside Django's.

- ``core.E001``: ``PUBLIC_BASE_URL`` is not an https address, or names this machine. Every credential,
  achievement and status list id is built from it and signed: a deployment that issues with
  ``http://127.0.0.1:8000`` writes that into every credential for good.
- ``core.W002``: no shared cache (``CACHE_URL``): the sign-up and verify-page limits and the
  dashboard's trends are then counted in each process apart.
- ``core.W003``: email is printed to the console, so nobody receives a notification, a reset link or
  a sign-up confirmation.
"""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

LOCAL_NAMES = {"localhost", "localhost.localdomain"}


def _is_local(host):
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_unspecified or address.is_link_local


@checks.register(checks.Tags.security, deploy=True)
def public_base_url(app_configs=None, **kwargs):
    parts = urlsplit(settings.PUBLIC_BASE_URL)
    if parts.scheme == "https" and parts.hostname and not _is_local(parts.hostname):
        return []
    return [
        checks.Error(
            f"PUBLIC_BASE_URL is {settings.PUBLIC_BASE_URL!r}: every credential and achievement id is built "
            "from it and signed, so it must be the site's public https:// address before the first award.",
            hint="Set PUBLIC_BASE_URL=https://<the site's host> in the environment.",
            id="core.E001",
        )
    ]


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache(app_configs=None, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if "locmem" not in backend and "dummy" not in backend:
        return []
    return [
        checks.Warning(
            "The cache is each process's own memory: with several web processes, the sign-up and verify-page "
            "limits count per process and the dashboard's trends are worked out in each.",
            hint="Set CACHE_URL to a Redis database shared by every web and worker process.",
            id="core.W002",
        )
    ]


@checks.register(checks.Tags.compatibility, deploy=True)
def email_configured(app_configs=None, **kwargs):
    if "console" not in settings.EMAIL_BACKEND:
        return []
    return [
        checks.Warning(
            "Email is printed to the console: nobody receives notifications, password resets or sign-up "
            "confirmations.",
            hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST (see docs/operations.md).",
            id="core.W003",
        )
    ]
