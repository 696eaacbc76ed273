"""Signing in through the institution with OpenID Connect, against a real provider on 127.0.0.1
(tests/oidc_provider.py): authorization code with PKCE, a signed ID token whose issuer, audience,
nonce and expiry the product checks, and the person made or brought up to date from the claims."""

from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from badges.models import Learner
from core import roles
from core.models import Profile
from tests.oidc_provider import OIDCProvider

User = get_user_model()
CALLBACK = "http://testserver/learners/oidc/university/login/callback/"

STUDENT = {
    "sub": "a1b2c3-maya",
    "given_name": "Maya",
    "family_name": "Okafor",
    "email": "mokafor@example.edu",
    "email_verified": True,
    "eduperson_affiliation": ["student", "member"],
    "student_id": "B00123456",
    "department": "School of Management",
}


@pytest.fixture
def idp(settings):
    provider = OIDCProvider(client_id="microcred", client_secret="s3cret", redirect_uri=CALLBACK).start()
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
            "APPS": [
                {
                    "provider_id": "university",
                    "name": "State University",
                    "client_id": "microcred",
                    "secret": "s3cret",
                    "settings": {"server_url": provider.issuer, "oauth_pkce_enabled": True},
                }
            ],
        }
    }
    provider.person = dict(STUDENT)
    yield provider
    provider.stop()


