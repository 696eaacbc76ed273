"""The Open Badges 3.0 / VC 2.0 documents the product publishes: the issuer profile, its controller
document and DID document, verification methods, achievements, credentials and the revocation
status list.

The issuer has two ids, both always published with every key: the controller document's https URL
(``/badges/issuer``) and the ``did:web`` DID of ``PUBLIC_BASE_URL`` (its DID document at the path the
did:web method prescribes). ``ISSUER_IDENTIFIER`` chooses the one new credentials name; whatever
it was when a credential was issued, the id and key it names keep resolving.
"""

import base64
import gzip
import hashlib
import secrets
from datetime import UTC
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.urls import reverse

from proposals.choices import Form, Kind
from proposals.policy import active_profile

from .jsonld import MULTIKEY_V1, OB_V3, VC_V2

DID_V1 = "https://www.w3.org/ns/did/v1"

STATUS_LIST_SIZE = 131_072  # bits: the minimum a Bitstring Status List must have (16 KB)
NACE_FRAMEWORK = "NACE Career Readiness Competencies"


def absolute(path):
    return settings.PUBLIC_BASE_URL + path


def institution_name():
    return settings.INSTITUTION_NAME_OVERRIDE or active_profile().institution


DID_WEB = "did:web"


def did_web_mode():
    return settings.ISSUER_IDENTIFIER == DID_WEB


def issuer_id():
    """The issuer's id as new credentials, achievements and the status list name it."""
    return issuer_did() if did_web_mode() else https_issuer_id()


def https_issuer_id():
    """The URL of the issuer's controller document."""
    return absolute(reverse("badges:issuer"))


def issuer_did():
    """The did:web DID of ``PUBLIC_BASE_URL``: the host, its port as ``%3A<port>``, then each path
    segment after a colon (did:web method, "Create"): https://example.edu:8443/cred gives
    did:web:example.edu%3A8443:cred."""
    parts = urlsplit(settings.PUBLIC_BASE_URL)
    host = parts.hostname or ""
    if parts.port:
        host += f"%3A{parts.port}"
    # A DID allows letters, digits, "." "-" "_" and percent-escapes; quote leaves "~" as it is.
    segments = [quote(s, safe="").replace("~", "%7E") for s in parts.path.split("/") if s]
    return ":".join([DID_WEB, host, *segments])


def did_document_path():
    """Where the DID document is served, below ``PUBLIC_BASE_URL``: /.well-known/did.json for a
    bare host, /did.json when the base URL has a path (did:web method, "Read")."""
    return "/did.json" if urlsplit(settings.PUBLIC_BASE_URL).path.strip("/") else "/.well-known/did.json"


def key_id(key):
    """The verification method new proofs by ``key`` name, in the current ``ISSUER_IDENTIFIER``."""
    return key.did_url if did_web_mode() else key.url


def status_list_url(status_list):
    """The status list new credentials point at: the one whose issuer is the id they name (verifiers
    require the status list's issuer to be the credential's)."""
    return status_list.did_url if did_web_mode() else status_list.url


def issuer_profile():
    """The institution as an Open Badges ``Profile`` (inside credentials and achievements)."""
    return {
        "id": issuer_id(),
        "type": ["Profile"],
        "name": institution_name(),
        "url": settings.PUBLIC_BASE_URL,
    }


def controller_document(keys):
    """The issuer's controller document: every key ever made is a verification method; every key
    but a compromised one is an assertion method, so that each credential's proof verifies for as
    long as it exists, through key rotations."""
    # The DID v1 context first: verifiers (Digital Bazaar's among them) then read ``assertionMethod``
    # as plain JSON instead of framing the document. The id is an https URL, not a DID.
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": https_issuer_id(),
        "name": institution_name(),
        "url": settings.PUBLIC_BASE_URL,
        # Each of the two documents names the other: both are served by the same site, so the link
        # holds both ways, as DID Core asks of ``alsoKnownAs``. It lets a wallet holding credentials
        # under both ids (before and after a change of ISSUER_IDENTIFIER) see one issuer; it grants
        # no key anything, since each document lists its own assertion methods.
        "alsoKnownAs": [issuer_did()],
        "verificationMethod": [verification_method(key) for key in keys],
        # A retired key stays here (with no ``expires``): what it signed keeps verifying. A revoked
        # (compromised) key leaves: whoever holds it can sign with any ``created`` date, so none of
        # its proofs can be trusted, and verifiers that check the proof purpose (Digital Bazaar's,
        # which does not read ``revoked``) then reject them too. It stays a verification method with
        # its ``revoked`` date (W3C Controlled Identifiers 1.0, section 2.2), so that anyone can see
        # which key it was and since when it must not be used.
        "assertionMethod": [key.url for key in keys if key.revoked_at is None],
    }


def did_document(keys):
    """The issuer's did:web DID document: the same keys, with the same status, as the controller
    document, each under its DID URL (``<did>#<key name>``)."""
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": issuer_did(),
        "alsoKnownAs": [https_issuer_id()],
        "verificationMethod": [verification_method(key, did=True) for key in keys],
        "assertionMethod": [key.did_url for key in keys if key.revoked_at is None],
    }


