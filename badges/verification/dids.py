"""The public key behind a DID URL that another issuer signs with: ``did:key`` (Ed25519, P-256, P-384),
``did:jwk`` (the key written in the DID itself) and ``did:web`` (a DID document fetched over HTTPS).

``did:key`` and ``did:jwk`` need nothing from the network. ``did:web`` is fetched only when
``DID_WEB_RESOLVE`` is on, from a host that resolves to public addresses only (the address checked is
the address connected to, so a second DNS answer cannot point elsewhere), with a timeout, a size cap,
no redirects followed, and the answer (or the failure) kept in the cache for a few minutes. Every
failure is an ``Unresolved`` whose message says, for the person checking, why the key was not found.
"""

import base64
import concurrent.futures
import hashlib
import http.client
import io
import ipaddress
import json
import re
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import unquote

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.cache import cache
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey, RSAKey

from ..issuing import keys

MAX_DID_TEXT = 4096  # a did:jwk of a 4096-bit RSA key is about 1,000 characters
MAX_MULTIBASE = 200  # base58 decoding is quadratic in length; the longest key here is about 70
MAX_METHODS = 50  # verification methods read from one DID document
MIN_RSA_BITS = 2048
# Multicodec prefixes (varint-encoded) of the public keys a did:key may hold.
P256_PUB = b"\x80\x24"
P384_PUB = b"\x81\x24"
CURVES = {P256_PUB: ec.SECP256R1(), P384_PUB: ec.SECP384R1()}
CHUNK = 8192
FAILURE_CACHE_SECONDS = 60
HOST = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::(\d{1,5}))?$")
SEGMENT = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=@-]+$")


_LOOKUPS = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="did-web-lookup")


class Unresolved(Exception):
    """The key could not be found; the message says why, in words for the person checking."""


@dataclass(frozen=True)
class Resolved:
    key: object  # a ``cryptography`` public key: Ed25519, EC (P-256, P-384) or RSA
    controller: str  # the DID the key belongs to
    method: str  # the verification method's full id
    published_at: str = ""  # for did:web: the address its DID document was read from


def resolve(method):
    """The public key a DID URL names (with or without a ``#fragment``). Raises ``Unresolved``."""
    if not isinstance(method, str) or not method or len(method) > MAX_DID_TEXT:
        raise Unresolved("Its key is named by an empty or overlong identifier.")
    did, _, fragment = method.partition("#")
    if did.startswith("did:key:"):
        return _did_key(did, fragment)
    if did.startswith("did:jwk:"):
        return _did_jwk(did, fragment)
    if did.startswith("did:web:"):
        return _did_web(did, fragment)
    kind = ":".join(did.split(":")[:2])[:40]
    raise Unresolved(
        f"Its key is a {kind} key, a kind of identifier this verifier does not read "
        "(it reads did:key, did:jwk and did:web)."
    )


def key_kind(key):
    """The key's kind in a few words: "Ed25519", "P-256", "RSA"."""
    if isinstance(key, ec.EllipticCurvePublicKey):
        return {"secp256r1": "P-256", "secp384r1": "P-384"}.get(key.curve.name, key.curve.name)
    name = type(key).__name__
    return "RSA" if "RSA" in name else "Ed25519" if "Ed25519" in name else name


# --- did:key and did:jwk: the key is in the identifier ----------------------------------------------


def public_key_from_multibase(value):
    """An Ed25519, P-256 or P-384 public key from a Multikey ``publicKeyMultibase`` ('z' + base58btc)."""
    if not isinstance(value, str) or not value.startswith("z") or len(value) > MAX_MULTIBASE:
        raise ValueError("not a Multikey")
    raw = keys.base58btc_decode(value[1:])
    if raw[:2] == keys.ED25519_PUB:
        return keys.public_key_from_multikey(value)
    if raw[:2] in CURVES:
        return ec.EllipticCurvePublicKey.from_encoded_point(CURVES[raw[:2]], raw[2:])
    raise ValueError("not a key type this verifier reads")


def _did_key(did, fragment):
    multibase = did.removeprefix("did:key:")
    try:
        if fragment and fragment != multibase:
            raise ValueError("the fragment is not the key")
        key = public_key_from_multibase(multibase)
    except ValueError:
        raise Unresolved(
            f"Its did:key ({did[:80]}) does not hold an Ed25519, P-256 or P-384 public key."
        ) from None
    return Resolved(key, did, f"{did}#{multibase}")


def public_key_from_jwk(value):
    """A public key from a JWK (Ed25519, P-256, P-384, or RSA of at least 2048 bits); never a private one."""
    if not isinstance(value, dict) or "d" in value:
        raise ValueError("not a public JWK")
    kinds = {"OKP": OKPKey, "EC": ECKey, "RSA": RSAKey}
    if value.get("kty") not in kinds:
        raise ValueError("not a key type this verifier reads")
    if value.get("kty") == "OKP" and value.get("crv") != "Ed25519":
        raise ValueError("not an Ed25519 key")
    if value.get("kty") == "EC" and value.get("crv") not in ("P-256", "P-384"):
        raise ValueError("not a P-256 or P-384 key")
    try:
        key = kinds[value["kty"]].import_key(value).public_key
    except (JoseError, ValueError, TypeError, KeyError):
        raise ValueError("a damaged JWK") from None
    if value["kty"] == "RSA" and key.key_size < MIN_RSA_BITS:
        raise ValueError("an RSA key shorter than 2048 bits")
    return key


