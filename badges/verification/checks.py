"""Checking a credential somebody uploads: an Open Badges 3.0 credential as JSON, or baked into a
PNG or SVG badge image. Says whether it verifies, who issued it to whom, its status, and why it
fails when it does.

Our own credentials are checked against our keys (``IssuerKey``) and our awards' state; another
issuer's against the key its DID names (``dids``: did:key, did:jwk, or a did:web document fetched
under strict limits), whether it is secured with a Data Integrity proof or as a JWT (``vc_jwt``).
Nothing else is fetched from the network: any other verification method is "issuer not known", any
JSON-LD context we do not ship is named as such, and other issuers' status lists are not checked.
Open Badges 2.0 assertions are told apart politely. Every input, however broken or hostile, gives a
result with a message, never an exception. ``checklist`` says in plain words what was checked.
"""

import html
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import dateformat, timezone
from django.utils.dateparse import parse_datetime

from core.people import NO_NAME

from .. import people
from ..awarding import reissue
from ..issuing import documents, images, jsonld, keys, signing
from ..models import Award, IssuerKey
from . import budget, dids, vc_jwt
from .checklist import Line, checklist, missing_parts
from .names import looks_like

logger = logging.getLogger(__name__)

MAX_KEY_TEXT = 200  # a proof value; base58 decoding is quadratic in length
MAX_ID = dids.MAX_DID_TEXT
OB_TYPES = {"OpenBadgeCredential", "AchievementCredential"}


class Status(models.TextChoices):
    VALID = "valid", "Valid"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"
    SUPERSEDED = "superseded", "Superseded by a re-issued credential"
    NOT_YET_VALID = "not_yet_valid", "Not yet valid"
    NOT_CHECKED = "not_checked", "Status not checked"


@dataclass
class Verification:
    """What the page tells about one upload. ``problem`` is set when no credential could be read
    from it at all; otherwise ``credential`` is the parsed document and ``reasons`` say why it does
    not verify (empty when it does)."""

    kind: str = ""  # "JSON", "PNG badge image" or "SVG badge image"
    problem: str = ""
    credential: dict | None = None
    signature_ok: bool = False
    ours: bool = False
    impostor: bool = False  # names this institution but is not signed by one of its keys
    issuer_name: str = ""
    issuer_id: str = ""
    recipient_name: str = ""
    achievement_name: str = ""
    issued_on: datetime | None = None
    valid_until: datetime | None = None
    status: str = Status.NOT_CHECKED
    status_note: str = ""
    reasons: list[str] = field(default_factory=list)
    award: Award | None = None
    token: vc_jwt.Token | None = None  # set when it came as a JWT
    key_id: str = ""  # the verification method that signed it
    key_published_at: str = ""  # for did:web: where the issuer's DID document was read
    missing_parts: list[str] = field(default_factory=list)  # what Open Badges 3.0 requires and it lacks
    checked_at: datetime | None = None
    notice: str = ""  # set instead of a verdict when it is a badge of another standard (Open Badges 2.0)

    @property
    def checklist(self) -> list[Line]:
        return checklist(self)

    @property
    def secured_with(self):
        if self.token is not None:
            return f"VC-JWT (compact JWS, {str(self.token.header.get('alg'))[:20]})"
        return f"Data Integrity proof ({signing.CRYPTOSUITE})"

    @property
    def verified(self):
        return self.credential is not None and self.signature_ok and not self.reasons

    @property
    def status_label(self):
        return Status(self.status).label


class Unreadable(Exception):
    """No credential can be read from the upload; the message says why, for the person uploading."""


class OtherStandard(Unreadable):
    """A badge of another standard (Open Badges 2.0): said as a notice, not as a failure."""


OB2_CONTEXT = "https://w3id.org/openbadges/v2"
OB2_NOTICE = (
    "This is an Open Badges 2.0 badge, an earlier standard that this page does not check: it checks "
    "Open Badges 3.0 credentials. An Open Badges 2.0 badge is checked on its issuer's own site (the "
    "badge's verification link{where}) or with 1EdTech's Open Badges validator "
    "(https://openbadgesvalidator.imsglobal.org)."
)