def verification_method(key, *, did=False):
    """``key`` as a Multikey verification method of the controller document, or with ``did`` of
    the DID document."""
    method = {
        "@context": MULTIKEY_V1,
        "id": key.did_url if did else key.url,
        "type": "Multikey",
        "controller": issuer_did() if did else https_issuer_id(),
        "publicKeyMultibase": key.public_key_multibase,
    }
    if key.revoked_at is not None:
        method["revoked"] = iso(key.revoked_at)  # defined by the Multikey context
    return method


def achievement_document(*, proposal, achievement_uuid, version, image_url, related=()):
    """An Open Badges 3.0 ``Achievement`` for a published proposal (read with its parts prefetched)."""
    url = absolute(reverse("badges:achievement", args=[achievement_uuid]))
    criteria = "\n\n".join(
        part.strip()
        for part in (proposal.evidence_submission, proposal.evidence_criteria, proposal.reflective_experience)
        if part and part.strip()
    )
    document = {
        "id": url,
        "type": ["Achievement"],
        "name": proposal.title,
        "description": proposal.summary or proposal.purpose or proposal.title,
        "criteria": {"narrative": criteria or "Assessed by the proposing unit against its published rubric."},
        "image": {"id": image_url, "type": "Image", "caption": proposal.title},
        "achievementType": "Certificate" if proposal.form == Form.MICRO_CERTIFICATE else "Badge",
        "creator": issuer_profile(),
        "version": str(version),
        "inLanguage": "en",
        "fieldOfStudy": proposal.unit.name,
        "tag": [proposal.get_level_display(), proposal.get_kind_display()],
    }
    if proposal.code:
        document["humanCode"] = proposal.code
    if related:
        # A micro-certificate's components: the achievements a learner holds to be awarded it.
        document["related"] = [
            {"id": part.url, "type": ["Related"], "inLanguage": "en", "version": str(part.version)}
            for part in related
        ]
    alignment = [
        {
            "type": ["Alignment"],
            "targetName": competency.name,
            "targetUrl": competency.url,
            "targetDescription": competency.definition,
            "targetFramework": NACE_FRAMEWORK
            if competency.framework.slug == "nace"
            else competency.framework.name,
            "targetType": "ceasn:Competency",
        }
        for competency in proposal.competencies.all()
    ]
    if alignment:
        document["alignment"] = alignment
    if proposal.kind == Kind.CREDIT_BEARING and proposal.total_credits:
        # A whole number stays an integer: JSON-LD processors in other languages read 6.0 as the
        # integer 6, and the canonical form (hence the signature) must not depend on the reader.
        credits = proposal.total_credits
        document["creditsAvailable"] = int(credits) if credits == int(credits) else float(credits)
    return document


def email_identifier(email):
    """A salted SHA-256 hash of the learner's email: an identifier a verifier can check against an
    email the learner gives them, without publishing it."""
    salt = secrets.token_hex(8)
    digest = hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def name_identifier(name):
    """The learner's name as Open Badges 3.0 names a credential's holder: an ``IdentityObject`` of
    ``identityType`` ``name``, in plain text (``hashed`` false)."""
    return {"type": "IdentityObject", "identityHash": name, "identityType": "name", "hashed": False}


def holder_name_of(credential):
    """The holder's name a credential carries (``name_identifier``), or None."""
    subject = credential.get("credentialSubject") or {}
    for entry in subject.get("identifier") or []:
        if entry.get("identityType") == "name" and entry.get("hashed") is False:
            return entry.get("identityHash")
    return None


def status_entry(status_list_url, index):
    return {
        "id": f"{status_list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": status_list_url,
    }


def credential_document(
    *, award, achievement_data, issued_at, valid_until, status_list_url, components=(), holder_name=None
):
    """The unsigned ``OpenBadgeCredential`` of an award. ``holder_name``: the name the learner shows
    on their credentials, beside the hash of their email; None, the hash alone."""
    identifiers = [email_identifier(award.learner.email)]
    if holder_name:
        identifiers.append(name_identifier(holder_name))
    subject = {
        "type": ["AchievementSubject"],
        "identifier": identifiers,
        "achievement": achievement_data,
    }
    document = {
        "@context": [VC_V2, OB_V3],
        "id": f"urn:uuid:{award.credential_uuid}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement_data["name"],
        "issuer": issuer_profile(),
        "validFrom": iso(issued_at),
        "credentialSubject": subject,
        "credentialStatus": status_entry(status_list_url, award.status_index),
    }
    if valid_until:
        document["validUntil"] = iso(valid_until)
    evidence = []
    if award.evidence_public and (award.narrative or award.evidence_url):
        item = {"type": ["Evidence"]}
        if award.evidence_url:
            item["id"] = award.evidence_url
        if award.narrative:
            item["narrative"] = award.narrative
        evidence.append(item)
    for component in components:
        # A micro-certificate's evidence: the component credentials the learner holds.
        evidence.append(
            {
                "id": component.public_url,
                "type": ["Evidence"],
                "name": component.achievement.name,
                "description": "A component micro-credential held by the learner.",
            }
        )
    if evidence:
        document["evidence"] = evidence
    return document


def encoded_list(revoked_indices, size=STATUS_LIST_SIZE):
    """'u' + base64url (no padding) of the GZIP of the bits; index 0 is the first byte's highest bit."""
    bits = bytearray(size // 8)
    for index in revoked_indices:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def status_list_document(*, url, issuer, revoked_indices, valid_from):
    return {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": iso(valid_from),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(revoked_indices),
        },
    }


def iso(moment):
    """An XML Schema dateTime in UTC, to the second: 2026-11-25T11:12:13Z."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
