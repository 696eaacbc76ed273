"""One budget for all the work the verify page does on a document a stranger uploads.

PyLD's cost is not linear in the size of a document: its node map compares each value of an array
with every earlier one, and RDFC-1.0 is exponential on some shapes of blank nodes. So the budget has
two layers:

- **Shape caps**, checked on the parsed JSON before any JSON-LD processing (``check_shape``): values
  per array or object, values in all, proofs, depth. Each refusal is a sentence for the person
  uploading.
- **One hard time limit** for everything JSON-LD does after that (expansion, ``to_rdf`` and the
  canonicalisation of the document and of every proof's options, each done once):
  ``check_signatures`` runs it in a forked child process and kills the child when the limit is
  reached. Expansion runs before canonicalisation can look at a clock, so a limit inside the web
  process could not stop it.

The child never uses the database: the caller looks the keys up first and they reach the child as
raw public key bytes; the child answers with a small ``Outcome``.
"""

import functools
import math
import multiprocessing
import os
import resource
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from pyld.jsonld import JsonLdError

from ..issuing import jsonld, signing

MAX_DEPTH = 32  # our credentials nest about 8 deep
# Values in one array or object. PyLD compares each value of an array with every earlier one: 256
# values cost about 20 ms, 1,000 about 0.3 s, 4,000 about 4 s. A credential's longest arrays
# (alignments, results, evidence, the fields of an achievement) hold a few dozen.
MAX_ENTRIES = 256
# Every string, number, true/false/null, object and array counts. Ours hold about 90; 5,000 values
# in arrays at the cap expand in about half a second.
MAX_VALUES = 5000
MAX_PROOFS = 4  # a credential carries one proof, rarely two
MEMORY_HEADROOM = 512 * 1024 * 1024  # what the child may allocate beyond what it inherits


class OverBudget(Exception):
    """The document has a shape no credential has; the message says so to the person uploading."""


def check_shape(value):
    """Refuse, with ``OverBudget``, a parsed JSON document that no credential resembles, before any
    JSON-LD processing spends time on it. Linear in the size of the document."""
    proofs = value.get("proof") if isinstance(value, dict) else None
    if isinstance(proofs, list) and len(proofs) > MAX_PROOFS:
        raise OverBudget(
            f"It carries {len(proofs)} proofs, and this page checks at most {MAX_PROOFS} on one "
            "credential (a credential usually carries one)."
        )
    stack, values = [(value, 1, "")], 0
    while stack:
        item, depth, name = stack.pop()
        values += 1
        if values > MAX_VALUES:
            raise OverBudget(
                f"This is not a credential: it holds more than {MAX_VALUES:,} values, the most this page "
                "reads (a credential holds a few hundred)."
            )
        if not isinstance(item, dict | list):
            continue
        if depth >= MAX_DEPTH:
            raise OverBudget("This is not a credential: its JSON is nested far too deeply.")
        if isinstance(item, dict):
            children = [(child, key) for key, child in item.items()]
        else:
            children = [(child, name) for child in _flattened(item, MAX_DEPTH - depth)]
        if len(children) > MAX_ENTRIES:
            raise OverBudget(_too_many_entries(item, name, len(children)))
        stack.extend((child, depth + 1, key) for child, key in children)


def _flattened(items, room):
    """A list's entries as JSON-LD expansion sees them: lists inside it are flattened into it, so
    that 20 lists of 250 cost what one list of 5,000 does."""
    flat, stack = [], [iter(items)]
    while stack:
        for entry in stack[-1]:
            if isinstance(entry, list):
                if len(stack) >= room:
                    raise OverBudget("This is not a credential: its JSON is nested far too deeply.")
                stack.append(iter(entry))
                break
            flat.append(entry)
        else:
            stack.pop()
    return flat


def _too_many_entries(item, name, count):
    what = "list" if isinstance(item, list) else "object"
    where = f"its “{name[:60]}” {what}" if name else f"its top-level {what}"
    return (
        f"This is not a credential: {where} holds {count:,} entries, and this page reads at most "
        f"{MAX_ENTRIES} in one place (a credential's longest lists hold a few dozen)."
    )


# --- the signature check, under one time limit ---------------------------------------------------------

MATCHES = "matches"
NO_MATCH = "no match"
TOO_COMPLEX = "too complex"
NOT_JSON_LD = "not JSON-LD"
MISSING_CONTEXT = "missing context"
FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    """What the signature check found: one of the verdicts above; ``detail`` is the context we do
    not ship (``MISSING_CONTEXT``) or what went wrong (``FAILED``)."""

    verdict: str
    detail: str = ""


def check_signatures(document, public_keys, *, seconds=None):
    """Whether every proof of ``document`` verifies, canonicalising the document and each proof's
    options once, all within ``seconds`` (``VERIFY_WORK_SECONDS``) in a child process that is
    killed at the limit. ``public_keys`` maps each proof's verification method to its
    ``Ed25519PublicKey``. Returns an ``Outcome``."""
    seconds = settings.VERIFY_WORK_SECONDS if seconds is None else seconds
    _process_shipped_contexts()
    proofs = [
        (
            {k: v for k, v in proof.items() if k != "proofValue"},
            proof.get("proofValue"),
            public_keys[proof["verificationMethod"]].public_bytes_raw(),
        )
        for proof in _as_list(document.get("proof"))
    ]
    return run_limited(_canonicalize_and_verify, (document, proofs), seconds=seconds)


