"""Signing canonicalises the product's own documents through a per-shape template: it must give the
very bytes of full canonicalisation (``jsonld.canonicalize``) for every shape the product makes and
whatever people type, and hand anything it cannot vouch for to the full path."""

import itertools
import json
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badges.issuing import documents, jsonld, signing
from badges.issuing.jsonld import OB_V3, PLACEHOLDER, VC_V2, canonicalize, canonicalize_credential
from proposals.choices import Form, Kind

BASE = "https://badges.example.edu"
STATUS_LIST = f"{BASE}/status/revocation"


def competency(n):
    return SimpleNamespace(
        name=f"Competency {n}",
        url=f"https://www.naceweb.org/competency-{n}",
        definition=f"What competency {n} means.",
        framework=SimpleNamespace(slug="nace" if n % 2 else "local", name="Local skills"),
    )


def proposal(*, certificate=False, code="MC-1", competencies=0, credits=None):
    return SimpleNamespace(
        evidence_submission="A portfolio.",
        evidence_criteria="Scored against the rubric.",
        reflective_experience="",
        title="Data Storytelling",
        summary="Telling stories with data.",
        purpose="",
        form=Form.MICRO_CERTIFICATE if certificate else Form.DIGITAL_BADGE,
        unit=SimpleNamespace(name="School of Computing"),
        get_level_display=lambda: "Graduate",
        get_kind_display=lambda: "Credit-bearing" if credits else "Non-credit",
        code=code,
        competencies=SimpleNamespace(all=lambda: [competency(n) for n in range(competencies)]),
        kind=Kind.CREDIT_BEARING if credits else Kind.NON_CREDIT,
        total_credits=credits,
    )


def achievement(*, related=0, **options):
    made = proposal(**options)
    data = documents.achievement_document(
        proposal=made,
        achievement_uuid=uuid.UUID(int=7),
        version=2,
        image_url=f"{BASE}/achievements/7/image.png",
        related=[SimpleNamespace(url=f"{BASE}/achievements/{n}", version=1) for n in range(related)],
    )
    return data


def credential(
    data,
    *,
    narrative="",
    evidence_url="",
    components=0,
    valid_until=True,
    index=5,
    email="learner@example.edu",
    credential_uuid=None,
):
    award = SimpleNamespace(
        learner=SimpleNamespace(email=email),
        credential_uuid=credential_uuid or uuid.uuid4(),
        status_index=index,
        evidence_public=True,
        narrative=narrative,
        evidence_url=evidence_url,
    )
    parts = [
        SimpleNamespace(public_url=f"{BASE}/awards/{n}", achievement=SimpleNamespace(name=f"Component {n}"))
        for n in range(components)
    ]
    return documents.credential_document(
        award=award,
        achievement_data=data,
        issued_at=datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC),
        valid_until=datetime(2027, 3, 4, tzinfo=UTC) if valid_until else None,
        status_list_url=STATUS_LIST,
        components=parts,
    )


def templated(document):
    """The template path's canonical form, asserting that the template (not the fallback) made it."""
    before = jsonld.TEMPLATE_STATS.templated
    text = canonicalize_credential(document)
    assert jsonld.TEMPLATE_STATS.templated == before + 1, jsonld.TEMPLATE_STATS.reasons
    return text


def fell_back(document):
    """The canonical form through ``canonicalize_credential``, asserting that the full path made it."""
    before = jsonld.TEMPLATE_STATS.fallback
    try:
        return canonicalize_credential(document)
    finally:
        assert jsonld.TEMPLATE_STATS.fallback == before + 1


ACHIEVEMENTS = {
    "badge": {},
    "badge without a code": {"code": ""},
    "badge with alignment": {"competencies": 3},
    "badge with whole credits": {"credits": 3},
    "badge with fractional credits": {"credits": 1.5},
    "certificate with components": {"certificate": True, "related": 2, "competencies": 1, "credits": 12},
    "certificate without a code": {"certificate": True, "related": 3, "code": ""},
}
EVIDENCE = {
    "no evidence": {},
    "a narrative": {"narrative": "Presented the capstone to the panel."},
    "a URL": {"evidence_url": "https://portfolio.example.org/work/42?view=full#top"},
    "a narrative and a URL": {"narrative": "See the portfolio.", "evidence_url": "http://example.org/p"},
    "component evidence": {"components": 2},
    "a narrative and component evidence": {"narrative": "Holds every component.", "components": 3},
}
CORPUS = [
    pytest.param(
        shape, proof, valid_until, id=f"{shape[0]}, {proof[0]}, {'expiring' if valid_until else 'no expiry'}"
    )
    for shape, proof, valid_until in itertools.product(ACHIEVEMENTS.items(), EVIDENCE.items(), (True, False))
]