def verify_upload(data, *, filename="", content_type="", now=None):
    """Read a credential from uploaded bytes (JSON, or a baked PNG or SVG) and verify it. Never
    raises; fetches nothing from the network but another issuer's did:web DID document (``dids``)."""
    result = Verification()
    try:
        result.kind, text = _credential_text(data, filename=filename, content_type=content_type)
        if vc_jwt.looks_like(text):
            result.token, result.credential = _read_token(text)
            result.kind = "JSON Web Token" if result.kind == "JSON" else result.kind
        else:
            result.credential = _parse(text)
        _refuse_other_standards(result.credential)
    except OtherStandard as other:
        result.notice = str(other)
        return result
    except Unreadable as unreadable:
        result.problem = str(unreadable)
        return result
    try:
        _verify(result, now or timezone.now())
    except Exception:  # a last resort: hostile input must give a page, not an error
        logger.exception("Verifying an uploaded credential failed unexpectedly")
        result.signature_ok = False
        result.reasons.append("It could not be checked: parts of it are not what a credential holds.")
    _refuse_borrowed_name(result)
    return result


# --- reading the upload ------------------------------------------------------------------------------


def _credential_text(data, *, filename, content_type):
    """(what the file is, the credential's JSON text) from the uploaded bytes."""
    limit = settings.VERIFY_UPLOAD_MAX_BYTES
    if len(data) > limit:
        raise Unreadable(
            f"The file is larger than {filesizeformat(limit)}, the most this page reads. A credential is "
            "a few kilobytes, and a badge image carrying one rarely more than a few hundred."
        )
    if not data:
        raise Unreadable("The file is empty.")
    if data.startswith(images.PNG_SIGNATURE):
        return "PNG badge image", _png_credential(data, limit)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        looks_like = "a PNG" if filename.lower().endswith(".png") or content_type == "image/png" else "text"
        raise Unreadable(
            f"This file is neither a credential (JSON text) nor a badge image: it is not {looks_like} "
            "this page can read. Upload the credential's .json file, or the badge as PNG or SVG."
        ) from None
    stripped = text.lstrip()
    if stripped.startswith("<"):
        return "SVG badge image", _svg_credential(text)
    return "JSON", text


# What ``images.itxt_text`` finds wrong with a credential chunk, as the page says it.
CHUNK_PROBLEMS = {
    "cut short": "The credential chunk of this PNG image is cut short.",
    "damaged": "The credential chunk of this PNG image is damaged.",
    "not UTF-8": "The credential baked into this PNG image is not UTF-8 text.",
}


def _png_credential(png, limit):
    """The text of a PNG's ``openbadgecredential`` chunk, read with ``images``' bounded reader: a
    truncated file ends the walk, and a compressed chunk inflates only up to ``limit``."""
    for kind, data in images.png_chunks(png):
        if kind == b"iTXt" and data.startswith(images.KEYWORD + b"\0"):
            try:
                return images.itxt_text(data[len(images.KEYWORD) + 1 :], limit)
            except ValueError as problem:
                message = CHUNK_PROBLEMS.get(
                    str(problem), f"The credential in this PNG image is larger than {filesizeformat(limit)}."
                )
                raise Unreadable(message) from None
        if kind in (b"iTXt", b"tEXt") and data.startswith(b"openbadges\0"):
            raise OtherStandard(OB2_NOTICE.format(where=""))
    raise Unreadable(
        "This PNG image carries no Open Badges credential (no “openbadgecredential” chunk). "
        "Download the badge from the page that issued it: that copy has the credential baked in."
    )


CREDENTIAL_ELEMENT = "<openbadges:credential"
CREDENTIAL_END = "</openbadges:credential>"


