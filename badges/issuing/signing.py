"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C VC Data Integrity EdDSA).

Signing: canonicalize the proof options and the unsigned document (RDFC-1.0), hash each with
SHA-256, sign proof-options-hash + document-hash with Ed25519, and attach the proof with its value
as multibase base58btc. Verifying does the same and checks the signature against the public key.
"""

import hashlib
import json
import time
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidSignature

from .jsonld import canonicalize, canonicalize_credential
from .keys import base58btc, base58btc_decode

CRYPTOSUITE = "eddsa-rdfc-2022"


@dataclass
class Timings:
    """Seconds spent in each step, summed over calls (for the benchmark)."""

    canonicalize: float = 0.0
    sign: float = 0.0
    calls: int = 0


TIMINGS = Timings()


@lru_cache(maxsize=256)
def _options_hash(options_json):
    """The proof options' hash. Credentials issued in the same second by the same key share their
    options, so a batch canonicalises them once."""
    return hashlib.sha256(canonicalize(json.loads(options_json)).encode()).digest()


def _hash_data(document, proof_options):
    started = time.perf_counter()
    options = {**proof_options, "@context": document["@context"]}
    options_hash = _options_hash(json.dumps(options, sort_keys=True))
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    document_hash = hashlib.sha256(canonicalize_credential(unsigned).encode()).digest()
    TIMINGS.canonicalize += time.perf_counter() - started
    return options_hash + document_hash


def sign(document, *, private_key, verification_method, created):
    """Return a copy of ``document`` with a ``DataIntegrityProof`` in its ``proof`` array."""
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    data = _hash_data(document, options)
    started = time.perf_counter()
    signature = private_key.sign(data)
    TIMINGS.sign += time.perf_counter() - started
    TIMINGS.calls += 1
    return {**document, "proof": [{**options, "proofValue": "z" + base58btc(signature)}]}


def verify(document, public_key_for):
    """Whether every proof of ``document`` verifies. ``public_key_for(verification_method)`` returns
    the Ed25519 public key of a verification method, or None when it is unknown."""
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
            public_key.verify(base58btc_decode(value[1:]), _hash_data(document, options))
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
