"""The verify page as a displayer of other issuers' Open Badges 3.0 credentials: VC-JWT tokens and
Data Integrity proofs whose issuers are did:key, did:jwk or did:web (served here by a local HTTP
server), baked into PNG and SVG too; every failure says why, Open Badges 2.0 badges are told apart
politely, each result lists what was and was not checked, and nothing is fetched except from the
local server."""

import base64
import datetime
import http.server
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
import warnings
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from joserfc import jws
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey

from badges.issuing import images, keys, signing
from badges.issuing.jsonld import OB_V3, VC_V2
from badges.verification.checklist import missing_parts
from badges.verification.checks import Status, verify_upload
from tests.badges import test_issuing
from tests.conftest import missing, shared_dir

issuer_key, achievement, issued = test_issuing.issuer_key, test_issuing.achievement, test_issuing.issued

pytestmark = pytest.mark.django_db

VERIFY = reverse("badges:verify")
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


# --- keys and identifiers the tests make for themselves -----------------------------------------------


def ed25519():
    return Ed25519PrivateKey.generate()


def p256():
    return ec.generate_private_key(ec.SECP256R1())


def did_key(private):
    """did:key of an Ed25519 or P-256 key (Multikey: multicodec prefix, then the raw or compressed key)."""
    public = private.public_key()
    if isinstance(private, Ed25519PrivateKey):
        return f"did:key:{keys.multikey(public)}"
    point = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    return "did:key:z" + keys.base58btc(b"\x80\x24" + point)


def jose_key(private):
    if isinstance(private, Ed25519PrivateKey):
        return OKPKey.import_key(private)
    if isinstance(private, rsa.RSAPrivateKey):
        return RSAKey.import_key(private)
    return ECKey.import_key(private)


def public_jwk(private):
    return jose_key(private).as_dict(private=False)


def did_jwk(private):
    encoded = base64.urlsafe_b64encode(json.dumps(public_jwk(private)).encode()).rstrip(b"=").decode()
    return f"did:jwk:{encoded}"


def credential(issuer, **changes):
    """An Open Badges 3.0 credential of another issuer, unsigned."""
    return {
        "@context": [VC_V2, OB3_CONTEXT],
        "id": "urn:uuid:0d6f3a1e-8c2b-4c7e-9a51-3f2e6b9d4c10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Northfield Technical Institute"},
        "validFrom": "2025-02-01T09:00:00Z",
        "name": "Network Fundamentals",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": "Grace Hopper",
            "achievement": {
                "id": "https://northfield.example/achievements/network-fundamentals",
                "type": ["Achievement"],
                "name": "Network Fundamentals",
                "description": "Configures and troubleshoots small networks.",
                "criteria": {"narrative": "Passed the practical exam."},
            },
        },
        "credentialStatus": {
            "id": "https://northfield.example/status/1#12",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "12",
            "statusListCredential": "https://northfield.example/status/1",
        },
        **changes,
    }


def token(payload, private, *, kid=None, alg=None, **header):
    """A compact JWS of ``payload`` (a credential, or VC-JWT 1.1 claims), as another issuer signs it."""
    alg = alg or ("EdDSA" if isinstance(private, Ed25519PrivateKey) else "ES256")
    protected = {"alg": alg, "typ": "vc+jwt", **({"kid": kid} if kid else {}), **header}
    with warnings.catch_warnings():  # joserfc prefers "Ed25519" to "EdDSA"; issuers still write both
        warnings.simplefilter("ignore")
        return jws.serialize_compact(
            protected, json.dumps(payload).encode(), jose_key(private), algorithms=[alg]
        )


def unsigned_token(payload, **header):
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(payload)}."


def check(text, **kwargs):
    return verify_upload(
        text.encode() if isinstance(text, str) else text, filename="credential.jwt", **kwargs
    )