def _svg_credential(svg):
    """The credential in an SVG's ``openbadges:credential`` element. Read as text, never with an XML
    parser (which could be made to expand entities): ``images.unbake_svg`` reads the shape we bake;
    other bakers' shapes (attributes on the element, escaped text rather than CDATA) are read here."""
    try:
        found = images.unbake_svg(svg)
    except ValueError:  # an opening without its end
        found = None
    if found is not None:
        return found
    start = svg.find(CREDENTIAL_ELEMENT)
    body_start = svg.find(">", start) + 1 if start >= 0 else 0
    end = svg.find(CREDENTIAL_END, body_start) if body_start else -1
    if end < 0:
        if "<openbadges:assertion" in svg:
            raise OtherStandard(OB2_NOTICE.format(where=""))
        if "<svg" not in svg[:4096].lower():
            raise Unreadable("This file is neither JSON nor an SVG image: this page cannot read it.")
        raise Unreadable(
            "This SVG image carries no Open Badges credential (no “openbadges:credential” element). "
            "Download the badge from the page that issued it: that copy has the credential baked in."
        )
    body = svg[body_start:end].strip()
    if body.startswith("<![CDATA[") and body.endswith("]]>"):
        return body[len("<![CDATA[") : -len("]]>")]
    return html.unescape(body)  # character references only; no entity is ever resolved


def _no_constants(name):
    raise ValueError(f"{name} is not a JSON number")


def _read_token(text):
    """(the token, the credential in it) of a credential sent as a JWT."""
    try:
        return vc_jwt.read(text, _parse)
    except vc_jwt.Malformed as problem:
        raise Unreadable(str(problem)) from None
    except Unreadable as problem:
        raise Unreadable(
            f"This looks like a JSON Web Token, but it carries no credential. {problem}"
        ) from None


def _refuse_other_standards(document):
    """An Open Badges 2.0 assertion (JSON, or the payload of a signed one) gets a notice, not a verdict."""
    contexts, types = _as_list(document.get("@context")), _as_list(document.get("type"))
    if OB2_CONTEXT in contexts or "Assertion" in types:
        verify_at = _text(document.get("id"))
        where = f": {verify_at}" if verify_at.startswith("https://") else ""
        raise OtherStandard(OB2_NOTICE.format(where=where))


def _parse(text):
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        raise Unreadable(
            f"This is not a credential: it is not valid JSON ({error.msg}, line {error.lineno})."
        ) from None
    except RecursionError:
        raise Unreadable("This is not a credential: its JSON is nested far too deeply.") from None
    except ValueError:  # a number with thousands of digits, NaN or Infinity
        raise Unreadable("This is not a credential: it holds a number JSON cannot carry.") from None
    if not isinstance(value, dict):
        what = {list: "a list", str: "a string", bool: "true or false", type(None): "null"}.get(
            type(value), "a number"
        )
        raise Unreadable(f"This is not a credential: the JSON is {what}, not an object.")
    _check_size(value)
    return value


def _check_size(value):
    """Refuse shapes no credential has, before any JSON-LD processing spends time on them."""
    try:
        budget.check_shape(value)
    except budget.OverBudget as over:
        raise Unreadable(str(over)) from None


# --- verifying ----------------------------------------------------------------------------------------


def _verify(result, now):
    document = result.credential
    result.checked_at = now
    _describe(result, document)
    types = _as_list(document.get("type"))
    if "VerifiableCredential" not in types:
        result.reasons.append("It is not a Verifiable Credential (its “type” does not say so).")
        return
    if not OB_TYPES & set(types):
        result.reasons.append("It is a Verifiable Credential, but not an Open Badges credential.")
    result.missing_parts = missing_parts(document, enveloped=result.token is not None)
    if result.token is not None:
        found = vc_jwt.check(result.token, result, _known_key)
    else:
        found = _embedded_proofs(result, document, now)
    if found is None:
        return
    result.signature_ok = True
    for _public, key, controller in found:
        if controller != result.issuer_id:
            result.reasons.append(
                f"It is signed by a key of {controller}, not of the issuer it names ({result.issuer_id or 'none'})."
            )
        if key is not None and key.revoked_at:
            result.reasons.append(
                f"It is signed with a key {documents.institution_name()} marked as compromised on "
                f"{_day(key.revoked_at)}: the credential is not trustworthy."
            )
    result.ours = all(key is not None for _public, key, _controller in found)
    _status(result, document, now)


