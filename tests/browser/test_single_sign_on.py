"""In Chromium: a student signs in with the institution's button, through a real OpenID Connect
provider on 127.0.0.1 (tests/oidc_provider.py), and lands where they were going as a learner."""

from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model

from badges.models import Learner
from tests.browser.conftest import screenshot
from tests.oidc_provider import OIDCProvider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def idp(settings, live_server):
    provider = OIDCProvider(
        client_id="microcred",
        client_secret="s3cret",
        redirect_uri=f"{live_server.url}/learners/oidc/university/login/callback/",
    ).start()
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
            "APPS": [
                {
                    "provider_id": "university",
                    "name": "State University",
                    "client_id": "microcred",
                    "secret": "s3cret",
                    "settings": {"server_url": provider.issuer},
                }
            ],
        }
    }
    # As SSO_OIDC_ISSUER does in settings: the browser may follow the sign-in form to the provider.
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**directives, "form-action": [*directives["form-action"], provider.issuer]}
    }
    provider.person = {
        "sub": "b00987654",
        "given_name": "Dev",
        "family_name": "Raman",
        "email": "draman@example.edu",
        "email_verified": True,
        "eduperson_affiliation": ["student"],
        "student_id": "B00987654",
    }
    yield provider
    provider.stop()


def test_a_student_signs_in_with_the_institution_and_is_a_learner(page, idp):
    page.goto("/badges/mine/")
    page.get_by_role("button", name="Sign in with State University").click()

    page.wait_for_url(lambda url: urlparse(url).path == "/badges/mine/")
    screenshot(page, "sso-signed-in")
    user = get_user_model().objects.get(email="draman@example.edu")
    assert (user.first_name, user.last_name) == ("Dev", "Raman")
    assert Learner.objects.get(user=user).student_id == "B00987654"