def sign_in(client, next_url="/badges/catalog/"):
    """Press "Sign in with …", let the provider answer over real HTTP, come back to the callback."""
    started = client.post("/learners/oidc/university/login/", {"next": next_url})
    assert started.status_code == 302, started.content[:300]
    answer = requests.get(started["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlparse(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def signed_in_user(client):
    return User.objects.filter(pk=client.session.get("_auth_user_id")).first()


def test_first_sign_in_makes_the_person_a_learner_with_their_student_id(db, idp):
    client = Client()
    answer = sign_in(client)

    assert answer.status_code == 302 and answer["Location"] == "/badges/catalog/"
    user = signed_in_user(client)
    assert (user.first_name, user.last_name, user.email) == ("Maya", "Okafor", "mokafor@example.edu")
    assert user.profile.affiliation == Profile.Affiliation.STUDENT
    assert user.profile.unit == "School of Management"
    assert Learner.objects.get(user=user).student_id == "B00123456"
    assert user.groups.filter(name=roles.LEARNER).exists()
    assert not user.has_usable_password()
    # PKCE: the product sent a verifier the provider checked against the challenge.
    assert idp.token_requests[-1]["code_verifier"]


def test_a_later_sign_in_updates_names_and_keeps_the_chosen_credential_name(db, idp):
    sign_in(Client())
    user = User.objects.get(email="mokafor@example.edu")
    Learner.objects.filter(user=user).update(credential_name="Maya O.")

    idp.person = {**STUDENT, "family_name": "Okafor-Reyes", "department": "Harpur College"}
    client = Client()
    sign_in(client)

    user.refresh_from_db()
    assert signed_in_user(client) == user
    assert user.last_name == "Okafor-Reyes"
    assert user.profile.unit == "Harpur College"
    assert Learner.objects.get(user=user).credential_name == "Maya O."
    assert User.objects.count() == 1


def test_the_account_is_matched_by_the_stable_identifier_not_a_changed_email(db, idp):
    sign_in(Client())
    first = User.objects.get()

    idp.person = {**STUDENT, "email": "maya.okafor@alumni.example.edu"}
    client = Client()
    sign_in(client)

    assert signed_in_user(client) == first
    assert User.objects.count() == 1
    first.refresh_from_db()
    assert first.email == "maya.okafor@alumni.example.edu"


def test_a_new_identifier_with_a_known_email_is_not_given_the_other_account_unless_verified(db, idp):
    User.objects.create_user("old.local", "mokafor@example.edu", "pw-long-enough-1")
    idp.person = {**STUDENT, "email_verified": False}
    client = Client()

    answer = sign_in(client)

    assert answer.status_code == 403
    assert b"did not confirm that the address is yours" in answer.content
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()


def test_a_local_account_is_linked_by_a_verified_email_and_keeps_its_history(db, idp):
    local = User.objects.create_user("mokafor", "mokafor@example.edu", "pw-long-enough-1")
    learner = Learner.objects.create(user=local)
    client = Client()

    sign_in(client)

    assert signed_in_user(client) == local
    assert SocialAccount.objects.get(uid="a1b2c3-maya").user == local
    assert User.objects.count() == 1
    learner.refresh_from_db()
    assert learner.student_id == "B00123456"


@pytest.mark.parametrize(
    "misbehave",
    [
        {"iss": "https://idp.elsewhere.example"},
        {"nonce": "a-nonce-this-browser-never-asked-for"},
        {"aud": "another-client"},
        {"exp": -120},
        {"tamper": "someone-else"},
    ],
    ids=["wrong issuer", "wrong nonce", "wrong audience", "expired", "tampered signature"],
)
def test_an_id_token_that_fails_a_check_is_refused_and_no_account_is_made(db, idp, misbehave):
    idp.misbehave = misbehave
    client = Client()

    answer = sign_in(client)

    assert answer.status_code == 401
    assert b"Sign-in failed" in answer.content
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_the_same_answer_shown_twice_is_refused_the_second_time(db, idp):
    client = Client()
    started = client.post("/learners/oidc/university/login/", {"next": "/"})
    answer = requests.get(started["Location"], allow_redirects=False, timeout=10)
    back = urlparse(answer.headers["Location"])
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    client.logout()

    again = client.get(f"{back.path}?{back.query}")

    assert b"Sign-in failed" in again.content
    assert signed_in_user(client) is None


@pytest.mark.parametrize(
    ("left_out", "named"),
    [("given_name", "a given name"), ("family_name", "a family name"), ("sub", "a stable identifier")],
)
def test_missing_names_or_identifier_are_refused_naming_what_is_missing(db, idp, left_out, named):
    idp.person = {k: v for k, v in STUDENT.items() if k != left_out}
    client = Client()

    answer = sign_in(client)

    assert answer.status_code == 403
    assert named.encode() in answer.content
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_a_member_of_staff_is_not_made_a_learner(db, idp):
    idp.person = {**STUDENT, "eduperson_affiliation": ["staff"], "student_id": ""}
    client = Client()
    sign_in(client)

    user = signed_in_user(client)
    assert user.profile.affiliation == Profile.Affiliation.STAFF
    assert not Learner.objects.filter(user=user).exists()
    assert not user.groups.exists()


def test_an_entitlement_in_the_map_grants_its_group_and_withdrawing_it_takes_it_away(db, idp, settings):
    settings.SSO_ENTITLEMENT_GROUPS = {"urn:example:registrar": roles.REGISTRAR}
    idp.person = {**STUDENT, "eduperson_entitlement": ["urn:example:registrar"]}
    sign_in(Client())
    user = User.objects.get()
    assert user.groups.filter(name=roles.REGISTRAR).exists()
    faculty = Group.objects.get_or_create(name=roles.FACULTY)[0]
    user.groups.add(faculty)

    idp.person = dict(STUDENT)
    sign_in(Client())

    assert set(user.groups.values_list("name", flat=True)) == {roles.FACULTY, roles.LEARNER}


def test_a_deactivated_account_cannot_sign_in_again_nor_act_in_an_open_session(db, idp):
    client = Client()
    sign_in(client)
    user = signed_in_user(client)
    assert client.get("/badges/mine/").status_code == 200

    User.objects.filter(pk=user.pk).update(is_active=False)

    assert client.get("/badges/mine/").status_code == 302
    again = Client()
    sign_in(again)
    assert signed_in_user(again) is None
    assert User.objects.get(pk=user.pk).last_name == "Okafor"


# --- the login page and local passwords ------------------------------------------------------------


def test_the_login_page_offers_the_institution_first_only_when_configured(db, client, settings):
    assert b"institution-sign-in" not in client.get("/accounts/login/").content
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
            "APPS": [
                {
                    "provider_id": "university",
                    "name": "State University",
                    "client_id": "x",
                    "secret": "y",
                    "settings": {"server_url": "http://127.0.0.1:9"},
                }
            ],
        }
    }

    page = client.get("/accounts/login/?next=/badges/catalog/").content.decode()

    assert "Sign in with State University" in page
    assert page.index("institution-sign-in") < page.index('name="password"')
    assert 'action="/learners/oidc/university/login/"' in page


@pytest.fixture
def staff_member(db):
    user = User.objects.create_user("r.clerk", "clerk@example.edu", "pw-long-enough-1")
    user.groups.add(Group.objects.get_or_create(name=roles.REGISTRAR)[0])
    return user


def log_in(client, username):
    return client.post("/accounts/login/", {"username": username, "password": "pw-long-enough-1"})