@pytest.mark.parametrize(("shape", "evidence", "valid_until"), CORPUS)
def test_every_shape_the_product_makes_canonicalises_to_the_plain_bytes(shape, evidence, valid_until):
    document = credential(achievement(**shape[1]), valid_until=valid_until, **evidence[1])
    assert templated(document) == canonicalize(document)
    # A second credential of the same shape reuses the template with its own values.
    other = credential(
        achievement(**shape[1]), valid_until=valid_until, index=77, email="other@example.edu", **evidence[1]
    )
    assert templated(other) == canonicalize(other) != canonicalize(document)


def test_the_status_list_and_the_proof_options_canonicalise_to_the_plain_bytes():
    status_list = documents.status_list_document(
        url=STATUS_LIST,
        revoked_indices={3, 99},
        valid_from=datetime(2026, 1, 2, tzinfo=UTC),
        issuer=documents.issuer_id(),
    )
    assert templated(status_list) == canonicalize(status_list)
    for created, method in (
        ("2026-01-02T03:04:05Z", f"{BASE}/issuer#key-1"),
        ("2027-01-01T00:00:00Z", "did:web:badges.example.edu#key-2"),
    ):
        options = {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": created,
            "verificationMethod": method,
            "proofPurpose": "assertionMethod",
            "@context": [VC_V2, OB_V3],
        }
        assert templated(options) == canonicalize(options)
        assert created in canonicalize(options) and method in canonicalize(options)


def test_values_that_make_two_statements_equal_give_one_statement():
    """An RDF dataset is a set: the same evidence twice, or a tag twice, is one statement."""
    document = credential(
        achievement(), narrative="Same.", evidence_url="https://example.org/same", components=1
    )
    document["evidence"].append(dict(document["evidence"][0]))
    document["credentialSubject"]["achievement"]["tag"] = ["Graduate", "Graduate"]
    plain = canonicalize(document)
    assert templated(document) == plain
    assert (
        plain.count("<https://example.org/same> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#narrative>")
        == 1
    )


def test_a_cached_template_is_never_changed_by_a_use():
    first = credential(achievement(), narrative="First.", components=2)
    second = credential(achievement(), narrative="Second.", components=2)
    expected = canonicalize(first), canonicalize(second)
    for _ in range(3):
        assert (templated(first), templated(second)) == expected


def test_the_cache_keeps_a_bounded_number_of_shapes():
    for n in range(jsonld.TEMPLATE_CACHE_SIZE + 20):
        document = credential(achievement())
        document["credentialSubject"]["achievement"]["tag"] = [f"tag {i}" for i in range(n + 1)]
        canonicalize_credential(document)
    assert len(jsonld._templates) == jsonld.TEMPLATE_CACHE_SIZE


# --- whatever people type ---------------------------------------------------------------------------

TRICKY = st.sampled_from(
    [
        "\x0b\x0c\x7f\x00\x1f",
        "line\u2028separator\u2029paragraph\x85",
        '"quoted" \\back\\slash\\',
        "_:b0",
        "_:c14n0 <https://example.org/> .",
        "https://example.org/an/iri/in/text",
        "ex:compact",
        "@id",
        "urn:uuid:00000000-0000-4000-8000-000000000000",
        "\ufeffBOM and \u200f RTL \u0645\u0631\u062d\u0628\u0627 e\u0301 \U0001f393",
        "",
        " ",
    ]
)
TEXT = st.one_of(
    TRICKY, st.text(max_size=40), st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=20)
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=TEXT, narrative=TEXT, description=TEXT, unit=TEXT, tag=TEXT)
def test_generated_text_in_every_field_canonicalises_to_the_plain_bytes(
    name, narrative, description, unit, tag
):
    data = achievement(competencies=1, related=1, certificate=True)
    data["name"], data["description"], data["tag"] = name, description, [tag, "Graduate"]
    data["fieldOfStudy"] = data["image"]["caption"] = unit
    data["alignment"][0]["targetDescription"] = narrative
    document = credential(data, narrative=narrative, components=1)
    assert templated(document) == canonicalize(document)


