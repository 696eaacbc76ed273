"""The public verify page under attack by someone with no account: documents built to take the site
down are refused by their shape or stopped at the request's work budget, a stranger's key cannot
speak in the institution's name or borrow one of its awards, one client cannot flood the page, and
the award's URL tells shared caches that its HTML and JSON-LD differ."""

import json
import multiprocessing
import os
from traceback import extract_stack

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.urls import reverse

from badges.issuing import jsonld, keys, services, signing
from badges.verification import budget
from badges.verification.checks import Status, verify_upload
from badges.verification.names import looks_like
from tests.badges import test_verify_page
from tests.badges.test_verify_page import VERIFY, check, foreign_credential, stored, upload

issuer_key, achievement, issued = (
    test_verify_page.issuer_key,
    test_verify_page.achievement,
    test_verify_page.issued,
)

pytestmark = pytest.mark.django_db

INSTITUTION = "Binghamton University"


@pytest.fixture
def institution(settings):
    settings.INSTITUTION_NAME_OVERRIDE = INSTITUTION
    return INSTITUTION


@pytest.fixture
def json_ld_calls(monkeypatch, tmp_path):
    """The process ids in which PyLD turned a document into RDF (a file, since the work happens in
    child processes), read after the check."""
    record = tmp_path / "to_rdf-pids"
    real = jsonld.jsonld.to_rdf

    def to_rdf(*args, **kwargs):
        # The tests sign their documents first, through the issuing path: that work is not checking.
        signing_one = any(
            frame.name == "sign" and frame.filename == signing.__file__ for frame in extract_stack()
        )
        if not signing_one:
            with record.open("a") as out:
                out.write(f"{os.getpid()}\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(jsonld.jsonld, "to_rdf", to_rdf)
    return lambda: [int(pid) for pid in record.read_text().split()] if record.exists() else []


def problem_of(document):
    result = verify_upload(json.dumps(document).encode(), filename="credential.json")
    assert result.credential is None, "the upload should have been refused before any checking"
    return result.problem


def clique(size, prefix="b"):
    """Blank nodes that all know each other: RDFC-1.0 tries them in every order."""
    return [
        {
            "id": f"_:{prefix}{i}",
            "https://example.org/knows": [{"id": f"_:{prefix}{j}"} for j in range(size) if j != i],
        }
        for i in range(size)
    ]


# --- shapes no credential has, refused before any JSON-LD processing ------------------------------------


def test_a_flat_array_of_20000_strings_is_refused_unprocessed(db, json_ld_calls):
    document = foreign_credential()
    document["credentialSubject"]["achievement"]["tag"] = [f"skill {n}" for n in range(20_000)]
    problem = problem_of(document)
    assert "its “tag” list holds 20,000 entries" in problem and "at most 256 in one place" in problem
    assert json_ld_calls() == []


def test_arrays_inside_an_array_count_as_one_array(db, json_ld_calls):
    """JSON-LD expansion flattens them: 19 lists of 255 strings cost what 4,845 strings in one do."""
    document = foreign_credential()
    document["credentialSubject"]["https://example.org/n"] = [
        [f"v{i}-{j}" for i in range(255)] for j in range(19)
    ]
    assert "its “https://example.org/n” list holds 4,845 entries" in problem_of(document)
    assert json_ld_calls() == []


def test_an_array_at_the_cap_is_read(db):
    document = foreign_credential()
    document["credentialSubject"]["achievement"]["tag"] = [f"skill {n}" for n in range(budget.MAX_ENTRIES)]
    assert check(document).credential is not None


def test_many_values_in_many_small_arrays_are_refused(db, json_ld_calls):
    document = foreign_credential()
    document["credentialSubject"]["https://example.org/notes"] = [
        {"https://example.org/note": [f"note {n}"] * 200} for n in range(30)
    ]
    assert "it holds more than 5,000 values, the most this page reads" in problem_of(document)
    assert json_ld_calls() == []


def test_strings_and_numbers_count_as_values_not_only_containers(db):
    document = foreign_credential()
    document["credentialSubject"]["https://example.org/scores"] = {
        f"s{n}": list(range(200)) for n in range(26)
    }
    assert "more than 5,000 values" in problem_of(document)


def test_deep_nesting_is_refused(db):
    document = foreign_credential()
    inner = document["credentialSubject"]
    for _ in range(40):
        inner["https://example.org/part"] = {}
        inner = inner["https://example.org/part"]
    assert "nested far too deeply" in problem_of(document)


def test_twenty_two_proofs_with_a_clique_each_are_refused(db, json_ld_calls):
    document = foreign_credential()
    template = document["proof"][0]
    document["proof"] = [{**template, "https://example.org/friends": clique(6, f"p{n}b")} for n in range(22)]
    assert "It carries 22 proofs, and this page checks at most 4 on one credential" in problem_of(document)
    assert json_ld_calls() == []


def test_the_refusal_is_said_beside_the_field(client, db):
    document = foreign_credential()
    document["credentialSubject"]["achievement"]["tag"] = ["x"] * 20_000
    html = upload(client, json.dumps(document).encode()).content.decode()
    assert "20,000 entries" in html and 'data-verified="yes"' not in html and 'type="file"' in html


# --- one hard limit for all the JSON-LD work of a request -----------------------------------------------


def test_all_json_ld_work_happens_once_in_a_child_process(db, json_ld_calls, monkeypatch):
    document = foreign_credential()  # signed before the unbounded paths are closed

    def unbounded(*args, **kwargs):
        raise AssertionError("canonicalised without the limit")

    monkeypatch.setattr(signing, "verify", unbounded)
    monkeypatch.setattr(jsonld, "canonicalize", unbounded)
    monkeypatch.setattr(jsonld, "canonicalize_credential", unbounded)
    result = check(document)
    assert result.verified
    calls = json_ld_calls()
    assert len(calls) == 2  # the document and its one proof's options, each once
    assert os.getpid() not in calls


def test_work_that_does_not_end_is_stopped_at_the_budget(db, settings, monkeypatch):
    settings.VERIFY_WORK_SECONDS = 1
    real = jsonld.canonicalize_bounded
    calls = []

    def hangs_on_the_proof(document, deadline):
        calls.append(document)
        if len(calls) > 1:  # the document passes; its proof's options never finish
            while True:
                pass
        return real(document, deadline)

    monkeypatch.setattr(jsonld, "canonicalize_bounded", hangs_on_the_proof)
    result = check(foreign_credential())
    assert not result.signature_ok and not result.verified
    assert result.reasons == [
        "It is too complex to check: checking its signature would take longer than this page allows for one file."
    ]
    assert multiprocessing.active_children() == []  # the child was stopped, not left running


def test_many_cliques_within_the_caps_are_stopped_at_the_budget(db, settings):
    """Twenty cliques of six blank nodes: a few hundred values, each clique within the look-alike
    cap, together far more work (about twenty seconds here) than one upload may take."""
    settings.VERIFY_WORK_SECONDS = 1
    document = foreign_credential()
    document["credentialSubject"]["https://example.org/friends"] = [
        node for n in range(20) for node in clique(6, f"c{n}b")
    ]
    result = check(document)
    assert any("too complex to check" in reason for reason in result.reasons)
    assert multiprocessing.active_children() == []


def test_the_document_and_every_proof_share_one_deadline(db, monkeypatch, tmp_path):
    record = tmp_path / "deadlines"
    real = jsonld.canonicalize_bounded

    def recorded(document, deadline):
        with record.open("a") as out:
            out.write(f"{deadline!r}\n")
        return real(document, deadline)

    monkeypatch.setattr(jsonld, "canonicalize_bounded", recorded)
    unsigned = foreign_credential()
    unsigned.pop("proof")
    proofs = []
    for _ in range(2):
        private_key = Ed25519PrivateKey.generate()
        did = f"did:key:{keys.multikey(private_key.public_key())}"
        signed = signing.sign(
            unsigned,
            private_key=private_key,
            verification_method=f"{did}#{did[8:]}",
            created="2025-01-15T10:00:00Z",
        )
        proofs += signed["proof"]
    result = check({**unsigned, "proof": proofs})
    assert result.signature_ok  # both proofs checked
    deadlines = record.read_text().split()
    assert len(deadlines) == 3 and len(set(deadlines)) == 1  # the document and two proofs, one limit


def test_a_child_that_fails_gives_a_page_not_an_error(db, monkeypatch):
    def broken(document, deadline):
        raise KeyError("surprise")

    monkeypatch.setattr(jsonld, "canonicalize_bounded", broken)
    result = check(foreign_credential())
    assert not result.verified
    assert result.reasons == ["It could not be checked: parts of it are not what a credential holds."]


# --- a stranger's key cannot speak for the institution --------------------------------------------------


def spoof(issuer_name, issuer_id=None):
    """A credential signed with the test's own did:key whose issuer takes the given name (and id)."""
    private_key = Ed25519PrivateKey.generate()
    multibase = keys.multikey(private_key.public_key())
    did = f"did:key:{multibase}"
    issuer = {"id": issuer_id or did, "type": ["Profile"], "name": issuer_name}
    subject = {
        "type": ["AchievementSubject"],
        "name": "Mallory Attacker",
        "achievement": {
            "id": "https://example.org/achievements/data-science",
            "type": ["Achievement"],
            "name": "Data Science Micro-Credential",
            "description": "Completed the data science sequence.",
            "criteria": {"narrative": "Passed every course."},
        },
    }
    return foreign_credential(private_key, issuer=issuer, credentialSubject=subject)


@pytest.mark.parametrize(
    "name",
    [
        "Binghamton University",
        "BINGHAMTON UNIVERSITY",
        "Binghamton  University",
        "Binghamton Univ.",
        "Bingh\u0430mt\u043en University",  # a Cyrillic "а" and "о"
        "Ｂｉｎｇｈａｍｔｏｎ University",  # full-width letters
        "SUNY Binghamton",
    ],
)
def test_a_foreign_key_claiming_the_institutions_name_reads_not_issued_by_it(client, institution, name):
    html = upload(client, json.dumps(spoof(name)).encode()).content.decode()
    assert 'data-verified="no"' in html and 'data-impostor="yes"' in html
    assert "Not issued by Binghamton University: signed by an unknown key that claims its name." in html
    verdict = html[html.index('id="verdict"') :].split("</h2>")[0]
    assert "Not issued by Binghamton University" in verdict and "Verified" not in verdict
    header = html[html.index('class="card-header') : html.index('id="verdict"')]
    assert "text-bg-danger" in header and "text-bg-success" not in header  # red
    assert "✓" not in html
    assert "Binghamton University awarded" not in html and f"{name} awarded" not in html
    assert "An unknown issuer" in html and "claims to have awarded" in html


def test_a_foreign_key_claiming_the_institutions_issuer_id_reads_not_issued_by_it(institution, issuer_key):
    result = check(spoof("Totally Different Name", issuer_id="https://microcred.example.edu/badges/issuer"))
    assert result.signature_ok and result.impostor and not result.verified
    assert (
        result.reasons[0]
        == "Not issued by Binghamton University: signed by an unknown key that claims its name."
    )


def test_a_genuinely_different_issuer_is_not_called_an_impostor(client, institution):
    for name in (
        "Bingham University",
        "Cornell University",
        "Boston University",
        "Example Community College",
    ):
        result = check(spoof(name))
        assert result.verified and not result.impostor, name


def test_our_own_credential_is_not_an_impostor(institution, issued):
    result = verify_upload(stored(issued).json.encode())
    assert result.verified and result.ours and not result.impostor


def test_our_credential_changed_after_signing_is_said_to_be_changed_not_an_impostor(institution, issued):
    document = json.loads(stored(issued).json)
    document["credentialSubject"]["achievement"]["name"] = "Something grander"
    result = check(document)
    assert not result.impostor and not result.verified
    assert any("The signature does not match" in reason for reason in result.reasons)


def test_our_credentials_id_reused_in_a_foreign_credential_pulls_nothing_of_ours(client, demo, issued):
    services.revoke(award=issued, user=demo["office"], reason="Issued in error.")
    document = foreign_credential(id=f"urn:uuid:{issued.credential_uuid}")
    result = check(document)
    assert result.award is None and not result.ours
    assert result.recipient_name == "Ada Lovelace"  # what the file says, not our learner
    assert result.status == Status.NOT_CHECKED  # not our award's revocation
    html = upload(client, json.dumps(document).encode()).content.decode()
    assert "Leo Martins" not in html and issued.get_absolute_url() not in html and "revoked it" not in html


@pytest.mark.parametrize(
    ("name", "institution", "alike"),
    [
        ("Binghamton Univ.", "Binghamton University", True),
        ("binghampton university", "Binghamton University", True),
        ("B\u200binghamton University", "Binghamton University", True),  # a zero-width space
        ("Bingham University", "Binghamton University", False),
        ("FIU", "Florida International University", True),
        ("F.I.U.", "Florida International University", True),
        ("Florida State University", "Florida International University", False),
        ("International University", "Florida International University", False),
        ("", "Binghamton University", False),
    ],
)
def test_names_are_compared_as_a_reader_sees_them(name, institution, alike):
    assert looks_like(name, institution) is alike


# --- one client cannot flood the page -------------------------------------------------------------------


def test_the_eleventh_upload_in_a_minute_is_asked_to_wait(client, db, settings):
    settings.VERIFY_UPLOADS_PER_MINUTE = 10
    for _ in range(10):
        assert upload(client, b'{"hello": "world"}').status_code == 200
    page = upload(client, b'{"hello": "world"}')
    html = page.content.decode()
    assert page.status_code == 429
    assert "Please wait" in html and "up to 10 files a minute" in html and "this file was not checked" in html
    assert 1 <= int(page["Retry-After"]) <= 61
    assert 'data-verified="no"' not in html and 'type="file"' in html
    assert client.get(VERIFY).status_code == 200  # reading the page is not limited
    other = upload(client.__class__(REMOTE_ADDR="192.0.2.7"), b'{"hello": "world"}')
    assert other.status_code == 200  # another client is not limited


# --- the award's URL answers HTML and JSON-LD: caches must keep them apart --------------------------------


def vary(response):
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


def test_the_award_url_says_vary_accept_in_both_forms(client, issued):
    url = issued.get_absolute_url()
    page = client.get(url)
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    data = client.get(url, HTTP_ACCEPT="application/ld+json")
    assert data.status_code == 200 and data["Content-Type"].startswith("application/ld+json")
    credential = client.get(reverse("badges:award_json", args=[issued.public_id]))
    for response in (page, data, credential):
        assert "accept" in vary(response)
