"""JSON-LD for signing: the contexts the product signs with are files shipped in ``badges/issuing/contexts``
and never fetched from the network; RDF Dataset Canonicalization (RDFC-1.0, formerly URDNA2015) by
PyLD, Digital Bazaar's maintained JSON-LD processor, writing N-Quads with the escaping RDFC-1.0
requires (``nquads``).

Processing a context dominates canonicalisation, so PyLD's processed-context cache is kept warm
across calls (the loader returns the same parsed objects every time).
"""

import itertools
import json
import math
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
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


# --- the product's own documents: a template per document shape -----------------------------------
#
# Expanding JSON-LD dominates canonicalisation, and the product signs few shapes of document: one
# per achievement layout, evidence layout and the like. For a document in one of our shapes, its
# RDF dataset is computed once per shape, from a copy whose strings are placeholders; each document
# then substitutes its own strings for the placeholders and RDFC-1.0 runs on the result. This is
# exactly the full path's dataset because, in JSON-LD, a string in a literal position becomes that
# literal whatever it holds, and a string in an IRI position (an ``id``, a value coerced to
# ``@id``/``@vocab``) stays itself when it is an absolute IRI whose scheme no context redefines.
# Strings PyLD rewrites by content (a literal typed ``xsd:double`` or ``@json``) refuse the shape.
# Substituting can make two statements one (the issuer and the achievement's creator are the same
# Profile): the dataset keeps one, as the full path's node map does, since RDF datasets are sets.
# Everything else takes the full path: a shape or value the template cannot vouch for, a document
# not in our shape, and every document from outside (``signing.verify`` never uses templates).

PLACEHOLDER = "urn:x-canon-placeholder:"
_PLACEHOLDER_MARK = "x-canon-placeholder"  # refused anywhere in a value: nothing may look like one
_PLACEHOLDER_TERM = re.compile(r"urn:x-canon-placeholder:(\d+)")
XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"

# Our documents' contexts, exactly (credentials and their proof options; the status list).
TEMPLATE_CONTEXTS = ([VC_V2, OB_V3], [VC_V2])
# Every key the product writes (``documents``, the proof options). Another key: the full path.
# fmt: off
TEMPLATE_KEYS = frozenset((
    "@context", "id", "type", "name", "description", "issuer", "validFrom", "validUntil",
    "credentialSubject", "credentialStatus", "evidence", "identifier", "achievement",
    "identityHash", "identityType", "hashed", "salt", "criteria", "narrative", "image", "caption",
    "achievementType", "creator", "url", "version", "inLanguage", "fieldOfStudy", "tag",
    "humanCode", "related", "alignment", "targetName", "targetUrl", "targetDescription",
    "targetFramework", "targetType", "creditsAvailable", "statusPurpose", "statusListIndex",
    "statusListCredential", "encodedList", "cryptosuite", "created", "verificationMethod",
    "proofPurpose",
))
# Keys whose values are part of the shape, never substituted: types select scoped contexts, and the
# others are constants some of which JSON-LD reads as terms (``proofPurpose`` is ``@vocab``).
SHAPE_KEYS = frozenset((
    "type", "achievementType", "identityType", "statusPurpose", "targetType", "inLanguage",
    "cryptosuite", "proofPurpose",
))
TEMPLATE_TYPES = frozenset((
    "VerifiableCredential", "OpenBadgeCredential", "AchievementSubject", "Achievement", "Profile",
    "Image", "IdentityObject", "BitstringStatusListEntry", "Evidence", "Alignment", "Related",
    "DataIntegrityProof", "BitstringStatusListCredential", "BitstringStatusList",
))
# fmt: on
# IRIs a template substitutes: https and http URLs, urn:uuid and DIDs, in plain URI characters (no
# space, no character N-Quads escapes, nothing PyLD would drop as relative).
_TEMPLATE_IRI = re.compile(
    r"(?:https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#][A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]*)?"
    r"|urn:uuid:[0-9A-Fa-f-]{36}"
    r"|did:[a-z0-9]+:[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]+)"
)
TEMPLATE_CACHE_SIZE = 256  # shapes, least recently used first out


