"""Canonical N-Quads, as RDF Dataset Canonicalization (RDFC-1.0) writes them.

RDFC-1.0 hashes each blank node's quads and the final document as canonical N-Quads, in which a
literal escapes ``"``, ``\\``, and every control character: ``\\b \\t \\n \\f \\r`` by name, the rest
of U+0000–U+001F and U+007F as ``\\u00XX`` (upper-case hex); an IRI escapes the characters N-Quads
does not allow in one (controls, space, ``<>"{}|^`\\``) as ``\\u00XX``. PyLD 3.3 escapes only
``\\ \\t \\n \\r "`` and writes the others raw, so a narrative pasted with a form feed or a vertical
tab gave a hash no other verifier computes. ``install()`` makes PyLD's canonicaliser use this
serialiser for every quad it hashes and writes; the escaping is the one Digital Bazaar's
``rdf-canonize`` applies, which the independent verifier in ``tests/verifier`` runs.

Reading N-Quads back splits on ``\\n`` alone: ``str.splitlines`` also breaks on U+2028, U+0085 and
other characters a literal holds unescaped.
"""

import re

RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

_NAMED = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_LITERAL = re.compile('[\x00-\x1f\x7f"\\\\]')
_IRI = re.compile('[\x00-\x20<>"{}|^`\\\\]')


def _uchar(match):
    return f"\\u{ord(match.group()):04X}"


def escape_literal(value):
    if not _LITERAL.search(value):
        return value
    return _LITERAL.sub(lambda match: _NAMED.get(match.group()) or _uchar(match), value)


def escape_iri(value):
    return _IRI.sub(_uchar, value) if _IRI.search(value) else value


def _term(term):
    return f"<{escape_iri(term['value'])}>" if term["type"] == "IRI" else term["value"]


def serialize_quad(quad, graph_name=None):
    """One quad (PyLD's dict form) as a canonical N-Quads line, ending in a newline."""
    obj = quad["object"]
    if obj["type"] == "literal":
        text = f'"{escape_literal(obj["value"])}"'
        if obj["datatype"] == RDF_LANGSTRING:
            text += f"@{obj['language']}" if obj.get("language") else ""
        elif obj["datatype"] != XSD_STRING:
            text += f"^^<{escape_iri(obj['datatype'])}>"
    else:
        text = _term(obj)
    line = f"{_term(quad['subject'])} {_term(quad['predicate'])} {text}"
    graph = quad.get("name", {"value": graph_name})["value"]
    if graph is not None:
        line += f" {graph}" if graph.startswith("_:") else f" <{escape_iri(graph)}>"
    return line + " .\n"


def lines(nquads):
    """The statements of an N-Quads document, split on line feeds only."""
    return [line + "\n" for line in nquads.split("\n") if line]


def install():
    """Make PyLD's RDFC-1.0 implementation serialise (and so hash) quads canonically. PyLD's
    ``canon`` module calls the ``serialize_nquad`` it imported by name, for the first-degree hashes
    and for the output alike; replacing that one name changes nothing else in PyLD."""
    from pyld import canon

    canon.serialize_nquad = serialize_quad


# What PyLD 3.3 wrote differently from RDFC-1.0: controls and DEL raw in a literal (it escaped only
# \t \n \r), and any character in an IRI raw. A credential holding neither was signed the same way.
_RAW_BEFORE_THE_FIX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S*\Z")
_IRI_ESCAPED_NOW = re.compile('[<>"{}|^`\\\\]')


def written_differently_before_the_fix(document):
    """Whether any string in a JSON document (a credential) would have been written differently in
    its canonical N-Quads before this module's escaping: a control character or DEL anywhere, or a
    character an IRI escapes in a string that can be an absolute IRI."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and (
            _RAW_BEFORE_THE_FIX.search(value)
            or (_ABSOLUTE_IRI.match(value) and _IRI_ESCAPED_NOW.search(value))
        ):
            return True
    return False
