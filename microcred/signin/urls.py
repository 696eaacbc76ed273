"""The OpenID Connect sign-in's URLs, as allauth's ``openid_connect`` provider names them
(``/learners/oidc/<provider id>/login/`` and ``…/login/callback/``, the redirect URI), served by
the views in ``oidc.py``. allauth includes this module for the provider (``provider.package``)."""

from allauth.socialaccount import app_settings
from django.urls import include, path, re_path

from . import oidc

urlpatterns = [
    re_path(
        r"^(?P<provider_id>[^/]+)/",
        include(
            [
                path("login/", oidc.login, name="openid_connect_login"),
                path("login/callback/", oidc.callback, name="openid_connect_callback"),
            ]
        ),
    )
]

if app_settings.OPENID_CONNECT_URL_PREFIX:
    urlpatterns = [path(f"{app_settings.OPENID_CONNECT_URL_PREFIX}/", include(urlpatterns))]