@cache
def _context_terms():
    """Every key of every shipped context (scoped ones included): a value equal to one, or whose
    scheme is one, might be read as a term or compact IRI, and takes the full path."""
    terms = set()

    def walk(node):
        if isinstance(node, dict):
            terms.update(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for url in CONTEXT_FILES:
        walk(_context(url))
    return frozenset(terms)


def template_iri(value):
    """Whether a template may substitute ``value`` in an IRI position: an absolute IRI of an allowed
    scheme that JSON-LD expands to itself (no context term is its scheme, nor the whole of it)."""
    terms = _context_terms()
    return (
        _TEMPLATE_IRI.fullmatch(value) is not None
        and value.split(":", 1)[0] not in terms
        and value not in terms
    )


class _NotTemplated(Exception):
    """The document, or its shape, is not one the template path vouches for."""


@dataclass
class TemplateStats:
    """How often each path ran (tests assert the fallback; the benchmark prints them)."""

    templated: int = 0
    built: int = 0
    fallback: int = 0
    reasons: dict = field(default_factory=dict)

    def fell_back(self, reason):
        self.fallback += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


TEMPLATE_STATS = TemplateStats()
_templates = OrderedDict()  # shape -> _Template, or None for a shape the template refuses
_templates_lock = threading.Lock()  # a threaded worker must not evict between a read and a move


def canonicalize_credential(document):
    """The canonical N-Quads (RDFC-1.0) of a document the product made: a credential, its proof
    options or the status list. Through the shape's template when it is provably the same as
    ``canonicalize(document)``; through ``canonicalize`` otherwise (``TEMPLATE_STATS`` counts both).
    Never for documents from outside: ``signing.verify`` canonicalises those in full."""
    try:
        shape, values = _shape(document)
    except _NotTemplated as refused:
        TEMPLATE_STATS.fell_back(str(refused))
        return canonicalize(document)
    with _templates_lock:
        template = _templates.get(shape, _MISSING)
        if template is not _MISSING:
            _templates.move_to_end(shape)
    if template is _MISSING:
        template = _Template.build(document, len(values))
        with _templates_lock:
            TEMPLATE_STATS.built += 1
            _templates[shape] = template
            while len(_templates) > TEMPLATE_CACHE_SIZE:
                _templates.popitem(last=False)
    if template is None:
        TEMPLATE_STATS.fell_back("a shape the template cannot vouch for")
        return canonicalize(document)
    dataset = template.dataset(values)
    if dataset is None:
        TEMPLATE_STATS.fell_back("an id that is not an absolute IRI of an allowed scheme")
        return canonicalize(document)
    TEMPLATE_STATS.templated += 1
    return URDNA2015().main(dataset, {"format": "application/n-quads"})


_MISSING = object()


def _shape(document):
    """(the document's shape, its substituted strings in document order). The shape holds every
    key, every array's length, every number and boolean, and the values of ``SHAPE_KEYS``: two
    documents of one shape differ only in the strings a template substitutes."""
    if not isinstance(document, dict) or document.get("@context") not in TEMPLATE_CONTEXTS:
        raise _NotTemplated("not our contexts")
    values = []
    return _node_shape(document, values, root=True), values


def _node_shape(node, values, root=False):
    if isinstance(node, str):
        if _PLACEHOLDER_MARK in node:
            raise _NotTemplated("a value that looks like a placeholder")
        values.append(node)
        return "s"
    if isinstance(node, dict):
        parts = []
        for key, value in node.items():
            if key not in TEMPLATE_KEYS or (key == "@context" and not root):
                raise _NotTemplated("a key not in our shape")
            if key == "@context" or key in SHAPE_KEYS:
                parts.append((key, _constant(key, value)))
            else:
                parts.append((key, _node_shape(value, values)))
        return ("{", tuple(parts))
    if isinstance(node, list):
        return ("[", tuple(_node_shape(value, values) for value in node))
    if isinstance(node, bool) or node is None or isinstance(node, int):
        return (type(node).__name__, node)  # type too: True == 1 == 1.0 as dictionary keys
    if isinstance(node, float) and math.isfinite(node):
        return ("float", node)
    raise _NotTemplated("a value JSON-LD reads specially")


def _constant(key, value):
    """A ``SHAPE_KEYS`` value (or the contexts), kept verbatim in the shape."""
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) for item in items):
        raise _NotTemplated("a value JSON-LD reads specially")
    if key == "type" and not TEMPLATE_TYPES.issuperset(items):
        raise _NotTemplated("a type not in our shape")
    return (key, tuple(items), isinstance(value, list))