def test_staff_password_login_is_refused_once_turned_off_and_learners_keep_theirs(
    db, idp, settings, staff_member
):
    learner = User.objects.create_user("outside.learner", "out@example.com", "pw-long-enough-1")
    learner.groups.add(Group.objects.get_or_create(name=roles.LEARNER)[0])
    settings.LOCAL_LOGIN_FOR_STAFF = False

    refused = Client()
    answer = log_in(refused, "r.clerk")
    assert answer.status_code == 200
    assert "Staff sign in with State University" in answer.content.decode()
    assert signed_in_user(refused) is None

    kept = Client()
    assert log_in(kept, "outside.learner").status_code == 302
    assert signed_in_user(kept) == learner


def test_staff_password_login_works_while_allowed_or_without_single_sign_on(db, settings, staff_member):
    settings.LOCAL_LOGIN_FOR_STAFF = False
    client = Client()
    # No identity provider configured: turning local logins off would lock everyone out, so it does not.
    assert log_in(client, "r.clerk").status_code == 302


def test_the_admin_shows_how_each_account_signs_in_and_when(db, idp, admin_client, staff_member):
    sign_in(Client())
    page = admin_client.get("/admin/auth/user/").content.decode()
    assert "institution (university)" in page
    assert "local password" in page

    sso_user = User.objects.get(email="mokafor@example.edu")
    detail = admin_client.get(f"/admin/auth/user/{sso_user.pk}/change/").content.decode()
    assert "institution (university)" in detail
    assert "last institutional sign-in" in detail.lower()
    assert "School of Management" in detail


@pytest.mark.parametrize(
    "query",
    ["code=made-up&state=made-up", "state=\x00%ff" + "x" * 3000, "error=access_denied&state=", ""],
    ids=["made-up code and state", "junk state", "an error", "nothing"],
)
def test_junk_sent_to_the_callback_is_refused_and_no_account_is_made(db, idp, query):
    client = Client()
    client.post("/learners/oidc/university/login/", {"next": "/"})

    answer = client.get(f"/learners/oidc/university/login/callback/?{query}")

    assert answer.status_code in {400, 401}
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_signing_out_ends_the_session_and_signs_out_at_the_provider(db, idp):
    client = Client()
    sign_in(client)

    answer = client.post("/accounts/logout/")

    assert signed_in_user(client) is None
    ending = urlparse(answer["Location"])
    assert f"{ending.scheme}://{ending.netloc}{ending.path}" == f"{idp.issuer}/logout"
    query = parse_qs(ending.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    assert jwt.decode(query["id_token_hint"][0], options={"verify_signature": False})["sub"] == STUDENT["sub"]


def test_signing_out_of_a_local_account_goes_to_the_login_page(db, idp, staff_member):
    client = Client()
    log_in(client, "r.clerk")

    answer = client.post("/accounts/logout/")

    assert answer["Location"] == "/accounts/login/"
    assert signed_in_user(client) is None


def test_production_settings_with_single_sign_on_pass_check_deploy_and_let_forms_lead_to_the_provider():
    from tests.project.test_settings import PRODUCTION_ENV, manage

    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; from django.core.management import call_command; "
        "call_command('check', '--deploy', '--fail-level', 'DEBUG'); "
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])",
        SSO_OIDC_ISSUER="https://login.example.edu/realms/campus",
        SSO_OIDC_CLIENT_ID="microcred",
        SSO_OIDC_CLIENT_SECRET="s3cret",
        **PRODUCTION_ENV,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    # Browsers hold the sign-in form's redirect to the provider to form-action.
    assert result.stdout.strip().splitlines()[-1] == "[\"'self'\", 'https://login.example.edu']"


def test_both_protocols_at_once_is_refused_at_start_up():
    from tests.project.test_settings import PRODUCTION_ENV, manage

    result = manage(
        "check", SSO_OIDC_ISSUER="https://login.example.edu", SSO_SAML_IDP_ENTITY_ID="x", **PRODUCTION_ENV
    )

    assert result.returncode != 0
    assert "not both" in result.stderr


def test_the_institutions_names_are_shown_not_edited_and_the_credential_name_is_the_learners(db, idp):
    from django.urls import reverse

    client = Client()
    sign_in(client)
    user = User.objects.get(email="mokafor@example.edu")

    page = client.get(reverse("badges:names")).content.decode()
    client.post(
        reverse("badges:names"),
        {
            "first_name": "Someone",
            "last_name": "Else",
            "credential_name": "Maya O.",
            "name_on_credentials": "on",
        },
    )

    assert 'name="first_name"' in page and "disabled" in page and "sign-in: to change it" in page
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == (STUDENT["given_name"], STUDENT["family_name"])
    assert Learner.objects.get(user=user).credential_name == "Maya O."