@settings(max_examples=40, deadline=None)
@given(
    evidence_url=st.one_of(
        st.sampled_from(
            [
                "https://example.org/e",
                "http://example.org:8080/a?b=c#d",
                "evidence/1",
                "ex:foo",
                "_:x",
                "mailto:a@b.c",
            ]
        ),
        st.text(max_size=30),
    )
)
def test_generated_evidence_ids_canonicalise_to_the_plain_bytes_or_fail_alike(evidence_url):
    document = credential(achievement(), narrative="n", evidence_url=evidence_url)
    assert _outcome(canonicalize_credential, document) == _outcome(canonicalize, document)


def _outcome(canonical, document):
    try:
        return canonical(document)
    except jsonld.jsonld.JsonLdError as error:
        return type(error)


# --- what the template refuses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "evidence_url",
    ["evidence/1", "ex:foo", "_:x", "urn:isbn:0451450523", "https://exa mple.org/", f"{PLACEHOLDER}0"],
    ids=["relative", "compact", "blank node", "another urn", "a space", "placeholder-like"],
)
def test_an_id_the_template_cannot_vouch_for_takes_the_full_path(evidence_url):
    document = credential(achievement(), narrative="Work.", evidence_url=evidence_url)
    assert _outcome(lambda d: fell_back(d), document) == _outcome(canonicalize, document)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(name=f"{PLACEHOLDER}3"),
        lambda d: d["credentialSubject"]["achievement"].update(description="x-canon-placeholder"),
        lambda d: d.update(id="urn:uuid:not-a-uuid"),
        lambda d: d.update(issuer={**d["issuer"], "id": "did:example"}),
        lambda d: d.update({"@context": [VC_V2, OB_V3, "https://w3id.org/security/multikey/v1"]}),
        lambda d: d["credentialSubject"].update({"@context": {"rating": "https://example.org/rating"}}),
        lambda d: d["credentialSubject"]["achievement"].update(rating="5"),
        lambda d: d["credentialSubject"]["achievement"].update(name={"@value": "Name", "@language": "fr"}),
        lambda d: d.update(type=["VerifiableCredential", "OpenBadgeCredential", "EndorsementCredential"]),
        lambda d: d["credentialSubject"]["achievement"].update(creditsAvailable=float("inf")),
    ],
    ids=[
        "a placeholder as a value",
        "placeholder-like text",
        "an urn:uuid that is not a UUID",
        "a DID with no method-specific id",
        "another context",
        "a context of its own",
        "a key not in our shape",
        "a value object with a language",
        "a type not in our shape",
        "a number JSON has not",
    ],
)
def test_anything_not_in_our_shape_takes_the_full_path(change):
    document = credential(achievement(), narrative="Work.", evidence_url="https://example.org/e")
    change(document)
    assert _outcome(lambda d: fell_back(d), document) == _outcome(canonicalize, document)


def test_a_value_jsonld_reads_by_its_content_makes_the_shape_refuse_a_template(monkeypatch):
    """A key whose string JSON-LD does not take as it is (here ``@json``) shows up as no whole
    placeholder: the shape gets no template and every document of it takes the full path."""
    monkeypatch.setattr(jsonld, "TEMPLATE_KEYS", jsonld.TEMPLATE_KEYS | {"jsonSchema"})
    document = credential(achievement())
    document["jsonSchema"] = "a string read as JSON"
    assert fell_back(document) == canonicalize(document)
    assert fell_back(document) == canonicalize(document)  # the refusal is cached, the answer is not


# --- signatures -------------------------------------------------------------------------------------

FIXED_KEY = bytes(range(32))
FIXED_METHOD = "https://badges.example.edu/issuer#key-fixed"
FIXED_CREATED = "2026-02-03T04:05:06Z"
# Checked once with the independent verifier (tests/verifier, Digital Bazaar's eddsa-rdfc-2022).
FIXED_PROOF_VALUE = "zAW6F8vFLJJrb21sPriihTpZ3PECCMNHJ9E17BRTNruy5tDtPtd5tBAmCJuFtHPWwyqo8SCTUyU2HBvKxRzHe9m8"