def _with_placeholders(node, numbers, root=False):
    """A copy of a document with its substituted strings replaced by numbered placeholders, in the
    order ``_shape`` lists them."""
    if isinstance(node, str):
        return f"{PLACEHOLDER}{next(numbers)}"
    if isinstance(node, dict):
        return {
            key: value if key == "@context" or key in SHAPE_KEYS else _with_placeholders(value, numbers)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_with_placeholders(value, numbers) for value in node]
    return node


class _Template:
    """The RDF dataset of one document shape, each term either fixed or a numbered placeholder that
    stands for a literal's text or for an IRI. Cached terms are never handed out: each use copies."""

    def __init__(self, quads, iri_slots):
        self.quads = quads  # [(graph name, subject, predicate, object)], terms as _term_slot makes
        self.iri_slots = iri_slots  # placeholder numbers in IRI positions

    @classmethod
    def build(cls, document, count):
        """The template of ``document``'s shape, or None when its dataset does not show every
        placeholder as a whole literal text or a whole IRI (a value the shape reads specially)."""
        numbered = _with_placeholders(document, itertools.count())
        try:
            dataset = jsonld.to_rdf(numbered, {"documentLoader": load_document, "safe": True})
        except jsonld.JsonLdError:
            return None
        kinds = {}
        quads = []
        try:
            for graph, triples in dataset.items():
                name = None if graph == "@default" else _fixed_text(graph)
                for triple in triples:
                    quads.append(
                        (
                            name,
                            _term_slot(triple["subject"], kinds),
                            _fixed_term(triple["predicate"]),
                            _term_slot(triple["object"], kinds),
                        )
                    )
        except _NotTemplated:
            return None
        if set(kinds) != set(range(count)):
            return None  # a string vanished, or shows up in two kinds of place
        return cls(quads, [number for number, kind in kinds.items() if kind == "IRI"])

    def dataset(self, values):
        """The dataset with ``values`` in place of the placeholders (fresh terms, duplicate quads
        once: an RDF dataset is a set), or None when an IRI value is not one a template vouches for."""
        if not all(template_iri(values[number]) for number in self.iri_slots):
            return None
        graphs, seen = {}, set()
        for name, subject, predicate, obj in self.quads:
            subject, obj = _filled(subject, values), _filled(obj, values)
            key = (name, tuple(subject.values()), predicate["value"], tuple(obj.values()))
            if key in seen:
                continue
            seen.add(key)
            graphs.setdefault(name or "@default", []).append(
                {"subject": subject, "predicate": dict(predicate), "object": obj}
            )
        return graphs


def _fixed_text(text):
    if _PLACEHOLDER_MARK in text:
        raise _NotTemplated("a placeholder inside another term")
    return text


def _fixed_term(term):
    for text in term.values():
        _fixed_text(text)
    return dict(term)


def _term_slot(term, kinds):
    """A term of the template: (placeholder number, the term) when the term is a whole placeholder
    (a literal's text or an IRI), else (None, the term). Refuses a placeholder anywhere else, and
    literals whose value PyLD rewrites by content (doubles, JSON)."""
    match = _PLACEHOLDER_TERM.fullmatch(term["value"])
    if match is None or term["type"] == "blank node":
        return None, _fixed_term(term)
    kind = term["type"]
    if kind == "literal":
        if term.get("datatype") in (XSD_DOUBLE, RDF_JSON):
            raise _NotTemplated("a literal read by its content")
        _fixed_text(term.get("language") or "")
        _fixed_text(term.get("datatype") or "")
    number = int(match.group(1))
    if kinds.setdefault(number, kind) != kind:
        raise _NotTemplated("a placeholder in two kinds of place")
    return number, dict(term)


def _filled(slot, values):
    number, term = slot
    copy = dict(term)
    if number is not None:
        copy["value"] = values[number]
    return copy


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