def _did_jwk(did, fragment):
    encoded = did.removeprefix("did:jwk:")
    try:
        if fragment not in ("", "0"):
            raise ValueError("a did:jwk has one key, #0")
        value = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        key = public_key_from_jwk(value)
    except (ValueError, TypeError, RecursionError) as problem:
        raise Unresolved(f"Its did:jwk does not hold a usable public key ({problem}).") from None
    return Resolved(key, did, f"{did}#0")


# --- did:web: the key is in a document on the issuer's web site ---------------------------------------


def document_address(did):
    """(host, port, path) of a did:web's DID document, as the did:web method says: the host (its port
    percent-encoded), then either ``/.well-known/did.json`` or the path segments and ``/did.json``."""
    parts = did.removeprefix("did:web:").split(":")
    host = unquote(parts[0])
    match = HOST.match(host)
    segments = [unquote(part) for part in parts[1:]]
    if not match or not all(SEGMENT.match(s) and s not in (".", "..") for s in segments):
        raise Unresolved(f"Its did:web ({did[:120]}) does not name a web address.")
    port = int(match.group(1)) if match.group(1) else 443
    name = host.rsplit(":", 1)[0] if match.group(1) else host
    path = "/" + "/".join(segments) + "/did.json" if segments else "/.well-known/did.json"
    return name, port, path


def _did_web(did, fragment):
    document, where = did_web_document(did)
    methods = [m for m in _as_list(document.get("verificationMethod"))[:MAX_METHODS] if isinstance(m, dict)]
    for entry in _as_list(document.get("assertionMethod"))[:MAX_METHODS]:
        if isinstance(entry, dict):  # a method may be written out under assertionMethod itself
            methods.append(entry)
    signing = {
        _absolute(did, entry.get("id") if isinstance(entry, dict) else entry)
        for entry in _as_list(document.get("assertionMethod"))[:MAX_METHODS]
    }
    if fragment:
        wanted = f"{did}#{fragment}"
        method = next((m for m in methods if _absolute(did, m.get("id")) == wanted), None)
        if method is None:
            raise Unresolved(f"The issuer's DID document at {where} lists no key {wanted[:160]}.")
        if wanted not in signing:
            raise Unresolved(
                f"The key {wanted[:160]} is in the issuer's DID document, but not as a key it signs "
                "credentials with (it is not listed under assertionMethod)."
            )
    else:
        candidates = [m for m in methods if _absolute(did, m.get("id")) in signing]
        if len(candidates) != 1:
            raise Unresolved(
                f"The issuer's DID document at {where} lists {len(candidates)} keys for signing "
                "credentials, and the credential does not say which one signed it."
            )
        method = candidates[0]
    if method.get("controller", did) != did:
        raise Unresolved(f"The key {_absolute(did, method.get('id'))[:160]} belongs to another controller.")
    try:
        if "publicKeyMultibase" in method:
            key = public_key_from_multibase(method["publicKeyMultibase"])
        else:
            key = public_key_from_jwk(method.get("publicKeyJwk"))
    except ValueError as problem:
        raise Unresolved(f"The issuer's DID document at {where} holds no usable key ({problem}).") from None
    return Resolved(key, did, _absolute(did, method.get("id")), published_at=where)


def did_web_document(did):
    """(the DID document of a did:web, the address it was read from); cached for
    ``DID_WEB_CACHE_SECONDS`` (a failure for a minute at most). Raises ``Unresolved``."""
    if not settings.DID_WEB_RESOLVE:
        raise Unresolved(
            f"The issuer's DID document ({did[:120]}) could not be fetched: this site is set not to "
            "look up keys on the web (DID_WEB_RESOLVE is off)."
        )
    cache_key = "did-web:" + hashlib.sha256(did.encode()).hexdigest()
    remembered = cache.get(cache_key)
    if remembered is None:
        seconds = settings.DID_WEB_CACHE_SECONDS
        try:
            remembered = ("ok", *_fetch(did))
        except Unresolved as problem:
            # A failure is kept for a minute at most: enough that a slow host is not asked again for
            # every upload, short enough that a fixed one is soon read.
            remembered, seconds = ("failed", str(problem), ""), min(seconds, FAILURE_CACHE_SECONDS)
        cache.set(cache_key, remembered, seconds)
    outcome, value, where = remembered
    if outcome != "ok":
        raise Unresolved(value)
    return value, where