def upload(client, content, name="credential.jwt", content_type="application/vc+jwt"):
    content = content.encode() if isinstance(content, str) else content
    return client.post(VERIFY, {"credential": SimpleUploadedFile(name, content, content_type=content_type)})


# --- the network: only the local did:web server may be reached -------------------------------------


@pytest.fixture
def connections(monkeypatch):
    """Every outbound connection the code opens, as (host, port); each is still made."""
    made, real = [], socket.create_connection

    def record(address, *args, **kwargs):
        made.append(tuple(address[:2]))
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", record)
    return made


class DidWebServer:
    """A local HTTP server answering each path with what ``routes`` holds: (status, headers, body)."""

    def __init__(self, tls_context=None):
        self.routes, self.requests, self.trickle = {}, [], 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append(self.path)
                status, headers, body = outer.routes.get(self.path, (404, {}, b"not here"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for start in range(0, len(body), 1 if outer.trickle else len(body) or 1):
                        self.wfile.write(body[start : start + (1 if outer.trickle else len(body))])
                        self.wfile.flush()
                        time.sleep(outer.trickle)
                except OSError:  # the verifier hung up, as it should on a trickle
                    pass

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls_context is not None:
            self.httpd.socket = tls_context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.did = f"did:web:127.0.0.1%3A{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def publish(self, document, path="/.well-known/did.json", status=200, headers=None):
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        self.routes[path] = (status, {"Content-Type": "application/did+json", **(headers or {})}, body)

    def publish_key(self, private, fragment="key-1", as_jwk=False):
        """This server's DID document, listing ``private``'s public key for signing credentials."""
        method = {"id": f"{self.did}#{fragment}", "controller": self.did}
        if as_jwk:
            method |= {"type": "JsonWebKey", "publicKeyJwk": public_jwk(private)}
        else:
            method |= {"type": "Multikey", "publicKeyMultibase": did_key(private).removeprefix("did:key:")}
        self.publish(
            {
                "@context": ["https://www.w3.org/ns/did/v1"],
                "id": self.did,
                "verificationMethod": [method],
                "assertionMethod": [f"#{fragment}"],
            }
        )

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def did_web(settings):
    """A did:web issuer served on 127.0.0.1, with the verifier allowed to fetch from it."""
    settings.DID_WEB_RESOLVE = True
    settings.DID_WEB_ALLOW_HTTP_LOCALHOST = True
    server = DidWebServer()
    yield server
    server.stop()


# --- VC-JWT with did:key, did:jwk and did:web ---------------------------------------------------------


def test_a_vc_jwt_of_a_did_key_issuer_verifies_on_the_page(client, connections):
    private = ed25519()
    did = did_key(private)
    text = token(credential(did), private, kid=f"{did}#{did.removeprefix('did:key:')}")
    html = upload(client, text).content.decode()
    assert 'data-verified="yes"' in html and 'data-status="not_checked"' in html
    assert (
        "Northfield Technical Institute" in html and "Grace Hopper" in html and "Network Fundamentals" in html
    )
    assert "The signature matches the issuer&#x27;s key" in html
    assert "Revocation was not checked: we do not fetch other issuers&#x27; status lists" in html
    assert "It is within its dates" in html
    assert "<summary>Technical details</summary>" in html and "VC-JWT (compact JWS, EdDSA)" in html
    assert connections == []


@pytest.mark.parametrize("maker", [p256, ed25519], ids=["P-256 ES256", "Ed25519 EdDSA"])
def test_vc_jwt_verifies_with_did_key_and_did_jwk_issuers(maker, connections):
    for did in (did_key, did_jwk):
        private = maker()
        issuer = did(private)
        result = check(token(credential(issuer), private, kid=f"{issuer}#0" if did is did_jwk else None))
        assert result.verified, (did.__name__, result.reasons)
        assert result.issuer_id == issuer and result.kind == "JSON Web Token"
    assert connections == []


def test_es384_and_rs256_keys_verify_as_did_jwk():
    for private, alg in (
        (ec.generate_private_key(ec.SECP384R1()), "ES384"),
        (rsa.generate_private_key(65537, 2048), "RS256"),
    ):
        issuer = did_jwk(private)
        result = check(token(credential(issuer), private, kid=f"{issuer}#0", alg=alg))
        assert result.verified, (alg, result.reasons)


def test_a_vc_jwt_of_a_did_web_issuer_is_checked_against_its_published_key(client, did_web, connections):
    private = p256()
    did_web.publish_key(private, as_jwk=True)
    text = token(credential(did_web.did), private, kid=f"{did_web.did}#key-1")
    html = upload(client, text).content.decode()
    assert 'data-verified="yes"' in html
    assert "its key is published on 127.0.0.1" in html
    assert f"http://127.0.0.1:{did_web.port}/.well-known/did.json" in html  # in the technical details
    assert connections == [("127.0.0.1", did_web.port)]
    upload(client, text)  # the document is cached: not fetched again
    assert did_web.requests == ["/.well-known/did.json"]
    assert connections == [("127.0.0.1", did_web.port)]


def test_a_did_web_with_a_path_and_a_multikey_signs_data_integrity_too(did_web, connections):
    private = ed25519()
    did_web.did += ":issuers:northfield"
    did_web.publish_key(private, fragment="signing")
    did_web.routes["/issuers/northfield/did.json"] = did_web.routes.pop("/.well-known/did.json")
    document = signing.sign(
        credential(did_web.did),
        private_key=private,
        verification_method=f"{did_web.did}#signing",
        created="2025-02-01T09:00:00Z",
    )
    result = check(json.dumps(document))
    assert result.verified, result.reasons
    assert did_web.requests == ["/issuers/northfield/did.json"]
    assert set(connections) == {("127.0.0.1", did_web.port)}


def test_the_older_vc_jwt_form_maps_its_registered_claims(connections):
    private = p256()
    issuer = did_jwk(private)
    vc = credential("overwritten by iss")
    vc.pop("validFrom")
    vc.pop("id")
    claims = {
        "iss": issuer,
        "jti": "urn:uuid:5e0f4c1b-2a7d-4c8e-b3f6-1d9a7e2c4b80",
        "nbf": 1735722000,
        "vc": vc,
    }
    result = check(token(claims, private))
    assert result.verified, result.reasons
    assert result.issuer_id == issuer and result.credential["id"] == claims["jti"]
    assert result.issued_on.isoformat() == "2025-01-01T09:00:00+00:00"
    expired = check(token({**claims, "exp": 1740000000}, private))  # 19 February 2025
    assert expired.signature_ok and expired.status == Status.EXPIRED and not expired.verified
    assert expired.reasons == ["It expired on 19 February 2025."]


def test_a_baked_png_and_svg_carrying_a_vc_jwt_verify(client):
    private = ed25519()
    text = token(credential(did_key(private)), private)
    png = images.bake_png(
        images.render_png(name="N", institution="Northfield", achievement_type="Badge"), text
    )
    svg = images.bake_svg(
        images.render_svg(name="N", institution="Northfield", achievement_type="Badge"), text
    )
    for content, name, kind in (
        (png, "badge.png", "image/png"),
        (svg.encode(), "badge.svg", "image/svg+xml"),
    ):
        html = upload(client, content, name, kind).content.decode()
        assert 'data-verified="yes"' in html and "VC-JWT" in html, name


def test_tokens_signed_by_an_independent_implementation_verify():
    """Node's own WebCrypto signs (EdDSA, ES256, ES384, each with a did:jwk key), not the library
    the product verifies with: what other issuers' software makes, the page accepts."""
    node = shutil.which("node")
    if node is None:
        missing("signing tokens independently needs Node")
    signed = subprocess.run(
        [node, str(Path(__file__).parents[1] / "verifier" / "sign_jwt.mjs")],
        input=json.dumps(credential("replaced by the signer")),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    tokens = [json.loads(line) for line in signed.stdout.splitlines()]
    assert [t["alg"] for t in tokens] == ["EdDSA", "ES256", "ES384"]
    for entry in tokens:
        result = check(entry["token"])
        assert result.verified, (entry["alg"], result.reasons)
        assert result.issuer_id.startswith("did:jwk:") and result.recipient_name == "Grace Hopper"


# --- what must fail, and why -------------------------------------------------------------------------


def test_a_tampered_token_does_not_verify():
    private = ed25519()
    header, payload, signature = token(credential(did_key(private)), private).split(".")
    changed = json.loads(base64.urlsafe_b64decode(payload + "=="))
    changed["credentialSubject"]["name"] = "Mallory"
    forged = base64.urlsafe_b64encode(json.dumps(changed).encode()).rstrip(b"=").decode()
    result = check(f"{header}.{forged}.{signature}")
    assert not result.signature_ok and not result.verified
    assert result.reasons == [
        "The signature does not match: the credential was changed after it was signed "
        "(or it was signed with another key than the one it names)."
    ]
    assert result.checklist[0].state == "no" and result.checklist[2].state == "skip"


def test_an_expired_token_credential_does_not_verify():
    private = p256()
    result = check(token(credential(did_key(private), validUntil="2025-06-30T12:00:00Z"), private))
    assert result.signature_ok and result.status == Status.EXPIRED and not result.verified
    assert result.reasons == ["It expired on 30 June 2025."]
    assert [line.state for line in result.checklist][:3] == ["yes", "skip", "no"]


def test_a_token_signed_with_another_key_than_the_issuers_does_not_verify():
    private, other = ed25519(), ed25519()
    issuer = did_key(private)
    result = check(token(credential(issuer), other, kid=f"{issuer}#{issuer.removeprefix('did:key:')}"))
    assert not result.signature_ok
    assert any("The signature does not match" in reason for reason in result.reasons)


def test_unsigned_and_shared_secret_tokens_are_refused():
    issuer = did_key(ed25519())
    none = check(unsigned_token(credential(issuer), alg="none", typ="vc+jwt"))
    assert not none.verified and none.reasons == [
        "It is an unsigned token (algorithm “none”): anyone could have written it."
    ]
    secret = jws.serialize_compact(
        {"alg": "HS256"}, json.dumps(credential(issuer)).encode(), OctKey.import_key(b"s" * 32)
    )
    assert any("shared secret (HS256)" in reason for reason in check(secret).reasons)
    odd = check(unsigned_token(credential(issuer), alg="PS512"))
    assert any("PS512, which this verifier does not accept" in reason for reason in odd.reasons)


def test_a_kid_of_another_did_than_the_issuers_is_refused(did_web, connections):
    attacker, victim = ed25519(), ed25519()
    result = check(token(credential(did_key(victim)), attacker, kid=did_key(attacker)))
    assert not result.verified
    assert any(
        f"signed by a key of {did_key(attacker)}, not of the issuer it names ({did_key(victim)})" in reason
        for reason in result.reasons
    )
    did_web.publish_key(attacker)  # a did:web kid is not even fetched when it cannot speak for the issuer
    result = check(token(credential(did_key(victim)), attacker, kid=f"{did_web.did}#key-1"))
    assert any(f"signed by a key of {did_web.did}, not of the issuer" in reason for reason in result.reasons)
    assert connections == [] and did_web.requests == []


def test_an_algorithm_that_does_not_fit_the_key_is_named():
    private = p256()
    issuer = did_key(private)
    text = unsigned_token(credential(issuer), alg="EdDSA", kid=issuer)
    assert any("needs an Ed25519 key, but the key it names is an P-256 key" in r for r in check(text).reasons)


def test_an_oversized_did_web_document_is_refused(did_web, connections, settings):
    private = ed25519()
    did_web.publish_key(private)
    document = json.loads(did_web.routes["/.well-known/did.json"][2])
    document["service"] = [
        {"id": f"#s{i}", "type": "LinkedDomains", "serviceEndpoint": "x" * 100} for i in range(1000)
    ]
    did_web.publish(document)
    result = check(token(credential(did_web.did), private, kid=f"{did_web.did}#key-1"))
    assert not result.verified
    assert any("larger than 64 KB, the most this verifier reads" in reason for reason in result.reasons)
    # A server that does not say how long its answer is, or lies, is cut off as it reads.
    did_web.routes["/.well-known/did.json"] = (200, {}, json.dumps(document).encode())
    settings.DID_WEB_MAX_BYTES = 1024
    from django.core.cache import cache

    cache.clear()
    result = check(token(credential(did_web.did), private, kid=f"{did_web.did}#key-1"))
    assert any("larger than 1 KB" in reason for reason in result.reasons)
    assert set(connections) == {("127.0.0.1", did_web.port)}


def test_a_did_web_server_that_redirects_is_not_followed(did_web, connections):
    private = ed25519()
    did_web.publish_key(private)
    did_web.routes["/elsewhere/did.json"] = did_web.routes["/.well-known/did.json"]
    did_web.publish(b"", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    result = check(token(credential(did_web.did), private, kid=f"{did_web.did}#key-1"))
    assert not result.verified
    assert any(
        "it redirects elsewhere, and this verifier does not follow redirects" in r for r in result.reasons
    )
    assert did_web.requests == ["/.well-known/did.json"]
    assert connections == [("127.0.0.1", did_web.port)]


def test_a_did_web_server_that_trickles_its_answer_is_cut_off_at_the_deadline(did_web, settings):
    settings.DID_WEB_TIMEOUT_SECONDS = 1
    private = ed25519()
    did_web.publish_key(private)
    did_web.trickle = 0.05  # its few kilobytes would take minutes
    result = check(token(credential(did_web.did), private, kid=f"{did_web.did}#key-1"))
    assert any("did not answer in full within 1 seconds" in reason for reason in result.reasons)


def test_a_name_lookup_that_hangs_is_given_up_at_the_deadline(settings, monkeypatch, connections):
    settings.DID_WEB_RESOLVE, settings.DID_WEB_TIMEOUT_SECONDS = True, 1
    released = threading.Event()
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: released.wait(10) and [])
    private = ed25519()
    issuer = "did:web:slow-dns.example.org"
    result = check(token(credential(issuer), private, kid=f"{issuer}#key-1"))
    released.set()
    assert result.reasons == [
        "The issuer's DID document could not be fetched: looking up slow-dns.example.org took too long."
    ]
    assert connections == []


def self_signed(host):
    """(a server TLS context, the certificate's PEM) for ``host``, made here."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    private = p256()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    key_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem, key_pem


def test_a_did_web_document_is_read_over_https_with_its_certificate_checked(settings, monkeypatch, tmp_path):
    """The production path: HTTPS to the checked address, the certificate checked against the host's
    name. The host is made to pass as public here, and the test's own certificate trusted or not."""
    from badges.verification import dids

    settings.DID_WEB_RESOLVE = True
    pem, key_pem = self_signed("issuer.example.org")
    (tmp_path / "cert.pem").write_bytes(pem)
    (tmp_path / "key.pem").write_bytes(key_pem)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server = DidWebServer(tls_context=server_context)
    try:
        issuer = f"did:web:issuer.example.org%3A{server.port}"
        server.did = issuer
        private = ed25519()
        server.publish_key(private)
        monkeypatch.setattr(dids, "_connectable_address", lambda did, host, port: ("127.0.0.1", False))
        text = token(credential(issuer), private, kid=f"{issuer}#key-1")
        untrusted = check(text)
        assert any("its certificate is not valid for issuer.example.org" in r for r in untrusted.reasons)
        from django.core.cache import cache

        cache.clear()
        real = ssl.create_default_context
        monkeypatch.setattr(ssl, "create_default_context", lambda: real(cafile=tmp_path / "cert.pem"))
        trusted = check(text)
        assert trusted.verified, trusted.reasons
        assert trusted.key_published_at == f"https://issuer.example.org:{server.port}/.well-known/did.json"
    finally:
        server.stop()


def test_a_did_web_host_resolving_to_a_local_address_is_never_contacted(
    did_web, connections, settings, monkeypatch
):
    settings.DID_WEB_ALLOW_HTTP_LOCALHOST = False
    real = socket.getaddrinfo
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, *args, **kw: real("127.0.0.1" if host == "issuer.example.org" else host, *args, **kw),
    )
    private = ed25519()
    issuer = "did:web:issuer.example.org"
    result = check(token(credential(issuer), private, kid=f"{issuer}#key-1"))
    assert not result.verified
    assert result.reasons == [
        "The issuer's DID document could not be fetched: issuer.example.org is a private or local "
        "address (127.0.0.1), which this verifier never contacts."
    ]
    local = check(token(credential(did_web.did), private, kid=f"{did_web.did}#key-1"))
    assert any("is a private or local address" in reason for reason in local.reasons)
    assert connections == [] and did_web.requests == []


def test_with_did_web_lookups_off_the_reason_says_so(connections):
    private = ed25519()
    issuer = "did:web:northfield.example"
    result = check(token(credential(issuer), private, kid=f"{issuer}#key-1"))
    assert result.reasons == [
        "The issuer's DID document (did:web:northfield.example) could not be fetched: this site is set "
        "not to look up keys on the web (DID_WEB_RESOLVE is off)."
    ]
    assert connections == []


def test_a_did_web_key_not_listed_for_signing_is_refused(did_web):
    private = ed25519()
    did_web.publish_key(private)
    document = json.loads(did_web.routes["/.well-known/did.json"][2])
    document["assertionMethod"] = []
    did_web.publish(document)
    result = check(token(credential(did_web.did), private, kid=f"{did_web.did}#key-1"))
    assert any("not listed under assertionMethod" in reason for reason in result.reasons)


def test_a_did_web_document_of_junk_gives_a_reason_not_an_error(did_web):
    private = ed25519()
    did_web.publish(
        {
            "id": did_web.did,
            "verificationMethod": [1, "x", {"id": 5}, {"id": "#key-1", "publicKeyMultibase": 7}],
            "assertionMethod": [7, None, {"id": ["a"]}, "#key-1"],
        }
    )
    named = check(token(credential(did_web.did), private, kid=f"{did_web.did}#key-1"))
    assert any("holds no usable key (not a Multikey)" in reason for reason in named.reasons)
    unnamed = check(token(credential(did_web.did), private, kid=f"{did_web.did}#key-2"))
    assert any("lists no key" in reason for reason in unnamed.reasons)
    did_web.publish({"id": "did:web:someone.else"})
    from django.core.cache import cache

    cache.clear()
    other = check(token(credential(did_web.did), private))
    assert any("is not the DID document of" in reason for reason in other.reasons)


# --- Data Integrity with did:jwk ----------------------------------------------------------------------


def test_a_data_integrity_credential_signed_with_a_did_jwk_key_verifies(client, connections):
    private = ed25519()
    issuer = did_jwk(private)
    document = signing.sign(
        credential(issuer, **{"@context": [VC_V2, OB_V3]}),
        private_key=private,
        verification_method=f"{issuer}#0",
        created="2025-02-01T09:00:00Z",
    )
    html = upload(client, json.dumps(document), "credential.json", "application/json").content.decode()
    assert 'data-verified="yes"' in html and "Data Integrity proof (eddsa-rdfc-2022)" in html
    tampered = {**document, "name": "Something else"}
    assert not check(json.dumps(tampered)).signature_ok
    p256_issuer = did_jwk(p256())
    wrong_kind = signing.sign(
        credential(p256_issuer),
        private_key=private,
        verification_method=f"{p256_issuer}#0",
        created="2025-02-01T09:00:00Z",
    )
    assert any("needs an Ed25519 key" in reason for reason in check(json.dumps(wrong_kind)).reasons)
    assert connections == []


# --- Open Badges 2.0 ----------------------------------------------------------------------------------


def test_an_open_badges_2_assertion_is_told_apart_politely(client):
    assertion = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "https://badges.northfield.example/assertions/42",
        "recipient": {"type": "email", "hashed": False, "identity": "grace@example.org"},
        "badge": "https://badges.northfield.example/badges/networks",
        "verification": {"type": "hosted"},
        "issuedOn": "2020-05-01T00:00:00Z",
    }
    html = upload(client, json.dumps(assertion), "assertion.json", "application/json").content.decode()
    assert 'data-notice="other-standard"' in html and "Open Badges 2.0" in html
    assert (
        "https://badges.northfield.example/assertions/42" in html
        and "openbadgesvalidator.imsglobal.org" in html
    )
    assert "Does not verify" not in html and "data-verified" not in html
    png = images.render_png(name="Old", institution="Northfield", achievement_type="Badge")
    end = png.rindex(b"IEND") - 4
    baked = png[:end] + images._chunk(b"tEXt", b"openbadges\0" + json.dumps(assertion).encode()) + png[end:]
    html = upload(client, baked, "old.png", "image/png").content.decode()
    assert 'data-notice="other-standard"' in html and "Does not verify" not in html


# --- what the page says it checked --------------------------------------------------------------------


def test_our_own_credential_says_it_was_checked_against_our_status_list(client, issued, settings):
    html = upload(
        client, issued.credential.json.encode(), "credential.json", "application/json"
    ).content.decode()
    assert "Not revoked (checked against" in html and "status list" in html
    assert "It was signed by" in html and "with one of its own keys" in html
    award_page = client.get(issued.get_absolute_url()).content.decode()
    technical = award_page.index("<summary>Technical details</summary>")
    assert award_page.index("eddsa-rdfc-2022") > technical


SCHEMA = shared_dir() / "ob3" / "schemas" / "ob_v3p0_achievementcredential_schema.json"


@pytest.mark.skipif(not SCHEMA.exists(), reason="the Open Badges 3.0 schema is in ../shared/ob3")
def test_the_shape_check_agrees_with_the_official_schema():
    import jsonschema

    validator = jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text()))
    complete = credential("did:key:z6MkexampleExampleExample", proof=[{"type": "DataIntegrityProof"}])
    subject = complete["credentialSubject"]
    cases = {
        "complete": complete,
        "no validFrom": {k: v for k, v in complete.items() if k != "validFrom"},
        "VC 1.1 context": {**complete, "@context": ["https://www.w3.org/2018/credentials/v1", OB3_CONTEXT]},
        "issuer without a type": {**complete, "issuer": {"id": "did:key:z6Mkexample"}},
        "achievement without a description": {
            **complete,
            "credentialSubject": {
                **subject,
                "achievement": {k: v for k, v in subject["achievement"].items() if k != "description"},
            },
        },
        "subject without a type": {**complete, "credentialSubject": {"achievement": subject["achievement"]}},
        "a single proof object": {**complete, "proof": {"type": "DataIntegrityProof"}},
    }
    for name, document in cases.items():
        assert (missing_parts(document) == []) == validator.is_valid(document), name
    assert missing_parts(cases["no validFrom"]) == ["validFrom, the date it is valid from"]


def test_a_vc_jwt_that_claims_the_institutions_name_reads_not_issued_by_it(settings):
    settings.INSTITUTION_NAME_OVERRIDE = "Binghamton University"
    private = ed25519()
    issuer = did_key(private)
    claimed = credential(issuer)
    claimed["issuer"]["name"] = "Binghamton University"

    result = check(token(claimed, private))

    assert result.impostor and not result.verified
    assert result.reasons[0].startswith("Not issued by Binghamton University")
