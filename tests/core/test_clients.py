"""Which address a request comes from: the proxy's header is believed only from a trusted proxy."""

import pytest
from django.test import RequestFactory

from core.clients import client_address


def request_from(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_without_a_trusted_proxy_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []

    assert client_address(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        ("198.51.100.7", "198.51.100.7"),
        # what the client wrote itself, left of what the proxy appended, proves nothing
        ("1.2.3.4, 198.51.100.7", "198.51.100.7"),
        # two proxies of ours: the address the outer one received from
        ("1.2.3.4, 198.51.100.7, 10.0.0.5", "198.51.100.7"),
        ("[2001:db8::1]:4711", "2001:db8::1"),
        ("198.51.100.7:55000", "198.51.100.7"),
        ("junk", "10.0.0.2"),
        ("", "10.0.0.2"),
    ],
)
def test_behind_a_trusted_proxy_the_client_is_the_first_untrusted_hop_from_the_right(
    settings, forwarded, client
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]

    assert client_address(request_from("10.0.0.2", forwarded)) == client


def test_a_request_not_from_the_proxy_cannot_choose_its_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]

    assert client_address(request_from("203.0.113.9", "10.0.0.2, 1.1.1.1")) == "203.0.113.9"
