"""JSON-LD for signing: the contexts the product signs with are files shipped in ``badges/issuing/contexts``
and never fetched from the network; RDF Dataset Canonicalization (RDFC-1.0, formerly URDNA2015) by
PyLD, Digital Bazaar's maintained JSON-LD processor, writing N-Quads with the escaping RDFC-1.0
requires (``nquads``).

Processing a context dominates canonicalisation, so PyLD's processed-context cache is kept warm
across calls (the loader returns the same parsed objects every time).
"""

import json
import time
from functools import cache
from pathlib import Path

from pyld import jsonld
from pyld.canon import URDNA2015

from . import nquads

nquads.install()  # canonical N-Quads escaping in every hash PyLD's RDFC-1.0 takes

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"

# URL -> file shipped with the project.
CONTEXT_FILES = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-v3p0-context-3.0.3.json",
    MULTIKEY_V1: "multikey-v1.jsonld",
}


class ContextNotShipped(Exception):
    """A document asked for a context the product does not ship: signing refuses the network."""


@cache
def _context(url):
    return json.loads((CONTEXTS_DIR / CONTEXT_FILES[url]).read_text())


def load_document(url, options=None):
    """PyLD document loader: shipped contexts only. ``tag: static`` lets PyLD keep the processed
    context in its shared cache: these contexts never change while the process runs."""
    if url not in CONTEXT_FILES:
        raise ContextNotShipped(f"{url} is not a context shipped with the product; it is never fetched.")
    return {"contextUrl": None, "documentUrl": url, "document": _context(url), "tag": "static"}


# RDF Dataset Canonicalization (RDFC-1.0, which PyLD names URDNA2015) to N-Quads, shipped contexts only.
NORMALIZE = {
    "algorithm": "URDNA2015",
    "format": "application/n-quads",
    "documentLoader": load_document,
    "safe": True,
}


def canonicalize(document):
    """The document's canonical N-Quads (RDFC-1.0)."""
    return jsonld.normalize(
        document,
        NORMALIZE,
    )


CREDENTIAL_SUBJECT = "https://www.w3.org/2018/credentials#credentialSubject"
ACHIEVEMENT = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement"
_expanded_achievements = {}


def _expand(document):
    return jsonld.expand(document, {"documentLoader": load_document, "safe": True})


def canonicalize_credential(document):
    """The canonical N-Quads of an Open Badges credential, reusing the expansion of its achievement.

    Expanding JSON-LD dominates canonicalisation, and within one achievement every credential embeds
    the same ``Achievement``: it is expanded once (in the same place, under the same contexts) and
    spliced into each credential's expanded form, which is then canonicalised. The result is the
    same as ``canonicalize(document)``; a test holds both to it.
    """
    subject = document.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    if not isinstance(achievement, dict) or "id" not in achievement or not _spliceable(document, subject):
        return canonicalize(document)
    key = json.dumps([document["@context"], achievement], sort_keys=True)
    node = _expanded_achievements.get(key)
    if node is None:
        alone = {"@context": document["@context"], "type": ["AchievementSubject"], "achievement": achievement}
        node = _expand(alone)[0][ACHIEVEMENT][0]
        if len(_expanded_achievements) > 1000:
            _expanded_achievements.clear()
        _expanded_achievements[key] = node
    stub = {**document, "credentialSubject": {**subject, "achievement": {"id": achievement["id"]}}}
    expanded = _expand(stub)
    subjects = expanded[0][CREDENTIAL_SUBJECT]
    if len(subjects) != 1 or len(subjects[0].get(ACHIEVEMENT, [])) != 1:
        return canonicalize(document)
    subjects[0][ACHIEVEMENT] = [node]
    return _Expanded().normalize(
        expanded,
        NORMALIZE,
    )


def _spliceable(document, subject):
    """Whether the achievement expands alone exactly as it does in place: only in our own shape (our
    contexts, a plain ``AchievementSubject`` with no context of its own). Another issuer's credential
    may scope terms differently (a context on its subject, say), and then takes the plain path."""
    return (
        document.get("@context") == [VC_V2, OB_V3]
        and subject.get("type") in (["AchievementSubject"], "AchievementSubject")
        and "@context" not in subject
    )


class _Expanded(jsonld.JsonLdProcessor):
    """Canonicalises a document that is already in expanded form, without expanding it again."""

    def expand(self, input_, options):
        return input_


# --- documents from strangers ----------------------------------------------------------------------


class TooComplex(Exception):
    """Canonicalising the document would take too long. RDFC-1.0 is exponential on some shapes of
    blank nodes ("poison graphs"), and its specification asks implementations to bound the work."""


MAX_LOOKALIKE_NODES = 6  # blank nodes one step tries in every order: at most 6! = 720 orders


class _Bounded(URDNA2015):
    """RDFC-1.0 that gives up past a deadline or on a group of too many look-alike blank nodes."""

    def __init__(self, deadline):
        super().__init__()
        self.deadline = deadline

    def hash_n_degree_quads(self, id_, issuer):
        if time.monotonic() > self.deadline:
            raise TooComplex("canonicalisation ran out of time")
        return super().hash_n_degree_quads(id_, issuer)

    def create_hash_to_related(self, id_, issuer):
        related = super().create_hash_to_related(id_, issuer)
        if any(len(nodes) > MAX_LOOKALIKE_NODES for nodes in related.values()):
            raise TooComplex("too many look-alike blank nodes")
        return related


def canonicalize_bounded(document, deadline):
    """The canonical N-Quads (RDFC-1.0) of a document from a stranger, giving up at ``deadline``
    (``time.monotonic()``) or on a poison graph. Raises ``TooComplex``, or PyLD's ``JsonLdError``
    (with ``ContextNotShipped`` among its causes for a context we do not ship). Expansion and
    ``to_rdf`` are not bounded here: the verify page runs this in a child process it stops at the
    same deadline (``badges.verification.budget``)."""
    options = {"documentLoader": load_document, "safe": True, "produceGeneralizedRdf": False}
    dataset = jsonld.to_rdf(document, options)
    return _Bounded(deadline).main(dataset, {"format": "application/n-quads"})
