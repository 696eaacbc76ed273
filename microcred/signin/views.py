"""The one login page: "Sign in with <institution>" first when single sign-on is configured, then
the local form (which refuses university staff when ``LOCAL_LOGIN_FOR_STAFF`` is off); and signing
out, which also signs out at an OpenID Connect provider that offers it."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url

from ..forms import LoginForm
from .institution import institution_provider
from .oidc import LOGOUT_SESSION_KEY


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        provider = institution_provider(self.request)
        if provider is not None:
            context["institution_sign_in"] = {
                "name": provider.name,
                "url": provider.get_login_url(self.request),
            }
        return context


class LogoutView(auth_views.LogoutView):
    """Ends the session here; a person who signed in through an OpenID Connect provider with an
    ``end_session_endpoint`` is then sent there (RP-initiated logout), to come back to the login
    page (the ``post_logout_redirect_uri`` to register with the provider)."""

    def post(self, request, *args, **kwargs):
        ending = request.session.get(LOGOUT_SESSION_KEY) if request.user.is_authenticated else None
        response = super().post(request, *args, **kwargs)
        if not ending:
            return response
        back = request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL))
        query = urlencode(
            {
                "id_token_hint": ending["id_token"],
                "client_id": ending["client_id"],
                "post_logout_redirect_uri": back,
            }
        )
        return HttpResponseRedirect(f"{ending['endpoint']}?{query}")