def _fetch(did):
    host, port, path = document_address(did)
    timeout = settings.DID_WEB_TIMEOUT_SECONDS
    deadline = time.monotonic() + timeout  # for everything: the name lookup, connecting, reading
    address, local = _connectable_address(host, port, deadline)
    scheme = "http" if local else "https"
    where = f"{scheme}://{host}{'' if port == 443 else f':{port}'}{path}"
    cannot = f"The issuer's DID document could not be fetched from {where}"
    connection = _PinnedConnection(host, port, address=address, tls=not local, deadline=deadline)
    try:
        connection.request(
            "GET",
            path,
            headers={"Accept": "application/did+json, application/json", "User-Agent": "microcred-verifier"},
        )
        response = connection.getresponse()
        if 300 <= response.status < 400:  # http.client never follows one; we say so
            raise Unresolved(
                f"{cannot}: it redirects elsewhere, and this verifier does not follow redirects "
                "(a DID document must be at its own address)."
            )
        if response.status != 200:
            raise Unresolved(f"{cannot}: the server answered HTTP {response.status}.")
        limit = settings.DID_WEB_MAX_BYTES
        declared = response.getheader("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise Unresolved(f"{cannot}: it is larger than {limit // 1024} KB, the most this verifier reads.")
        body = b""
        while chunk := response.read(CHUNK):
            body += chunk
            if len(body) > limit:
                raise Unresolved(
                    f"{cannot}: it is larger than {limit // 1024} KB, the most this verifier reads."
                )
    except TimeoutError:
        raise Unresolved(f"{cannot}: the server did not answer in full within {timeout} seconds.") from None
    except ssl.SSLCertVerificationError:
        raise Unresolved(f"{cannot}: its certificate is not valid for {host}.") from None
    except (OSError, http.client.HTTPException):
        raise Unresolved(f"{cannot}: the connection failed.") from None
    finally:
        connection.close()
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise Unresolved(f"{cannot}: what it answered is not JSON.") from None
    if not isinstance(document, dict) or document.get("id") != did:
        raise Unresolved(f"{cannot}: what it answered is not the DID document of {did[:120]}.")
    return document, where


def _connectable_address(host, port, deadline):
    """(the address to connect to, whether it is the local test server). Every address the host
    resolves to must be public: a DID must not make this server reach into its own network. The
    lookup runs in a small pool so that a resolver that hangs cannot hold the request past the
    deadline."""
    lookup = _LOOKUPS.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        found = lookup.result(timeout=max(deadline - time.monotonic(), 0))
    except concurrent.futures.TimeoutError:
        raise Unresolved(
            f"The issuer's DID document could not be fetched: looking up {host} took too long."
        ) from None
    except (OSError, UnicodeError):
        raise Unresolved(
            f"The issuer's DID document could not be fetched: {host} is not a known host."
        ) from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    addresses = [a.ipv4_mapped or a if isinstance(a, ipaddress.IPv6Address) else a for a in addresses]
    if addresses and all(a.is_loopback for a in addresses) and settings.DID_WEB_ALLOW_HTTP_LOCALHOST:
        return str(addresses[0]), True
    private = next((a for a in addresses if not a.is_global or a.is_multicast), None)
    if private is not None or not addresses:
        raise Unresolved(
            f"The issuer's DID document could not be fetched: {host} is a private or local address "
            f"({private}), which this verifier never contacts."
        )
    return str(addresses[0]), False


class _PinnedConnection(http.client.HTTPSConnection):
    """An HTTP(S) connection to the address that was checked, whatever the name resolves to next
    (TLS still checks the certificate against the host's name), in which every read and write gets
    only what is left of one deadline: a server that trickles its answer cannot hold the request."""

    def __init__(self, host, port, *, address, tls, deadline):
        super().__init__(host, port, context=ssl.create_default_context())
        self._address, self._tls, self._deadline = address, tls, deadline

    def connect(self):
        sock = socket.create_connection((self._address, self.port), _left(self._deadline))
        if self._tls:
            sock = self._context.wrap_socket(sock, server_hostname=self.host)
        self.sock = _DeadlineSocket(sock, self._deadline)


class _DeadlineSocket:
    """The few socket methods ``http.client`` uses, each bounded by the deadline. Like a real
    socket, it stays open while a file made from it is still being read."""

    def __init__(self, sock, deadline):
        self._sock, self._deadline = sock, deadline
        self._readers, self._closing = 0, False

    def sendall(self, data):
        self._sock.settimeout(_left(self._deadline))
        self._sock.sendall(data)

    def makefile(self, mode):
        self._readers += 1
        return io.BufferedReader(_DeadlineReader(self))

    def recv_into(self, buffer):
        self._sock.settimeout(_left(self._deadline))
        return self._sock.recv_into(buffer)

    def close(self):
        self._closing = True
        self._close_when_unused()

    def release(self):
        self._readers -= 1
        self._close_when_unused()

    def _close_when_unused(self):
        if self._closing and self._readers <= 0:
            self._sock.close()


class _DeadlineReader(io.RawIOBase):
    def __init__(self, owner):
        self._owner = owner

    def readable(self):
        return True

    def readinto(self, buffer):
        return self._owner.recv_into(buffer)

    def close(self):
        if not self.closed:
            self._owner.release()
        super().close()


def _left(deadline):
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the deadline has passed")
    return left


def _absolute(did, method_id):
    if not isinstance(method_id, str):
        return ""
    return did + method_id if method_id.startswith("#") else method_id


def _as_list(value):
    return value if isinstance(value, list) else [] if value is None else [value]
