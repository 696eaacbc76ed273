"""The canonical form that every signature is taken over: N-Quads escaped as RDF Dataset
Canonicalization (RDFC-1.0) requires, so that whatever a person types, another verifier computes the
same hash."""

import json

import pytest
from django.core.management import call_command

from badges.issuing import nquads, services
from badges.issuing.jsonld import OB_V3, VC_V2, canonicalize
from badges.models import Award
from tests.badges import test_issuing
from tests.badges.test_issuing import independent_verifier

pytestmark = pytest.mark.django_db

achievement, issuer_key = test_issuing.achievement, test_issuing.issuer_key

# What RDFC-1.0 asks for each character a person may paste (the rdf-canonize escaping).
ESCAPES = {
    "\x00": "\\u0000",
    "\x01": "\\u0001",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\x0b": "\\u000B",
    "\f": "\\f",
    "\r": "\\r",
    "\x1f": "\\u001F",
    '"': '\\"',
    "\\": "\\\\",
    "\x7f": "\\u007F",
    "\u2028": "\u2028",
    "\u0085": "\u0085",
    "é": "é",
}


@pytest.mark.parametrize(("typed", "written"), ESCAPES.items())
def test_each_character_of_a_name_is_written_as_rdfc_requires(typed, written):
    document = {"@context": [VC_V2, OB_V3], "id": "urn:uuid:1", "type": ["Achievement"], "name": f"a{typed}b"}

    assert f'<https://schema.org/name> "a{written}b" .\n' in canonicalize(document)


def test_characters_an_iri_cannot_hold_are_escaped():
    document = {"@context": [VC_V2, OB_V3], "id": "https://example.org/a{b}|c^d", "type": ["Achievement"]}

    assert canonicalize(document).startswith("<https://example.org/a\\u007Bb\\u007D\\u007Cc\\u005Ed> ")


def test_reading_canonical_nquads_splits_on_line_feeds_only():
    text = '<urn:a> <urn:p> "one\u2028two\u0085three" .\n<urn:a> <urn:q> "x" .\n'

    assert nquads.lines(text) == ['<urn:a> <urn:p> "one\u2028two\u0085three" .\n', '<urn:a> <urn:q> "x" .\n']


PASTED = "Reflection\x0bfrom a word processor\x0c page two\x7f, \b and \u2028 a line separator \x01."


def test_a_narrative_pasted_with_control_characters_verifies_independently(
    demo,
    achievement,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        award = services.award(
            learner=demo["learner"],
            achievement=achievement,
            awarded_by=demo["evaluator"],
            narrative=PASTED,
            evidence_public=True,
        )
    signed = json.loads(Award.objects.get(pk=award.pk).credential.json)
    assert signed["evidence"][0]["narrative"] == PASTED
    call_command("export_credentials", str(tmp_path / "export"))
    files = sorted((tmp_path / "export").glob("*.json"))

    verdicts = independent_verifier(tmp_path / "export", files)

    assert [v["verified"] for v in verdicts.values()] == [True] * len(files), verdicts


def test_our_verify_page_accepts_the_same_credential(demo, achievement, django_capture_on_commit_callbacks):
    from badges.verification.checks import verify_upload

    with django_capture_on_commit_callbacks(execute=True):
        award = services.award(
            learner=demo["learner"],
            achievement=achievement,
            awarded_by=demo["evaluator"],
            narrative=PASTED,
            evidence_public=True,
        )

    result = verify_upload(Award.objects.get(pk=award.pk).credential.json.encode())

    assert result.verified, result.reasons