def _embedded_proofs(result, document, now):
    """[(public key, IssuerKey or None, controller)] of a document's Data Integrity proofs once they
    all verify, or None with the reason added to ``result``."""
    proofs = _as_list(document.get("proof"))
    if not proofs:
        result.reasons.append("It carries no proof: it was never signed, or its signature was removed.")
        return None
    contexts = _as_list(document.get("@context"))
    unheld = [c for c in contexts if isinstance(c, str) and c not in jsonld.CONTEXT_FILES]
    if unheld or not contexts:
        result.reasons.append(_context_reason(unheld[0] if unheld else "none given"))
        return None
    found = [_key_for(proof, result) for proof in proofs]
    if None in found:
        return None
    public_keys = {
        proof["verificationMethod"]: public for proof, (public, _key, _c) in zip(proofs, found, strict=True)
    }
    if not _signature_matches(document, public_keys, result):
        _signed_before_the_fix(result, document, now)
        return None
    result.key_id = ", ".join(public_keys)
    return found


def _signed_before_the_fix(result, document, now):
    """A credential we issued, exactly as stored, signed before the canonical form was corrected
    (``awarding.reissue``): its signature fails everywhere, but it was not changed. Said so, with
    its status from our records (superseded once re-issued), instead of "changed after signing"."""
    if reissue.stored_credential_signed_before_the_fix(document) is None:
        return
    result.reasons.clear()
    result.ours = True
    _status(result, document, now)
    institution = documents.institution_name()
    result.reasons.insert(
        0,
        f"{institution} issued it, but signed it before correcting how its text is canonicalised, so no "
        "verifier can check its signature.",
    )
    if result.status == Status.VALID:  # not re-issued yet
        result.status = Status.NOT_CHECKED
        result.reasons.append(f"{institution} re-issues it: ask its holder for the current credential.")


def _describe(result, document):
    """Who issued what to whom, as the document says: shown whether or not it verifies."""
    issuer = document.get("issuer")
    if isinstance(issuer, dict):  # an id may be a long did:jwk
        result.issuer_id, result.issuer_name = _text(issuer.get("id"), MAX_ID), _text(issuer.get("name"))
    else:
        result.issuer_id = _text(issuer, MAX_ID)
    subject = next((s for s in _as_list(document.get("credentialSubject")) if isinstance(s, dict)), {})
    achievement = subject.get("achievement")
    if isinstance(achievement, dict):
        result.achievement_name = _text(achievement.get("name"))
    result.achievement_name = result.achievement_name or _text(document.get("name"))
    result.recipient_name = _subject_name(subject)
    result.issued_on = _date(document.get("validFrom") or document.get("issuanceDate"))
    result.valid_until = _date(document.get("validUntil") or document.get("expirationDate"))


def _refuse_borrowed_name(result):
    """A credential that names this institution (its issuer id, or a name a reader would take for
    its name) without being signed by one of its keys reads as not issued by it, first of all."""
    institution, document = documents.institution_name(), result.credential
    subject = next((s for s in _as_list(document.get("credentialSubject")) if isinstance(s, dict)), {})
    achievement = subject.get("achievement") if isinstance(subject.get("achievement"), dict) else {}
    creator = achievement.get("creator") if isinstance(achievement.get("creator"), dict) else {}
    claimed = [result.issuer_name, _text(creator.get("name"))]
    if result.issuer_id not in (documents.https_issuer_id(), documents.issuer_did()) and not any(
        looks_like(name, institution) for name in claimed if name
    ):
        return
    methods = [p.get("verificationMethod") for p in _as_list(document.get("proof")) if isinstance(p, dict)]
    ours = {url for key in IssuerKey.objects.all() for url in (key.url, key.did_url)}
    if result.ours or (methods and all(method in ours for method in methods)):
        return  # ours, or one of our keys on a credential changed since: its own reasons say so
    result.impostor = True
    result.reasons.insert(
        0,
        f"Not issued by {institution}: signed by an unknown key that claims its name."
        if methods or result.signature_ok
        else f"Not issued by {institution}: it is not signed by any of its keys, and claims its name.",
    )


