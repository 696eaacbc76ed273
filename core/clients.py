"""The address a request comes from, for rate limits and login lock-outs.

Behind the TLS proxy every request arrives from the proxy's own address, and the person's address is
in the ``X-Forwarded-For`` header each proxy appends to. Anyone can write that header, so it is read
only when the request comes from a proxy the operator trusts (``TRUSTED_PROXIES``: addresses or
networks); otherwise the connection's address is the client's. With no trusted proxy configured the
header is ignored altogether.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

UNKNOWN = "0.0.0.0"  # noqa: S104 - a placeholder address for a request without a readable one


@lru_cache(maxsize=8)
def _networks(trusted):
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in trusted if entry.strip())


def _address(text):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [IPv6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # IPv4:port
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_trusted(address, networks):
    return any(address in network for network in networks)


def client_address(request):
    """The client's address as text. Walks ``X-Forwarded-For`` from the right, past the trusted
    proxies, to the first address no trusted proxy stands for: the entries left of it were written
    by whoever sent the request and prove nothing."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return UNKNOWN
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not _is_trusted(remote, networks):
        return str(remote)
    client = remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            break  # a malformed entry: nothing further left can be believed
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)
