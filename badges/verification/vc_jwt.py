"""Credentials secured as a JSON Web Token (``application/vc+jwt``): a compact JWS whose payload is the
credential itself (VC 2.0 with VC-JOSE-COSE), or, in the older VC-JWT 1.1 form that Open Badges 3.0
describes, whose ``vc`` claim holds it, with ``iss``, ``jti``, ``nbf``, ``exp`` and ``sub`` standing
for the issuer, id, start and end dates and the subject.

Only public-key signatures are accepted (EdDSA/Ed25519, ES256, ES384, and RS256, which Open Badges 3.0
names as the one every verifier supports); ``none`` and shared-secret (HS*) tokens prove nothing to a
third party and are refused with that reason. The signature is checked by joserfc.
"""

import base64
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import ECKey, OKPKey, RSAKey
from joserfc.jws import JWSRegistry

from . import dids

COMPACT = re.compile(r"^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
# Each accepted algorithm and the kind of key it needs.
ALGORITHMS = {"EdDSA": "Ed25519", "Ed25519": "Ed25519", "ES256": "P-256", "ES384": "P-384", "RS256": "RSA"}
# "typ" values of a credential token (VC-JOSE-COSE, its drafts, and plain JWT as VC-JWT 1.1 used).
TOKEN_TYPES = {"vc+jwt", "application/vc+jwt", "vc+ld+jwt", "application/vc+ld+jwt", "jwt"}


class _Limits(JWSRegistry):
    # joserfc's defaults (512 bytes of header, 128 KB of payload) refuse a did:jwk kid of an RSA key
    # and a credential with its badge image inside; the upload limit bounds both before this.
    max_header_length = 16 * 1024
    max_payload_length = 4 * 1024 * 1024


class Malformed(ValueError):
    """The text looks like a JWT but is not one; the message says why."""


@dataclass
class Token:
    text: str
    header: dict
    claims: dict  # the JWS payload
    legacy: bool  # VC-JWT 1.1: the credential is the "vc" claim


def looks_like(text):
    return bool(COMPACT.match(text.strip()))


def read(text, parse):
    """(the ``Token``, the credential it carries) from compact JWS text, unverified; ``parse`` turns
    JSON text into a dict or raises. Raises ``Malformed``."""
    text = text.strip()
    encoded_header, encoded_payload, _signature = text.split(".")
    header = parse(_decoded(encoded_header, "header"))
    claims = parse(_decoded(encoded_payload, "payload"))
    if isinstance(claims.get("vc"), dict):
        return Token(text, header, claims, legacy=True), _from_legacy_claims(claims)
    return Token(text, header, claims, legacy=False), claims


def _decoded(part, what):
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise Malformed(f"This looks like a JSON Web Token, but its {what} cannot be decoded.") from None


def _from_legacy_claims(claims):
    """The credential of a VC-JWT 1.1 token, with the registered claims written back as the
    properties they stand for (the claims win: they are what the issuer's JWT library set)."""
    credential = dict(claims["vc"])
    if isinstance(claims.get("jti"), str):
        credential["id"] = claims["jti"]
    if isinstance(claims.get("iss"), str):
        issuer = credential.get("issuer")
        credential["issuer"] = {**issuer, "id": claims["iss"]} if isinstance(issuer, dict) else claims["iss"]
    legacy_dates = "issuanceDate" in credential or "expirationDate" in credential
    for claim, modern, older in (
        ("nbf", "validFrom", "issuanceDate"),
        ("exp", "validUntil", "expirationDate"),
    ):
        moment = _moment(claims.get(claim))
        if moment is not None:
            credential[older if legacy_dates and modern not in credential else modern] = moment.strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
    subject = credential.get("credentialSubject")
    if isinstance(claims.get("sub"), str) and isinstance(subject, dict):
        credential["credentialSubject"] = {**subject, "id": claims["sub"]}
    return credential


def check(token, result, known_key):
    """Check the token's signature against the key its ``kid`` (or, without one, its issuer's DID)
    names. ``known_key(method)`` gives one of our own keys as (public key, IssuerKey, controller) or
    None; it is asked first. Returns [(public key, IssuerKey or None, controller)], or None with
    the reason added to ``result``. Also narrows the dates to the token's ``nbf`` and ``exp``."""
    reasons = result.reasons
    header = token.header
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        reasons.append(_algorithm_reason(algorithm))
        return None
    if str(header.get("typ", "jwt")).lower() not in TOKEN_TYPES:
        reasons.append(f"It is a token of type “{str(header.get('typ'))[:40]}”, not a credential.")
        return None
    _narrow_dates(token, result)
    if not _issuer_agrees(token, result):
        return None
    kid = header.get("kid")
    issuer = result.issuer_id
    method = kid if isinstance(kid, str) and kid else issuer
    if method.startswith("#"):  # a key named relative to the issuer's DID
        method = issuer + method
    found = known_key(method)
    if found is None:
        controller = method.partition("#")[0]
        if not controller.startswith("did:"):
            reasons.append(
                f"Issuer not known: it is signed with the key {method[:120] or '(none named)'}, which is "
                "neither one of our keys nor a DID (did:key, did:jwk or did:web)."
            )
            return None
        if controller.startswith("did:web:") and controller != issuer:  # never fetch for another party
            reasons.append(
                f"It is signed by a key of {controller[:120]}, not of the issuer it names ({issuer or 'none'})."
            )
            return None
        try:
            resolved = dids.resolve(method)
        except dids.Unresolved as problem:
            reasons.append(str(problem))
            return None
        result.key_published_at = resolved.published_at
        found = (resolved.key, None, resolved.controller)
    result.key_id = method
    if not _signature_matches(token, found[0], algorithm, reasons):
        return None
    return [found]


def _algorithm_reason(algorithm):
    name = str(algorithm)[:20]
    if algorithm is None or name.lower() == "none":
        return "It is an unsigned token (algorithm “none”): anyone could have written it."
    if name.upper().startswith("HS"):
        return (
            f"It is sealed with a shared secret ({name}), which proves nothing to anyone else: only a "
            "public-key signature can be checked by a third party."
        )
    return (
        f"It is signed with {name}, which this verifier does not accept (it accepts {', '.join(ALGORITHMS)})."
    )


def _issuer_agrees(token, result):
    """The token's ``iss`` claim, when there is one, must be the issuer the credential names."""
    iss = token.claims.get("iss")
    if iss is None or iss == result.issuer_id:
        return True
    result.reasons.append(
        f"Its token says it was issued by {str(iss)[:120]}, but the credential names {result.issuer_id or 'no issuer'}."
    )
    return False


def _narrow_dates(token, result):
    """A token's ``nbf`` and ``exp`` bound its validity too: the later start and the earlier end hold."""
    start, end = _moment(token.claims.get("nbf")), _moment(token.claims.get("exp"))
    if start is not None and (result.issued_on is None or start > result.issued_on):
        result.issued_on = start
    if end is not None and (result.valid_until is None or end < result.valid_until):
        result.valid_until = end


def _signature_matches(token, public_key, algorithm, reasons):
    needed = ALGORITHMS[algorithm]
    if dids.key_kind(public_key) != needed:
        reasons.append(
            f"It says it is signed with {algorithm}, which needs an {needed} key, but the key it names "
            f"is an {dids.key_kind(public_key)} key."
        )
        return False
    try:
        with warnings.catch_warnings():  # joserfc warns that "EdDSA" is now spelt "Ed25519"
            warnings.simplefilter("ignore")
            # Header parameters beyond JOSE's own (VC-JOSE-COSE allows "iss", "cnf" …) are not an
            # error; "crit" ones still are, as RFC 7515 requires.
            limits = _Limits(algorithms=[algorithm], strict_check_header=False)
            jws.deserialize_compact(token.text, _jose_key(public_key), registry=limits)
    except BadSignatureError:
        reasons.append(
            "The signature does not match: the credential was changed after it was signed "
            "(or it was signed with another key than the one it names)."
        )
        return False
    except (JoseError, ValueError):
        reasons.append("Its token is malformed: its signature cannot be checked.")
        return False
    return True


def _jose_key(public_key):
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return OKPKey.import_key(public_key)
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return ECKey.import_key(public_key)
    if isinstance(public_key, rsa.RSAPublicKey):
        return RSAKey.import_key(public_key)
    raise ValueError("not a key joserfc reads")


def _moment(value):
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 253402300800:
        return None
    return datetime.fromtimestamp(value, tz=UTC)
