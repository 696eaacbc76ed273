"""Login lock-outs and sign-up limits that a proxy does not turn against everyone, and a sign-up
form that tells nobody who has an account here."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def behind_a_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.AXES_FAILURE_LIMIT = 3
    cache.clear()
    yield
    cache.clear()


def fail_login(client, username, address):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


def test_made_up_usernames_from_one_address_lock_nobody_else_out(client):
    get_user_model().objects.create_user("office", password="right-password-1")
    for number in range(6):
        fail_login(client, f"made-up-{number}", "198.51.100.66")

    response = client.post(
        "/accounts/login/",
        {"username": "office", "password": "right-password-1"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.66",
    )

    assert response.status_code == 302


def test_failures_for_one_username_from_one_address_lock_that_pair_only(client):
    get_user_model().objects.create_user("office", password="right-password-1")
    for _ in range(3):
        fail_login(client, "office", "198.51.100.66")

    assert fail_login(client, "office", "198.51.100.66").status_code == 429
    elsewhere = client.post(
        "/accounts/login/",
        {"username": "office", "password": "right-password-1"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.10",
    )
    assert elsewhere.status_code == 302


def signup(client, email, address="198.51.100.20", **fields):
    return client.post(
        reverse("account_signup"),
        {
            "first_name": "Maya",
            "last_name": "Okafor",
            "email": email,
            "password1": "a-long-passphrase-9",
            "password2": "a-long-passphrase-9",
            **fields,
        },
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


def test_sign_up_asks_for_names_and_no_username(client):
    page = client.get(reverse("account_signup")).content.decode()

    assert 'name="first_name"' in page and 'name="last_name"' in page
    assert 'name="username"' not in page


def test_sign_up_without_a_given_name_says_so_beside_the_field_and_creates_nothing(client):
    response = signup(client, "maya@example.org", first_name="  ")

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not get_user_model().objects.filter(email="maya@example.org").exists()


def test_sign_up_answers_alike_whether_or_not_the_email_has_an_account(client, mailoutbox, monkeypatch):
    from django.contrib.auth import hashers

    get_user_model().objects.create_user("taken", email="taken@example.org", password="x-long-password-1")
    hashed = []
    hasher = type(hashers.get_hasher())  # the one passwords are hashed with here
    original = hasher.encode
    monkeypatch.setattr(
        hasher,
        "encode",
        lambda self, *args, **kwargs: hashed.append(1) or original(self, *args, **kwargs),
    )

    new = signup(client, "new@example.org")
    new_work = len(hashed)
    client.logout()
    known = signup(client, "taken@example.org", address="198.51.100.21")

    assert (new.status_code, new["Location"]) == (known.status_code, known["Location"])
    assert new_work and len(hashed) - new_work == new_work  # the same password work either way
    assert [m.to for m in mailoutbox] == [["new@example.org"], ["taken@example.org"]]
    assert get_user_model().objects.get(email="new@example.org").get_full_name() == "Maya Okafor"


def test_sign_ups_from_one_address_are_limited_and_others_are_not(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "3/m/ip"}
    for number in range(3):
        assert signup(client, f"person{number}@example.org").status_code == 302
        client.logout()

    assert signup(client, "person9@example.org").status_code == 429
    assert signup(client, "other@example.org", address="198.51.100.99").status_code == 302
