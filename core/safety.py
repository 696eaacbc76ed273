import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def refuse_implicit_debug():
    """A web server must not fall into development mode because SECRET_KEY was forgotten."""
    if settings.DEBUG and os.environ.get("DEBUG") in (None, ""):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set, so the settings fell back to development mode. Set SECRET_KEY (and "
            "DEBUG=0) for a real deployment, or DEBUG=1 to serve a development site on purpose."
        )