def _subject_name(subject):
    """The learner's name when the credential carries it in plain text; never an email address."""
    names = [subject.get("name")] + [
        entry.get("identityHash")
        for entry in _as_list(subject.get("identifier"))
        if isinstance(entry, dict) and entry.get("identityType") == "name" and entry.get("hashed") is False
    ]
    return next((_text(n) for n in names if _text(n) and "@" not in _text(n)), "")


def _key_for(proof, result):
    """(public key, our IssuerKey or None, controller) of a proof's verification method, or None
    with the reason added to ``result``."""
    if not isinstance(proof, dict):
        result.reasons.append("Its proof is not a proof object.")
        return None
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != signing.CRYPTOSUITE:
        suite = _text(proof.get("cryptosuite")) or _text(proof.get("type")) or "an unnamed method"
        result.reasons.append(
            f"It is signed with {suite}, which this verifier does not support (it checks "
            f"DataIntegrityProof with {signing.CRYPTOSUITE})."
        )
        return None
    if proof.get("proofPurpose") != "assertionMethod":
        result.reasons.append(
            "Its proof is not for asserting a credential (proofPurpose is not assertionMethod)."
        )
        return None
    method, value = proof.get("verificationMethod"), proof.get("proofValue")
    if not isinstance(method, str) or not isinstance(value, str) or len(value) > MAX_KEY_TEXT or not method:
        result.reasons.append(
            "Its proof is incomplete: the key or the signature value is missing or malformed."
        )
        return None
    ours = _known_key(method)
    if ours is not None:
        return ours
    if method.startswith("did:"):
        return _did_key_for(method, result)
    result.reasons.append(
        f"Issuer not known: it is signed with the key {method[:120]}, which is neither one of "
        f"{documents.institution_name()}'s keys nor a DID (did:key, did:jwk or did:web). This verifier "
        "does not fetch keys from other addresses."
    )
    return None


def _known_key(method):
    """(public key, IssuerKey, our issuer id) when ``method`` is one of our own keys, else None:
    asked before any DID is resolved, so that our keys never depend on the network."""
    for key in IssuerKey.objects.all():
        # Ours under either of the issuer's ids, whichever ISSUER_IDENTIFIER signed it: from the
        # database, never fetched.
        controllers = {key.url: documents.https_issuer_id(), key.did_url: documents.issuer_did()}
        if method in controllers:
            return keys.public_key_from_multikey(key.public_key_multibase), key, controllers[method]
    return None


def _did_key_for(method, result):
    """(Ed25519 public key, None, DID) of a proof's DID verification method, or None with the reason."""
    did = method.partition("#")[0]
    if did.startswith("did:web:") and did != result.issuer_id:  # never fetch for another party
        result.reasons.append(
            f"It is signed by a key of {did[:120]}, not of the issuer it names ({result.issuer_id or 'none'})."
        )
        return None
    try:
        resolved = dids.resolve(method)
    except dids.Unresolved as problem:
        result.reasons.append(str(problem))
        return None
    if dids.key_kind(resolved.key) != "Ed25519":
        result.reasons.append(
            f"Its proof ({signing.CRYPTOSUITE}) needs an Ed25519 key, but {method[:120]} is a "
            f"{dids.key_kind(resolved.key)} key."
        )
        return None
    result.key_published_at = resolved.published_at
    return resolved.key, None, resolved.controller


