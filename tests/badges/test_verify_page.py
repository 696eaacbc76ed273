"""The public "verify a credential" page: anyone uploads a credential or a baked badge image and is
told whether it verifies, who issued it to whom, its status and why it fails; other issuers'
did:key credentials verify too, nothing is fetched from the network, and junk gets a message."""

import json
import socket
import zlib
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from badges.issuing import images, keys, signing
from badges.issuing.jsonld import OB_V3, VC_V2, canonicalize, canonicalize_credential
from badges.models import Award, Credential, IssuerKey
from badges.verification.checks import Status, verify_upload
from tests.badges import test_issuing

# The awards tests' fixtures (an issuer key, a published achievement, an issued award), shared.
issuer_key, achievement, issued = test_issuing.issuer_key, test_issuing.achievement, test_issuing.issued

pytestmark = pytest.mark.django_db

VERIFY = reverse("badges:verify")


def upload(client, content, name="credential.json", content_type="application/json"):
    return client.post(VERIFY, {"credential": SimpleUploadedFile(name, content, content_type=content_type)})


def stored(award):
    return Credential.objects.get(award=award)


def foreign_credential(private_key=None, verification_method=None, **changes):
    """An Open Badges credential of another issuer, signed with a did:key as such issuers do."""
    private_key = private_key or Ed25519PrivateKey.generate()
    multibase = keys.multikey(private_key.public_key())
    did = f"did:key:{multibase}"
    document = {
        "@context": [VC_V2, OB_V3],
        "id": "urn:uuid:6f1c1a62-4f0e-4d5b-9a43-2b7d1c0e9a11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Open Source Contributor",
        "issuer": {"id": did, "type": ["Profile"], "name": "Example Community College"},
        "validFrom": "2025-01-15T10:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": "Ada Lovelace",
            "achievement": {
                "id": "https://example.edu/achievements/open-source",
                "type": ["Achievement"],
                "name": "Open Source Contributor",
                "description": "Contributed reviewed changes to an open-source project.",
                "criteria": {"narrative": "Three merged pull requests."},
            },
        },
        "credentialStatus": {
            "id": "https://example.edu/status/1#7",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "7",
            "statusListCredential": "https://example.edu/status/1",
        },
        **changes,
    }
    return signing.sign(
        document,
        private_key=private_key,
        verification_method=verification_method or f"{did}#{multibase}",
        created="2025-01-15T10:00:00Z",
    )


