"""System checks of the badges app.

- ``badges.W001`` (``manage.py check`` with ``DEBUG`` on) and ``badges.E001`` (``manage.py check
  --deploy``): with ``ISSUER_IDENTIFIER=did:web``, ``PUBLIC_BASE_URL`` is not an https address. A
  did:web DID is resolved over HTTPS only, so no wallet or verifier can read the issuer's DID
  document, and every credential naming the DID fails there. Fine for trying the mode locally.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

from .issuing import documents


def _did_web_unresolvable():
    return documents.did_web_mode() and urlsplit(settings.PUBLIC_BASE_URL).scheme != "https"


def _message():
    parts = urlsplit(settings.PUBLIC_BASE_URL)
    resolved = f"https://{parts.netloc}{parts.path.rstrip('/')}{documents.did_document_path()}"
    return (
        f"ISSUER_IDENTIFIER is did:web but PUBLIC_BASE_URL ({settings.PUBLIC_BASE_URL}) is not https: "
        f"a wallet resolves {documents.issuer_did()} at {resolved}, which this site does not serve."
    )


HINT = "Set PUBLIC_BASE_URL to the site's https:// address, or ISSUER_IDENTIFIER=https."


@checks.register(checks.Tags.compatibility)
def did_web_over_https(app_configs=None, **kwargs):
    """badges.W001: a development site in did:web mode on plain http (a warning: trying it is fine)."""
    if settings.DEBUG and _did_web_unresolvable():
        return [checks.Warning(_message(), hint=HINT, id="badges.W001")]
    return []


@checks.register(checks.Tags.security, deploy=True)
def did_web_over_https_deployed(app_configs=None, **kwargs):
    """badges.E001: a deployment in did:web mode on plain http."""
    if _did_web_unresolvable():
        return [checks.Error(_message(), hint=HINT, id="badges.E001")]
    return []