def _signature_matches(document, public_keys, result):
    """Whether every proof verifies. The document comes from a stranger: it is canonicalised once,
    within the request's work budget (``budget.check_signatures``). Adds the reason when it does not."""
    outcome = budget.check_signatures(document, public_keys)
    if outcome.verdict == budget.MATCHES:
        return True
    if outcome.verdict == budget.FAILED:
        raise RuntimeError(f"the signature check failed in its child process: {outcome.detail}")
    result.reasons.append(
        {
            budget.TOO_COMPLEX: "It is too complex to check: checking its signature would take longer "
            "than this page allows for one file.",
            budget.MISSING_CONTEXT: _context_reason(outcome.detail),
            budget.NOT_JSON_LD: "It is not valid JSON-LD, so its signature cannot be checked.",
        }.get(
            outcome.verdict,
            "The signature does not match: the credential was changed after it was signed "
            "(or it was signed with another key than the one it names).",
        )
    )
    return False


def _context_reason(url):
    return (
        f"It uses a JSON-LD context this verifier does not hold ({url[:120]}), so its signature cannot be "
        "checked. It never fetches contexts from the network."
    )


def _status(result, document, now):
    """Revoked, superseded, expired or not yet valid, in that order; our own status from our awards,
    another issuer's status list is never fetched."""
    if result.ours and not result.reasons:  # our records speak only for what our trusted keys signed
        result.award = _our_award(document)
        if result.award is not None:
            result.recipient_name = result.recipient_name or _learner_name(result.award.learner)
        result.issuer_name = result.issuer_name or documents.institution_name()
    award = result.award
    index = _status_index(document)
    if award is not None and award.state == Award.State.REVOKED:
        result.status = Status.REVOKED
        when = f" on {_day(award.revoked_at)}" if award.revoked_at else ""
        result.reasons.append(f"{documents.institution_name()} revoked it{when}: {award.revoked_reason}")
    elif (
        award is not None
        and index is not None
        and award.credential
        and award.credential.status_index != index
    ):
        result.status = Status.SUPERSEDED
        result.reasons.append(
            f"It has been superseded: {documents.institution_name()} re-issued this award with a new "
            "credential (a new expiry date, say). Ask its holder for the current one."
        )
    elif result.valid_until and result.valid_until < now:
        result.status = Status.EXPIRED
        result.reasons.append(f"It expired on {_day(result.valid_until)}.")
    elif result.issued_on and result.issued_on > now:
        result.status = Status.NOT_YET_VALID
        result.reasons.append(f"It is not valid yet: it is valid from {_day(result.issued_on)}.")
    elif award is None and document.get("credentialStatus"):
        result.status = Status.NOT_CHECKED
        if not result.ours:
            result.status_note = "We do not fetch other issuers' status lists."
    else:
        result.status = Status.VALID


def _our_award(document):
    value = _text(document.get("id"))
    try:
        credential_uuid = (
            uuid.UUID(value.removeprefix("urn:uuid:")) if value.startswith("urn:uuid:") else None
        )
    except ValueError:
        credential_uuid = None
    if credential_uuid is None:
        return None
    return (
        Award.objects.select_related("learner__learner", "credential")
        .filter(credential_uuid=credential_uuid)
        .first()
    )


def _learner_name(user):
    """The name we hold for the learner, as their award's public page shows it; never an email,
    never a login name."""
    name = people.learner_name(user)
    return "" if "@" in name or name == NO_NAME else name


def _status_index(document):
    entry = next((e for e in _as_list(document.get("credentialStatus")) if isinstance(e, dict)), {})
    try:
        return int(str(entry.get("statusListIndex")))
    except ValueError:
        return None


# --- small readers -------------------------------------------------------------------------------------


def _as_list(value):
    return value if isinstance(value, list) else [] if value is None else [value]


def _text(value, limit=300):
    return value.strip()[:limit] if isinstance(value, str) else ""


def _day(moment):
    return dateformat.format(timezone.localtime(moment), "j F Y")


def _date(value):
    try:
        moment = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment
