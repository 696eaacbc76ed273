"""The verify check as a JSON API, for an employer's or a wallet's system: the same verdict, limits
and budget as the public page."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from tests.badges import test_verify_page
from tests.badges.test_verify_other_issuers import credential, did_key, ed25519, token
from tests.badges.test_verify_page import stored

issuer_key, achievement, issued = (
    test_verify_page.issuer_key,
    test_verify_page.achievement,
    test_verify_page.issued,
)

pytestmark = pytest.mark.django_db

API = reverse("badges:verify_api")


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def post(client, body, content_type="application/json", **headers):
    return client.post(API, body, content_type=content_type, **headers)


def test_our_credential_verifies_and_links_its_award(client, issued):
    response = post(client, stored(issued).json)

    verdict = response.json()
    assert response.status_code == 200 and verdict["verified"] is True
    assert verdict["issued_by_this_institution"] is True and verdict["status"] == "valid"
    assert verdict["award_url"].endswith(issued.get_absolute_url())
    assert {check["state"] for check in verdict["checks"]} == {"yes"}


def test_another_issuers_vc_jwt_verifies_and_says_its_identity_is_not_confirmed(client):
    private = ed25519()

    verdict = post(client, token(credential(did_key(private)), private), "application/vc+jwt").json()

    assert verdict["verified"] is True and verdict["issued_by_this_institution"] is False
    assert verdict["secured_with"].startswith("VC-JWT")
    assert any(check["state"] == "skip" for check in verdict["checks"])


def test_a_changed_credential_does_not_verify_and_says_why(client, issued):
    document = json.loads(stored(issued).json)
    document["name"] = "A better badge"

    verdict = post(client, json.dumps(document)).json()

    assert verdict["verified"] is False
    assert any("changed after it was signed" in reason for reason in verdict["reasons"])


def test_an_impostor_is_flagged(client, settings):
    settings.INSTITUTION_NAME_OVERRIDE = "Binghamton University"
    private = ed25519()
    claimed = credential(did_key(private))
    claimed["issuer"]["name"] = "Binghamton University"

    verdict = post(client, token(claimed, private), "application/vc+jwt").json()

    assert verdict["impostor"] is True and verdict["verified"] is False
    assert verdict["issued_by_this_institution"] is False
    assert verdict["reasons"][0].startswith("Not issued by Binghamton University")


def test_a_body_that_holds_no_credential_is_a_400_with_the_reason(client):
    response = post(client, b"hello", "text/plain")

    assert response.status_code == 400 and "not valid JSON" in response.json()["error"]


@examples(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_no_body_makes_a_server_error(client, body):
    cache.clear()

    response = post(client, body, "application/octet-stream")

    assert response.status_code in (200, 400) and response["Content-Type"] == "application/json"


def test_a_body_over_the_limit_is_a_413(client, settings):
    settings.VERIFY_UPLOAD_MAX_BYTES = 100

    response = post(client, json.dumps({"padding": "x" * 200}))

    assert response.status_code == 413


def test_an_open_badges_2_assertion_gets_the_notice(client):
    assertion = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "https://x.example/a/1",
    }

    verdict = post(client, json.dumps(assertion)).json()

    assert verdict["verified"] is False and "Open Badges 2.0" in verdict["notice"]


def test_one_address_is_limited_and_told_when_to_retry(client, settings):
    settings.VERIFY_UPLOADS_PER_MINUTE = 2
    for _ in range(2):
        assert post(client, b"{}").status_code == 200

    refused = post(client, b"{}")
    other = post(client, b"{}", REMOTE_ADDR="198.51.100.7")

    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert other.status_code == 200


def test_only_a_post_is_answered(client):
    assert client.get(API).status_code == 405
