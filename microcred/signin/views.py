"""The one login page: "Sign in with <institution>" first when single sign-on is configured, then
the local form (which refuses university staff when ``LOCAL_LOGIN_FOR_STAFF`` is off)."""

from django.contrib.auth import views as auth_views

from ..forms import LoginForm
from .institution import institution_provider


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