# A credential in the product's shape, written out (so that a change of ``documents`` or of the
# settings does not move the known proof value), with text that needs RDFC-1.0's escaping.
FIXED_DOCUMENT = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "urn:uuid:5a1e0f7c-1d2b-4c3d-8e4f-000000000042",
    "type": [
        "VerifiableCredential",
        "OpenBadgeCredential",
    ],
    "name": "Data Storytelling",
    "issuer": {
        "id": "https://badges.example.edu/issuer",
        "type": [
            "Profile",
        ],
        "name": "Binghamton University",
        "url": "https://badges.example.edu",
    },
    "validFrom": "2026-03-04T05:06:07Z",
    "credentialSubject": {
        "type": [
            "AchievementSubject",
        ],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": "sha256$abababababababababababababababababababababababababababababababab",
                "identityType": "emailAddress",
                "hashed": True,
                "salt": "0011223344556677",
            },
        ],
        "achievement": {
            "id": "https://badges.example.edu/achievements/7",
            "type": [
                "Achievement",
            ],
            "name": "Data Storytelling",
            "description": "Telling stories with data.",
            "criteria": {
                "narrative": "A portfolio.\n\nScored against the rubric.",
            },
            "image": {
                "id": "https://badges.example.edu/achievements/7/image.png",
                "type": "Image",
                "caption": "Data Storytelling",
            },
            "achievementType": "Badge",
            "creator": {
                "id": "https://badges.example.edu/issuer",
                "type": [
                    "Profile",
                ],
                "name": "Binghamton University",
                "url": "https://badges.example.edu",
            },
            "version": "2",
            "inLanguage": "en",
            "fieldOfStudy": "School of Computing",
            "tag": [
                "Graduate",
                "Credit-bearing",
            ],
            "humanCode": "MC-1",
            "alignment": [
                {
                    "type": [
                        "Alignment",
                    ],
                    "targetName": "Competency 0",
                    "targetUrl": "https://www.naceweb.org/competency-0",
                    "targetDescription": "What competency 0 means.",
                    "targetFramework": "Local skills",
                    "targetType": "ceasn:Competency",
                },
            ],
            "creditsAvailable": 1.5,
        },
    },
    "credentialStatus": {
        "id": "https://badges.example.edu/status/revocation#5",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "5",
        "statusListCredential": "https://badges.example.edu/status/revocation",
    },
    "validUntil": "2027-03-04T00:00:00Z",
    "evidence": [
        {
            "type": [
                "Evidence",
            ],
            "id": "https://portfolio.example.org/42",
            "narrative": 'Tab\there, form feed\f, vertical tab\u000b, DEL\u007f, line separator\u2028, "quoted" \\.',
        },
    ],
}


def fixed_document():
    return json.loads(json.dumps(FIXED_DOCUMENT))


def test_a_fixed_document_signed_with_a_fixed_key_gives_a_known_proof_value(monkeypatch):
    """The same proof value through the template and through full canonicalisation."""
    private = Ed25519PrivateKey.from_private_bytes(FIXED_KEY)

    def proof_value():
        signed = signing.sign(
            fixed_document(), private_key=private, verification_method=FIXED_METHOD, created=FIXED_CREATED
        )
        assert signing.verify(signed, {FIXED_METHOD: private.public_key()}.get)
        return signed["proof"][0]["proofValue"]

    assert templated(fixed_document()) == canonicalize(fixed_document())
    assert proof_value() == FIXED_PROOF_VALUE
    monkeypatch.setattr(signing, "canonicalize_own", canonicalize)
    assert proof_value() == FIXED_PROOF_VALUE


def test_changing_the_proof_options_after_signing_breaks_the_signature():
    """The proof options (when, which key) are signed too: changing them is caught here, in Python."""
    private = Ed25519PrivateKey.from_private_bytes(FIXED_KEY)
    other_method = "https://badges.example.edu/issuer#key-same-material"
    public = {FIXED_METHOD: private.public_key(), other_method: private.public_key()}.get
    signed = signing.sign(
        fixed_document(),
        private_key=private,
        verification_method=FIXED_METHOD,
        created=FIXED_CREATED,
    )
    assert signing.verify(signed, public)
    for change in ({"created": "2026-02-03T04:05:07Z"}, {"verificationMethod": other_method}):
        changed = {**signed, "proof": [{**signed["proof"][0], **change}]}
        assert not signing.verify(changed, public), change


def test_verifying_never_uses_a_template():
    """Documents from outside are canonicalised in full (the verify page bounds that work first)."""
    private = Ed25519PrivateKey.from_private_bytes(FIXED_KEY)
    signed = signing.sign(
        fixed_document(),
        private_key=private,
        verification_method=FIXED_METHOD,
        created=FIXED_CREATED,
    )
    before = jsonld.TEMPLATE_STATS.templated, jsonld.TEMPLATE_STATS.fallback
    assert signing.verify(signed, {FIXED_METHOD: private.public_key()}.get)
    assert (jsonld.TEMPLATE_STATS.templated, jsonld.TEMPLATE_STATS.fallback) == before
