"""Signing in through the institution with SAML 2.0, against pysaml2 as the identity provider
(tests/saml_idp.py: its own key, signed assertions), with the product's side allauth's python3-saml."""

from urllib.parse import parse_qs, urlparse

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.test import Client

from badges.models import Learner
from core import roles
from core.models import Profile
from tests.saml_idp import ENTITY_ID, OTHER_SP, SSO_URL, SAMLIdentityProvider

User = get_user_model()

STUDENT = {
    "eduPersonPrincipalName": ["mokafor@example.edu"],
    "givenName": ["Maya"],
    "sn": ["Okafor"],
    "mail": ["mokafor@example.edu"],
    "eduPersonAffiliation": ["student", "member"],
    "schacPersonalUniqueCode": ["B00123456"],
    "ou": ["School of Management"],
}


def browser():
    # python3-saml builds URLs from the Host header, which every browser sends and the test client does not.
    return Client(HTTP_HOST="testserver")


def _app(certificate):
    return {
        "provider_id": "university",
        "name": "State University",
        "client_id": "university",
        "settings": {
            "idp": {"entity_id": ENTITY_ID, "sso_url": SSO_URL, "x509cert": certificate},
            "advanced": {
                "strict": True,
                "want_assertion_signed": True,
                "reject_idp_initiated_sso": True,
                # The test client's host, "testserver", has no dot.
                "allow_single_label_domains": True,
            },
        },
    }


@pytest.fixture
def idp(settings, tmp_path, db):
    def configure(certificate):
        settings.SOCIALACCOUNT_PROVIDERS = {
            **settings.SOCIALACCOUNT_PROVIDERS,
            "saml": {**settings.SOCIALACCOUNT_PROVIDERS["saml"], "APPS": [_app(certificate)]},
        }

    configure("")
    # The identity provider is given the product's SP metadata, as a real one is.
    metadata = browser().get("/learners/saml/university/metadata/")
    assert metadata.status_code == 200
    provider = SAMLIdentityProvider(tmp_path, metadata.content)
    configure(provider.certificate_body)
    provider.person = dict(STUDENT)
    return provider


def start(client, next_url="/badges/catalog/"):
    started = client.post("/learners/saml/university/login/", {"next": next_url})
    assert started.status_code == 302 and started["Location"].startswith(SSO_URL), started
    query = parse_qs(urlparse(started["Location"]).query)
    return query["SAMLRequest"][0], query.get("RelayState", [""])[0]


def post_answer(client, saml_response, relay_state, destination):
    acs = client.post(urlparse(destination).path, {"SAMLResponse": saml_response, "RelayState": relay_state})
    assert acs.status_code == 302, acs
    return client.get(acs["Location"])


def sign_in(client, idp, **answer):
    request, relay_state = start(client)
    response, destination = idp.answer(request, **answer)
    return post_answer(client, response, relay_state, destination)


def signed_in_user(client):
    return User.objects.filter(pk=client.session.get("_auth_user_id")).first()


def test_first_sign_in_makes_the_person_a_learner_with_their_student_id(idp):
    client = browser()
    answer = sign_in(client, idp)

    assert answer.status_code == 302 and answer["Location"] == "/badges/catalog/"
    user = signed_in_user(client)
    assert (user.first_name, user.last_name, user.email) == ("Maya", "Okafor", "mokafor@example.edu")
    assert user.profile.affiliation == Profile.Affiliation.STUDENT
    assert user.profile.unit == "School of Management"
    assert Learner.objects.get(user=user).student_id == "B00123456"
    assert user.groups.filter(name=roles.LEARNER).exists()
    assert SocialAccount.objects.get(user=user).uid == "mokafor@example.edu"


def test_a_later_sign_in_updates_the_names(idp):
    sign_in(browser(), idp)
    idp.person = {**STUDENT, "sn": ["Okafor-Reyes"], "mail": ["maya.or@example.edu"]}
    client = browser()

    sign_in(client, idp)

    user = signed_in_user(client)
    assert User.objects.count() == 1
    assert (user.last_name, user.email) == ("Okafor-Reyes", "maya.or@example.edu")


@pytest.mark.parametrize(
    "answer",
    [
        {"sign": False},
        {"audience": OTHER_SP},
        {"lifetime_minutes": -10},
        {"tamper": ("Okafor", "Impostor")},
    ],
    ids=["unsigned", "another audience", "expired", "tampered"],
)
def test_an_assertion_that_fails_a_check_is_refused_and_no_account_is_made(idp, answer):
    client = browser()

    refused = sign_in(client, idp, **answer)

    assert refused.status_code == 401
    assert b"Sign-in failed" in refused.content
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_an_assertion_shown_twice_is_refused_the_second_time(idp):
    client = browser()
    request, relay_state = start(client)
    response, destination = idp.answer(request)
    assert post_answer(client, response, relay_state, destination).status_code == 302
    client.logout()

    replayed = post_answer(client, response, relay_state, destination)

    assert replayed.status_code == 403
    assert signed_in_user(client) is None


@pytest.mark.parametrize(
    ("left_out", "named"),
    [
        ("givenName", "a given name"),
        ("sn", "a family name"),
        ("eduPersonPrincipalName", "a stable identifier"),
    ],
)
def test_missing_names_or_identifier_are_refused_naming_what_is_missing(idp, left_out, named):
    idp.person = {k: v for k, v in STUDENT.items() if k != left_out}
    client = browser()

    refused = sign_in(client, idp)

    assert refused.status_code == 403
    assert named.encode() in refused.content
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_the_sp_metadata_names_the_acs_the_identity_provider_posts_to(idp):
    metadata = browser().get("/learners/saml/university/metadata/").content.decode()
    assert "http://testserver/learners/saml/university/acs/" in metadata
    assert "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" in metadata


def test_the_login_page_offers_the_institution_through_saml(idp):
    page = browser().get("/accounts/login/").content.decode()
    assert "Sign in with State University" in page
    assert 'action="/learners/saml/university/login/"' in page


@pytest.mark.parametrize(
    "junk", ["not base64 at all \x00", "PHNhbWxwOlJlc3BvbnNlLz4=", "x" * 5000], ids=["junk", "empty", "long"]
)
def test_junk_posted_to_the_acs_is_refused_and_no_account_is_made(idp, junk):
    client = browser()
    _request, relay_state = start(client)

    refused = post_answer(client, junk, relay_state, "http://testserver/learners/saml/university/acs/")

    assert refused.status_code == 401
    assert signed_in_user(client) is None
    assert not User.objects.exists()
