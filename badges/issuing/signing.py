"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C VC Data Integrity EdDSA).

Signing: canonicalize the proof options and the unsigned document (RDFC-1.0), hash each with
SHA-256, sign proof-options-hash + document-hash with Ed25519, and attach the proof with its value
as multibase base58btc. Verifying does the same and checks the signature against the public key.
"""

import hashlib
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature

from . import jsonld
from .jsonld import canonicalize
from .keys import base58btc, base58btc_decode

CRYPTOSUITE = "eddsa-rdfc-2022"


@dataclass
class Timings:
    """Seconds spent in each step, summed over calls (for the benchmark)."""

    canonicalize: float = 0.0
    sign: float = 0.0
    calls: int = 0


TIMINGS = Timings()


def _hash_data(document, proof_options, canonical):
    """Proof-options hash + document hash, each over the canonical form ``canonical`` gives. The
    options are canonicalised every time, never taken from a cache: they carry ``created`` and the
    key, and the signature must cover exactly these."""
    started = time.perf_counter()
    options = {**proof_options, "@context": document["@context"]}
    options_hash = hashlib.sha256(canonical(options).encode()).digest()
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    document_hash = hashlib.sha256(canonical(unsigned).encode()).digest()
    TIMINGS.canonicalize += time.perf_counter() - started
    return options_hash + document_hash


def canonicalize_own(document):
    """How ``sign`` canonicalises the product's own documents: through a per-shape template where it
    is provably the full canonical form (``jsonld.canonicalize_credential``). A module attribute, so
    that the benchmark can put the plain path beside it."""
    return jsonld.canonicalize_credential(document)


def sign(document, *, private_key, verification_method, created):
    """Return a copy of ``document`` with a ``DataIntegrityProof`` in its ``proof`` array. Meant
    for the product's own documents (it canonicalises through a template where one applies)."""
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    data = _hash_data(document, options, canonicalize_own)
    started = time.perf_counter()
    signature = private_key.sign(data)
    TIMINGS.sign += time.perf_counter() - started
    TIMINGS.calls += 1
    return {**document, "proof": [{**options, "proofValue": "z" + base58btc(signature)}]}


def verify(document, public_key_for):
    """Whether every proof of ``document`` verifies. ``public_key_for(verification_method)`` returns
    the Ed25519 public key of a verification method, or None when it is unknown. Canonicalises in
    full, never through a template: the document may come from anyone (the verify page bounds the
    work with ``jsonld.canonicalize_bounded``, then calls ``proof_matches``)."""
    proofs = document.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs] if proofs else []
    if not proofs:
        return False
    for proof in proofs:
        if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
            return False
        public_key = public_key_for(proof.get("verificationMethod"))
        value = proof.get("proofValue", "")
        if public_key is None or not value.startswith("z"):
            return False
        options = {k: v for k, v in proof.items() if k != "proofValue"}
        try:
            public_key.verify(base58btc_decode(value[1:]), _hash_data(document, options, canonicalize))
        except (InvalidSignature, ValueError):
            return False
    return True


def proof_matches(public_key, proof_value, *, canonical_options, canonical_document):
    """Whether ``proof_value`` is the signature of the proof options and the unsigned document,
    given already in canonical form (so that a verifier canonicalises each once, under its own
    limits)."""
    if not isinstance(proof_value, str) or not proof_value.startswith("z"):
        return False
    data = (
        hashlib.sha256(canonical_options.encode()).digest()
        + hashlib.sha256(canonical_document.encode()).digest()
    )
    try:
        public_key.verify(base58btc_decode(proof_value[1:]), data)
    except (InvalidSignature, ValueError):
        return False
    return True
