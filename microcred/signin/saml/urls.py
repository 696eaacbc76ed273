"""The SAML sign-in's URLs, as allauth's ``saml`` provider names them
(``/learners/saml/<slug>/login/``, ``acs/``, ``acs/finish/``, ``sls/``, ``metadata/``): allauth's
views, except that the ACS's finish refuses a response that is not XML with the sign-in-failed page
(allauth lets lxml's error through, a server error)."""

from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.providers.saml import views
from allauth.socialaccount.providers.saml.utils import get_app_or_404
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from lxml.etree import XMLSyntaxError


@login_not_required
def finish_acs(request, organization_slug):
    try:
        return views.finish_acs(request, organization_slug=organization_slug)
    except XMLSyntaxError:
        provider = get_app_or_404(request, organization_slug).get_provider(request)
        return render_authentication_error(request, provider)


urlpatterns = [
    re_path(
        r"^saml/(?P<organization_slug>[^/]+)/",
        include(
            [
                path("acs/", views.acs, name="saml_acs"),
                path("acs/finish/", finish_acs, name="saml_finish_acs"),
                path("sls/", views.sls, name="saml_sls"),
                path("metadata/", views.metadata, name="saml_metadata"),
                path("login/", views.login, name="saml_login"),
            ]
        ),
    )
]