def check(document):
    return verify_upload(json.dumps(document).encode(), filename="credential.json")


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails, and is recorded."""
    attempts = []

    def refuse(sock, address, *args):
        attempts.append(address)
        raise OSError("the network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


# --- our own credentials ------------------------------------------------------------------------------


def test_anyone_sees_the_upload_form_without_logging_in(client, db):
    page = client.get(VERIFY)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'type="file"' in html and 'accept=".json,.jsonld,.jwt,.png,.svg"' in html
    assert "csrfmiddlewaretoken" in html
    assert f'href="{VERIFY}"' in client.get(reverse("badges:catalog")).content.decode()  # the footer


def test_our_credential_verifies_as_json_png_and_svg(client, demo, issued):
    credential = stored(issued)
    files = [
        (credential.json.encode(), "credential.json", "application/json"),
        (bytes(credential.png), "badge.png", "image/png"),
        (credential.svg.encode(), "badge.svg", "image/svg+xml"),
    ]
    for content, name, content_type in files:
        page = upload(client, content, name, content_type)
        html = page.content.decode()
        assert page.status_code == 200
        assert 'data-verified="yes"' in html and 'data-status="valid"' in html, name
        assert "✓" in html and "Verified" in html
        assert "Leo Martins" in html and demo["learner"].email not in html
        assert issued.achievement.name in html
        assert issued.get_absolute_url() in html  # the link to its public page


def test_the_result_says_who_what_and_when(demo, issued):
    result = verify_upload(stored(issued).json.encode(), filename="credential.json")
    assert result.verified and result.ours and result.status == Status.VALID
    assert result.issuer_id == "https://microcred.example.edu/badges/issuer"
    assert result.issuer_name and result.recipient_name == "Leo Martins"
    assert result.achievement_name == issued.achievement.name
    assert result.issued_on.date() == issued.issued_at.date() and result.award == issued


def test_a_changed_credential_does_not_verify(client, issued):
    document = json.loads(stored(issued).json)
    document["credentialSubject"]["achievement"]["name"] = "Something grander"
    page = upload(client, json.dumps(document).encode())
    html = page.content.decode()
    assert 'data-verified="no"' in html and "The signature does not match" in html
    assert "Something grander" in html and "its signature does not confirm them" in html
    assert issued.get_absolute_url() not in html  # nothing of ours is vouched for


def test_a_revoked_award_is_reported_as_revoked(demo, issued):
    from badges.issuing import services

    services.revoke(award=issued, user=demo["office"], reason="Issued in error.")
    result = verify_upload(stored(issued).json.encode())
    assert result.signature_ok and not result.verified
    assert result.status == Status.REVOKED
    assert any("revoked it" in reason and "Issued in error." in reason for reason in result.reasons)


def test_a_credential_replaced_by_a_reissue_is_superseded(issued, issuer_key):
    old = stored(issued)
    newer = Credential.objects.create(
        award=issued, status_index=old.status_index + 1000, json="{}", png=b"", svg="", key=issuer_key
    )
    Award.objects.filter(pk=issued.pk).update(credential=newer)
    result = verify_upload(old.json.encode())
    assert result.status == Status.SUPERSEDED and not result.verified
    assert any("superseded" in reason for reason in result.reasons)


def test_a_credential_signed_with_a_compromised_key_is_not_trustworthy(issued, issuer_key):
    IssuerKey.objects.filter(pk=issuer_key.pk).update(revoked_at=timezone.now(), revoked_reason="Leaked.")
    result = verify_upload(stored(issued).json.encode())
    assert result.signature_ok and not result.verified
    assert any("compromised" in reason and "not trustworthy" in reason for reason in result.reasons)
    # Our records do not vouch for it: only what the file itself says (the name it carries) is shown.
    assert result.award is None and result.recipient_name == issued.learner.get_full_name()


# --- other issuers ------------------------------------------------------------------------------------


def test_another_issuers_did_key_credential_verifies_without_a_status_check(client, db, no_network):
    page = upload(client, json.dumps(foreign_credential()).encode())
    html = page.content.decode()
    assert 'data-verified="yes"' in html and 'data-status="not_checked"' in html
    assert "Example Community College" in html and "Ada Lovelace" in html
    assert "do not fetch other issuers" in html
    assert no_network == []


def test_an_expired_did_key_credential_does_not_verify(db):
    result = check(foreign_credential(validUntil="2025-06-30T12:00:00Z"))
    assert result.signature_ok and result.status == Status.EXPIRED and not result.verified
    assert result.reasons == ["It expired on 30 June 2025."]


def test_a_did_key_cannot_speak_for_another_issuer(db, issuer_key):
    claims_to_be_us = foreign_credential(
        issuer={"id": "https://microcred.example.edu/badges/issuer", "type": ["Profile"], "name": "Us"}
    )
    result = check(claims_to_be_us)
    assert result.signature_ok and not result.verified
    assert any("not of the issuer it names" in reason for reason in result.reasons)


def test_an_issuer_with_a_key_on_the_web_is_not_known_and_nothing_is_fetched(client, db, no_network):
    document = foreign_credential(verification_method="https://issuer.example.org/keys/1")
    html = upload(client, json.dumps(document).encode()).content.decode()
    assert 'data-verified="no"' in html and "Issuer not known" in html
    assert no_network == []


def test_a_context_we_do_not_hold_is_named_not_fetched(db, no_network):
    document = foreign_credential()
    document["@context"] = [*document["@context"], "https://example.org/extension/v1.jsonld"]
    result = check(document)
    assert not result.verified
    assert any(
        "context this verifier does not hold" in r and "example.org/extension" in r for r in result.reasons
    )
    nested = foreign_credential()
    nested["credentialSubject"]["@context"] = "https://example.org/nested/v1.jsonld"
    result = check(nested)
    assert any(
        "context this verifier does not hold" in r and "example.org/nested" in r for r in result.reasons
    )
    assert no_network == []


def test_a_foreign_credential_with_its_own_subject_context_canonicalizes_in_full():
    """The template path takes only our own shape; other shapes are canonicalised in full."""
    document = foreign_credential()
    document.pop("proof")
    document["credentialSubject"]["@context"] = {"rating": "https://example.org/rating"}
    document["credentialSubject"]["achievement"]["rating"] = "5"
    assert canonicalize_credential(document) == canonicalize(document)
    assert "<https://example.org/rating>" in canonicalize(document)


def test_a_poison_graph_is_refused_quickly(db):
    clique = [
        {"id": f"_:b{i}", "https://example.org/knows": [{"id": f"_:b{j}"} for j in range(9) if j != i]}
        for i in range(9)
    ]
    document = foreign_credential()
    document["credentialSubject"]["https://example.org/friends"] = clique
    result = check(document)
    assert any("too complex" in reason for reason in result.reasons)


# --- junk and limits ------------------------------------------------------------------------------------


def _png_with_chunk(body):
    png = images.render_png(name="Junk", institution="Nobody", achievement_type="Badge")
    end = png.rindex(b"IEND") - 4
    return png[:end] + images._chunk(b"iTXt", body) + png[end:]


JUNK = {
    "random bytes": (bytes(range(256)) * 8, "x.bin", "neither a credential"),
    "png without a credential": (
        images.render_png(name="Plain", institution="Nobody", achievement_type="Badge"),
        "badge.png",
        "carries no Open Badges credential",
    ),
    "truncated png": (images.PNG_SIGNATURE + b"\x00\x00\x10\x00iTXt", "badge.png", "carries no Open Badges"),
    "png inflating to gigabytes": (
        _png_with_chunk(images.KEYWORD + b"\0\x01\x00\0\0" + zlib.compress(b"\0" * 5_000_000, 9)),
        "bomb.png",
        "larger than",
    ),
    "invalid utf-8": (b'{"name": "\xc3\x28"}', "c.json", "neither a credential"),
    "deeply nested json": (b"[" * 100_000 + b"]" * 100_000, "deep.json", "nested far too deeply"),
    "nested objects": (b'{"a":' * 60 + b"1" + b"}" * 60, "deep.json", "nested far too deeply"),
    "a json array": (b"[1, 2, 3]", "list.json", "the JSON is a list, not an object"),
    "a huge number": (b"1" * 5000, "n.json", "a number JSON cannot carry"),
    "not json": (b"hello, world", "hello.json", "not valid JSON"),
    "svg without a credential": (
        b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        "b.svg",
        "carries no Open Badges",
    ),
    "svg with an entity bomb": (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>',
        "bomb.svg",
        "carries no Open Badges",
    ),
    "a damaged vc-jwt": (b"eyJhbGciOiJFZERTQSJ9.eyJpc3M.c2ln", "c.jwt", "JSON Web Token, but it carries no"),
    "an empty file": (b"", "empty.json", "The file is empty."),
}


@pytest.mark.parametrize("case", JUNK)
def test_junk_gets_a_clear_message_not_an_error(client, db, case):
    content, name, message = JUNK[case]
    page = upload(client, content, name, "application/octet-stream")
    html = page.content.decode()
    assert page.status_code == 200
    assert message in html and 'data-verified="yes"' not in html
    assert 'type="file"' in html  # the form, to try another file


def test_json_that_is_not_a_credential_says_so(client, db):
    html = upload(client, b'{"hello": "world"}').content.decode()
    assert 'data-verified="no"' in html and "not a Verifiable Credential" in html


def test_an_unsigned_or_foreign_suite_credential_says_why(db):
    unsigned = foreign_credential()
    unsigned.pop("proof")
    assert any("carries no proof" in r for r in check(unsigned).reasons)
    other_suite = foreign_credential()
    other_suite["proof"][0]["cryptosuite"] = "ecdsa-rdfc-2019"
    assert any("ecdsa-rdfc-2019" in r and "does not support" in r for r in check(other_suite).reasons)


def test_an_oversize_upload_is_refused_and_read_no_further_than_the_limit(client, db, settings, monkeypatch):
    from badges.verification import views as verify_views

    settings.VERIFY_UPLOAD_MAX_BYTES = 1024
    seen = []
    real = verify_views.verify_upload
    monkeypatch.setattr(
        verify_views, "verify_upload", lambda data, **kw: seen.append(len(data)) or real(data, **kw)
    )
    html = upload(client, b"{" + b" " * 50_000 + b"}").content.decode()
    assert "larger than 1.0" in html and "the most this page reads" in html
    assert seen == [1025]


def test_the_form_is_protected_against_cross_site_posts(db):
    guarded = Client(enforce_csrf_checks=True)
    assert upload(guarded, b"{}").status_code == 403
    guarded.get(VERIFY)
    token = guarded.cookies["csrftoken"].value
    page = guarded.post(
        VERIFY,
        {"credential": SimpleUploadedFile("c.json", b"{}"), "csrfmiddlewaretoken": token},
    )
    assert page.status_code == 200


def test_dates_in_the_future_are_not_yet_valid(db):
    soon = (timezone.now() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = check(foreign_credential(validFrom=soon))
    assert result.status == Status.NOT_YET_VALID and not result.verified
