"""What the verify page says it checked, and what it did not, in words a student or an employer
understands: one line each for the signature, who holds the key, the dates, revocation and the
credential's shape. Every line is worked out from the ``Verification`` it describes, so that it is
true for that case; nothing here decides whether the credential verifies.

The shape is checked by hand against the parts the Open Badges 3.0 JSON Schema requires (the
product ships no copy of 1EdTech's schema file; a test holds this list to it).
"""

import re
from dataclasses import dataclass
from urllib.parse import urlparse

from django.utils import dateformat, timezone

from ..issuing import documents

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = re.compile(r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$")
MARKS = {"yes": "✓", "no": "✗", "skip": "–"}


@dataclass(frozen=True)
class Line:
    state: str  # "yes" (checked, and it holds), "no" (checked, and it fails) or "skip" (not checked)
    text: str

    @property
    def mark(self):
        return MARKS[self.state]


def checklist(result):
    """The lines for one verification, in the order a reader asks: is it genuine, whose is it, is
    it current, was it withdrawn, is it a proper Open Badges 3.0 credential."""
    if result.credential is None:
        return []
    if result.impostor:  # nothing in it earns a tick: it borrows a name that is not its own
        institution = documents.institution_name()
        return [
            Line("no", f"It was not signed with any of {institution}'s keys, though it names {institution}."),
            Line(
                "skip",
                "Its dates, status and shape were not checked: a credential that is not what it claims is worth nothing.",
            ),
        ]
    return [_signature(result), _holder(result), _dates(result), _revocation(result), _shape(result)]


def _signature(result):
    if not result.signature_ok:
        return Line("no", "The signature could not be confirmed: see why above.")
    whose = f"{documents.institution_name()}'s key" if result.ours else "the issuer's key"
    return Line("yes", f"The signature matches {whose}: nothing in it was changed after it was signed.")


def _holder(result):
    claim = (
        f"that it is “{result.issuer_name}” is the issuer's own claim"
        if result.issuer_name
        else "it gives no name"
    )
    if not result.signature_ok:
        return Line("skip", "Who signed it is not known, since the signature is not confirmed.")
    if result.ours:
        return Line(
            "yes", f"It was signed by {documents.institution_name()} itself, with one of its own keys."
        )
    if result.key_published_at:
        host = urlparse(result.key_published_at).hostname
        return Line(
            "skip", f"The issuer's identity is not confirmed: its key is published on {host}; {claim}."
        )
    return Line(
        "skip",
        "The issuer's identity is not confirmed: its key is not published by any organisation (anyone "
        f"can make such a key); {claim}.",
    )


def _dates(result):
    if not result.signature_ok or result.checked_at is None:
        return Line("skip", "Its dates were not checked, since the signature is not confirmed.")
    now = result.checked_at
    if result.valid_until and result.valid_until < now:
        return Line("no", f"It is out of date: it expired on {_day(result.valid_until)}.")
    if result.issued_on and result.issued_on > now:
        return Line("no", f"It is not valid yet: it is valid from {_day(result.issued_on)}.")
    start = f" from {_day(result.issued_on)}" if result.issued_on else ""
    end = f" until {_day(result.valid_until)}" if result.valid_until else ", with no end date"
    return Line("yes", f"It is within its dates: valid{start}{end}.")


def _revocation(result):
    institution = documents.institution_name()
    if not result.signature_ok:
        return Line("skip", "Revocation was not checked, since the signature is not confirmed.")
    if result.status == "revoked":
        return Line("no", f"{institution} has revoked it.")
    if result.status == "superseded":
        return Line("no", f"{institution} has replaced it with a re-issued credential.")
    if result.award is not None:
        return Line("yes", f"Not revoked (checked against {institution}'s status list).")
    if result.ours:
        return Line("skip", f"Revocation was not checked: {institution} holds no record of this credential.")
    if result.credential.get("credentialStatus"):
        return Line("skip", "Revocation was not checked: we do not fetch other issuers' status lists.")
    return Line("skip", "Its issuer gave it no revocation status, so there is none to check.")


def _shape(result):
    if result.missing_parts:
        return Line(
            "skip",
            "It lacks parts the Open Badges 3.0 schema requires ("
            + "; ".join(result.missing_parts)
            + "); this does not change what its signature proves.",
        )
    return Line("yes", "It has every part an Open Badges 3.0 credential must have.")


def missing_parts(document, *, enveloped=False):
    """The parts the Open Badges 3.0 JSON Schema requires that ``document`` lacks, in plain words.
    ``enveloped``: it came as a JWT, whose signature is not a ``proof`` property."""
    missing = []
    contexts = document.get("@context")
    if not (
        isinstance(contexts, list)
        and len(contexts) >= 2
        and contexts[0] == VC_V2
        and isinstance(contexts[1], str)
        and OB3_CONTEXT.match(contexts[1])
    ):
        missing.append("its contexts: the Verifiable Credentials 2.0 context, then an Open Badges 3.0 one")
    if not _string(document.get("id")):
        missing.append("an id")
    if not _typed(document, "VerifiableCredential") or not (
        _typed(document, "OpenBadgeCredential") or _typed(document, "AchievementCredential")
    ):
        missing.append("a type list naming it an OpenBadgeCredential")
    issuer = document.get("issuer")
    if not _string(issuer) and not (
        isinstance(issuer, dict) and _string(issuer.get("id")) and _typed(issuer, "Profile")
    ):
        missing.append("an issuer with an id and the type Profile")
    if not _string(document.get("validFrom")):
        missing.append("validFrom, the date it is valid from")
    subject = document.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    if not _typed(subject, "AchievementSubject"):
        missing.append("a subject of type AchievementSubject")
    achievement = subject.get("achievement")
    if not isinstance(achievement, dict):
        missing.append("the achievement")
    else:
        parts = [p for p in ("id", "name", "description") if not _string(achievement.get(p))]
        parts += [] if isinstance(achievement.get("criteria"), dict) else ["criteria"]
        parts += [] if _typed(achievement, "Achievement") else ["the type Achievement"]
        if parts:
            missing.append("the achievement's " + ", ".join(parts))
    status = document.get("credentialStatus")
    if status is not None and not (
        isinstance(status, dict) and _string(status.get("id")) and status.get("type")
    ):
        missing.append("an id and a type for its status entry")
    proof = document.get("proof")
    if (
        not enveloped
        and proof is not None
        and not (isinstance(proof, list) and all(isinstance(p, dict) and p.get("type") for p in proof))
    ):
        missing.append("its proofs as a list, each with a type")
    return missing


def _string(value):
    return isinstance(value, str) and bool(value)


def _typed(item, name):
    types = item.get("type")
    return isinstance(types, list) and name in types


def _day(moment):
    return dateformat.format(timezone.localtime(moment), "j F Y")
