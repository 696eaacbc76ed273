"""django-allauth's OpenID Connect provider, held to what single sign-on here needs
(``SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"]`` names it):

- every authorization request carries a fresh ``nonce``, and the ID token must return it, once,
  in the browser session that asked (allauth sends none);
- the ID token's signature is always checked against the provider's published keys (allauth skips
  it when the token came straight from the token endpoint, which the spec allows, but a key
  check costs little and catches a misconfigured issuer);
- the account's identifier, names and email come through the attribute map in settings, and an
  answer without a name or an identifier is refused, before anything is written, with a page
  naming what is missing.

Issuer, audience and expiry are allauth's own checks (``jwtkit.verify_and_decode``); PKCE is
allauth's, turned on in settings."""

import secrets

from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.contrib.auth.decorators import login_not_required
from django.http import Http404

from . import attributes
from .mapped import MappedAttributesProvider

NONCES_SESSION_KEY = "microcred_oidc_nonces"
# Sign-ins started in one browser and not yet finished (several tabs): the oldest are forgotten.
PENDING_NONCES = 5
# Where signing out here also signs out at the identity provider (its end_session_endpoint), with
# the ID token it gave as the hint (views.LogoutView).
LOGOUT_SESSION_KEY = "microcred_oidc_logout"


class UniversityOIDCAdapter(OpenIDConnectOAuth2Adapter):
    def complete_login(self, request, app, token, **kwargs):
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise OAuth2Error("The identity provider sent no ID token.")
        login = super().complete_login(request, app, token, **kwargs)
        endpoint = self.openid_config.get("end_session_endpoint")
        if endpoint:
            request.session[LOGOUT_SESSION_KEY] = {
                "endpoint": endpoint,
                "id_token": id_token,
                "client_id": app.client_id,
            }
        return login

    def _decode_id_token(self, app, id_token):
        claims = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )
        pending = self.request.session.get(NONCES_SESSION_KEY, [])
        nonce = claims.get("nonce")
        if not nonce or nonce not in pending:
            raise OAuth2Error("The ID token's nonce is not one this browser asked for.")
        # Once only: the same token shown again is refused.
        self.request.session[NONCES_SESSION_KEY] = [n for n in pending if n != nonce]
        return claims


class UniversityOIDCProvider(MappedAttributesProvider, OpenIDConnectProvider):
    # allauth finds the provider's urls by package: microcred/signin/urls.py, allauth's own with
    # these views (allauth's name the adapter class outright).
    package = "microcred.signin"
    oauth2_adapter_class = UniversityOIDCAdapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(32)
        pending = request.session.get(NONCES_SESSION_KEY, [])
        request.session[NONCES_SESSION_KEY] = [*pending, nonce][-PENDING_NONCES:]
        auth_params = kwargs.pop("auth_params", None)
        auth_params = dict(self.get_auth_params() if auth_params is None else auth_params, nonce=nonce)
        return super().redirect(request, process, next_url, data, auth_params=auth_params, **kwargs)

    def claims(self, data):
        return attributes.claims_of(data)


@login_not_required
def login(request, provider_id):
    try:
        return OAuth2LoginView.adapter_view(UniversityOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as exc:
        raise Http404 from exc


@login_not_required
def callback(request, provider_id):
    try:
        return OAuth2CallbackView.adapter_view(UniversityOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as exc:
        raise Http404 from exc
