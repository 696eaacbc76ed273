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


def test_a_student_chooses_the_name_on_their_credentials_and_the_award_shows_it(
    page, idp, demo, django_capture_on_commit_callbacks, settings, tmp_path
):
    import json

    from badges.issuing import documents, services
    from badges.models import Award
    from tests.workflow import publish_achievement

    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    services.create_issuer_key()
    achievement = publish_achievement(demo, django_capture_on_commit_callbacks, title="Data Storytelling")
    page.goto("/badges/names/")
    page.get_by_role("button", name="Sign in with State University").click()
    page.wait_for_url(lambda url: urlparse(url).path == "/badges/names/")
    assert page.get_by_label("Given name").is_disabled()  # the institution's, changed there
    page.get_by_label("Name on your credentials").fill("Dev R. Raman")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Your names are saved.").wait_for()

    user = get_user_model().objects.get(email="draman@example.edu")
    get_user_model().objects.filter(pk=user.pk).update(username="zqlogin-dev")  # no text holds it by chance
    user.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        award = services.award(learner=user, achievement=achievement, awarded_by=demo["evaluator"])
    page.goto(Award.objects.get(pk=award.pk).get_absolute_url())
    screenshot(page, "sso-award-with-chosen-name")

    assert page.get_by_role("heading", level=1).inner_text() == "Dev R. Raman"
    credential = json.loads(Award.objects.get(pk=award.pk).credential.json)
    assert documents.holder_name_of(credential) == "Dev R. Raman"
    assert user.username not in page.content()