# A credential in the shape Open Badges issuers use, with the types whose scoped contexts they use.
SAMPLE = {
    "@context": [jsonld.VC_V2, jsonld.OB_V3],
    "id": "urn:uuid:00000000-0000-4000-8000-000000000000",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://issuer.example/", "type": ["Profile"], "name": "Sample"},
    "validFrom": "2025-01-01T00:00:00Z",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://issuer.example/achievement",
            "type": ["Achievement"],
            "name": "Sample",
            "criteria": {"narrative": "Sample"},
        },
    },
    "credentialStatus": {"id": "https://issuer.example/status#1", "type": "BitstringStatusListEntry"},
}
SAMPLE_PROOF = {
    "@context": [jsonld.VC_V2, jsonld.OB_V3],
    "type": "DataIntegrityProof",
    "cryptosuite": signing.CRYPTOSUITE,
    "created": "2025-01-01T00:00:00Z",
    "verificationMethod": "https://issuer.example/key",
    "proofPurpose": "assertionMethod",
}


@functools.cache
def _process_shipped_contexts():
    """Process the shipped contexts once in this (web) process, by canonicalising a sample of our
    own: each child inherits them processed. What a child processes is lost when it ends, and
    processing the contexts is most of the work of checking a credential."""
    jsonld.canonicalize(SAMPLE)
    jsonld.canonicalize(SAMPLE_PROOF)


def _canonicalize_and_verify(document, proofs, deadline):
    """In the child: canonicalise once, under the deadline, and check each proof against that."""
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    try:
        canonical_document = jsonld.canonicalize_bounded(unsigned, deadline)
        for options, value, raw_key in proofs:
            canonical_options = jsonld.canonicalize_bounded(
                {**options, "@context": document["@context"]}, deadline
            )
            if not signing.proof_matches(
                Ed25519PublicKey.from_public_bytes(raw_key),
                value,
                canonical_options=canonical_options,
                canonical_document=canonical_document,
            ):
                return Outcome(NO_MATCH)
    except jsonld.TooComplex:
        return Outcome(TOO_COMPLEX)
    except (JsonLdError, RecursionError) as error:
        missing = _missing_context(error)
        return Outcome(MISSING_CONTEXT, missing) if missing else Outcome(NOT_JSON_LD)
    return Outcome(MATCHES)


def _missing_context(error):
    """The URL of a context we do not ship, when that is why JSON-LD processing failed."""
    urls, shipped = [], False
    while error is not None:
        shipped = shipped or isinstance(error, jsonld.ContextNotShipped)
        details = getattr(error, "details", None)
        if isinstance(details, dict) and isinstance(details.get("url"), str):
            urls.append(details["url"])
        error = error.__cause__ or error.__context__
    return (urls[0] if urls else "one it names") if shipped else None


def run_limited(function, args, *, seconds):
    """``function(*args, deadline)`` in a forked child process, which is killed once ``seconds``
    have passed; the child's answer (an ``Outcome``), or ``Outcome(TOO_COMPLEX)`` when it ran out
    of time, CPU or memory. A fork starts in milliseconds and inherits the warm caches (the
    processed contexts), and nothing the child does can outlast the limit."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    deadline = time.monotonic() + seconds  # the monotonic clock is the same in parent and child
    child = context.Process(target=_child, args=(sending, function, (*args, deadline), seconds), daemon=True)
    child.start()
    sending.close()
    try:
        if receiving.poll(max(0.0, deadline - time.monotonic())):
            return receiving.recv()
        return Outcome(TOO_COMPLEX)
    except EOFError:  # it died without answering: over its CPU or memory limit
        return Outcome(TOO_COMPLEX)
    finally:
        receiving.close()
        child.kill()  # nothing happens if it has already finished
        child.join()


def _child(sending, function, args, seconds):
    _limit_resources(seconds)
    try:
        outcome = function(*args)
    except Exception as error:  # reported to the parent, which logs it
        outcome = Outcome(FAILED, repr(error)[:500])
    sending.send(outcome)
    sending.close()


def _limit_resources(seconds):
    """Belt and braces for the parent's kill: the child may use a little more CPU time than the
    wall-clock limit, and only ``MEMORY_HEADROOM`` beyond the address space it inherits."""
    cpu = math.ceil(seconds) + 1
    _lower(resource.RLIMIT_CPU, cpu)
    try:
        with open("/proc/self/statm") as statm:
            inherited = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return  # not Linux: the wall-clock limit alone holds
    _lower(resource.RLIMIT_AS, inherited + MEMORY_HEADROOM)


def _lower(kind, value):
    """Set a resource limit to ``value`` unless it is already lower (raising it is not ours to do)."""
    soft, hard = resource.getrlimit(kind)
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    if soft == resource.RLIM_INFINITY or value < soft:
        resource.setrlimit(kind, (value, hard))


def _as_list(value):
    return value if isinstance(value, list) else [] if value is None else [value]
