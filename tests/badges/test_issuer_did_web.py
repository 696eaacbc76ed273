"""The issuer as a did:web DID (``ISSUER_IDENTIFIER=did:web``): the DID document at the path the
method prescribes lists every key with its status, credentials name the DID and verify on our verify
page and with an independent verifier, through rotations, revocations and changes of mode both ways;
the https controller document keeps being served; ``manage.py check`` wants an https base URL."""

import json

import pytest
from django.core import checks
from django.urls import reverse

from badges.issuing import documents, services, signing
from badges.models import Credential, StatusList
from badges.verification.checks import Status, verify_upload
from tests.badges import test_issuing
from tests.badges.test_issuing import independent_verifier
from tests.badges.test_key_rotation import award_another, export
from tests.badges.test_verify_page import no_network, upload
from tests.project.test_settings import PRODUCTION_ENV, manage

# The awards tests' fixtures: a signing key, a published achievement, an award issued with that key;
# the verify page's: the network refuses every connection.
issuer_key, achievement, issued = test_issuing.issuer_key, test_issuing.achievement, test_issuing.issued
no_network = no_network

pytestmark = pytest.mark.django_db

DID = "did:web:microcred.example.edu"
DID_DOCUMENT = "/.well-known/did.json"


@pytest.fixture
def did_web(settings):
    """did:web mode, set before any key, achievement or award of the test is made."""
    settings.ISSUER_IDENTIFIER = "did:web"


def credential_of(award):
    return json.loads(Credential.objects.get(award=award).json)


def did_document(client):
    return json.loads(client.get(DID_DOCUMENT).content)


def our_verdict(award):
    return verify_upload(Credential.objects.get(award=award).json.encode(), filename="credential.json")


# --- the DID and where its document is --------------------------------------------------------------


@pytest.mark.parametrize(
    ("base_url", "did", "path"),
    [
        ("https://microcred.example.edu", "did:web:microcred.example.edu", "/.well-known/did.json"),
        (
            "https://microcred.example.edu:8443",
            "did:web:microcred.example.edu%3A8443",
            "/.well-known/did.json",
        ),
        (
            "https://www.example.edu/micro/credentials",
            "did:web:www.example.edu:micro:credentials",
            "/did.json",
        ),
        ("https://Example.EDU:8443/micro/", "did:web:example.edu%3A8443:micro", "/did.json"),
    ],
)
def test_the_did_and_its_document_follow_the_base_url(client, settings, issuer_key, base_url, did, path):
    settings.PUBLIC_BASE_URL, settings.ISSUER_IDENTIFIER = base_url.rstrip("/"), "did:web"
    other = "/did.json" if path == DID_DOCUMENT else DID_DOCUMENT

    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/did+json")
    assert json.loads(response.content)["id"] == did == documents.issuer_id()
    assert client.get(other).status_code == 404  # one place per site, the one the method prescribes


def test_the_did_document_lists_every_key_as_the_controller_document_does(client, did_web, issuer_key):
    second, _retired = services.rotate_issuer_key()

    document = did_document(client)

    assert document["@context"][0] == "https://www.w3.org/ns/did/v1"
    assert document["id"] == DID
    assert document["alsoKnownAs"] == ["https://microcred.example.edu/badges/issuer"]
    assert [m["id"] for m in document["verificationMethod"]] == [
        f"{DID}#{issuer_key.name}",
        f"{DID}#{second.name}",
    ]
    for method, key in zip(document["verificationMethod"], (issuer_key, second), strict=True):
        assert method["type"] == "Multikey" and method["controller"] == DID
        assert method["publicKeyMultibase"] == key.public_key_multibase and "revoked" not in method
    assert document["assertionMethod"] == [issuer_key.did_url, second.did_url]  # a retired key still asserts


def test_the_https_controller_document_keeps_its_own_ids_in_did_web_mode(client, did_web, issuer_key):
    document = json.loads(client.get(reverse("badges:issuer")).content)
    assert document["id"] == "https://microcred.example.edu/badges/issuer"
    assert document["alsoKnownAs"] == [DID]
    assert document["assertionMethod"] == [issuer_key.url]
    method = json.loads(client.get(reverse("badges:key", args=[issuer_key.name])).content)
    assert method["id"] == issuer_key.url and method["controller"] == document["id"]


# --- credentials issued in did:web mode --------------------------------------------------------------


def test_a_credential_issued_in_did_web_mode_names_the_did_everywhere(client, did_web, issued, issuer_key):
    credential = credential_of(issued)

    assert credential["issuer"]["id"] == DID
    assert credential["credentialSubject"]["achievement"]["creator"]["id"] == DID
    assert credential["proof"][0]["verificationMethod"] == f"{DID}#{issuer_key.name}"
    status_url = credential["credentialStatus"]["statusListCredential"]
    assert status_url == "https://microcred.example.edu/badges/status/revocation/did"
    status_list = json.loads(client.get(reverse("badges:status_list_did", args=["revocation"])).content)
    assert status_list["id"] == status_url and status_list["issuer"] == DID
    assert status_list["proof"][0]["verificationMethod"] == issuer_key.did_url
    for document in (credential, status_list):
        assert signing.verify(document, services.public_key_for)


def test_our_verify_page_recognises_a_did_web_credential_without_fetching_it(
    client, did_web, demo, issued, no_network
):
    result = our_verdict(issued)
    assert result.verified and result.ours and result.status == Status.VALID
    assert result.issuer_id == DID and result.award == issued
    page = upload(client, Credential.objects.get(award=issued).json.encode())
    assert 'data-verified="yes"' in page.content.decode()
    assert no_network == []


def test_the_independent_verifier_accepts_did_web_credentials_and_sees_a_revocation(
    did_web, demo, issued, tmp_path, django_capture_on_commit_callbacks
):
    revoked = award_another(demo, django_capture_on_commit_callbacks)
    services.revoke(award=revoked, user=demo["office"], reason="Issued in error.")
    folder, files = export(tmp_path, [issued, revoked])

    verdicts = independent_verifier(folder, files)

    assert (
        json.loads((folder / "public" / "map.json").read_text())[DID] == "did_web_microcred.example.edu.json"
    )
    assert verdicts[files[0].name]["verified"] is True and verdicts[files[0].name]["revoked"] is False, (
        verdicts
    )
    assert verdicts[files[1].name]["revoked"] is True, verdicts
    assert our_verdict(revoked).status == Status.REVOKED


# --- rotation and revocation of keys in did:web mode -------------------------------------------------


def test_rotation_in_did_web_mode_publishes_the_new_key_and_both_verify(
    client, did_web, demo, issued, issuer_key, tmp_path, django_capture_on_commit_callbacks
):
    new_key, _retired = services.rotate_issuer_key()
    after = award_another(demo, django_capture_on_commit_callbacks)

    assert credential_of(after)["proof"][0]["verificationMethod"] == new_key.did_url
    assert did_document(client)["assertionMethod"] == [issuer_key.did_url, new_key.did_url]
    status_list = json.loads(StatusList.objects.get(purpose="revocation").did_credential_json)
    assert status_list["proof"][0]["verificationMethod"] == new_key.did_url
    folder, files = export(tmp_path, [issued, after])
    verdicts = independent_verifier(folder, files)
    for award, file in zip((issued, after), files, strict=True):
        assert verdicts[file.name]["verified"] is True, verdicts
        assert our_verdict(award).verified


def test_a_compromised_key_leaves_the_did_documents_assertion_methods_with_its_date(
    client, did_web, demo, issued, issuer_key, tmp_path, django_capture_on_commit_callbacks
):
    services.revoke_issuer_key(name=issuer_key.name, reason="Leaked.", rotate=True)
    current = services.signing_key()
    after = award_another(demo, django_capture_on_commit_callbacks)

    document = did_document(client)
    assert document["assertionMethod"] == [current.did_url]
    methods = {m["id"]: m for m in document["verificationMethod"]}
    issuer_key.refresh_from_db()
    assert methods[issuer_key.did_url]["revoked"] == documents.iso(issuer_key.revoked_at)
    assert "revoked" not in methods[current.did_url]
    folder, files = export(tmp_path, [issued, after])
    verdicts = independent_verifier(folder, files)
    assert (
        verdicts[files[0].name]["verified"] is False and "not authorized" in verdicts[files[0].name]["error"]
    )
    assert verdicts[files[1].name]["verified"] is True, verdicts
    assert any("compromised" in reason for reason in our_verdict(issued).reasons)


# --- changing the mode -------------------------------------------------------------------------------


@pytest.mark.parametrize("before, after", [("https", "did:web"), ("did:web", "https")])
def test_credentials_issued_in_one_mode_keep_verifying_in_the_other(
    client, settings, demo, issuer_key, tmp_path, django_capture_on_commit_callbacks, before, after
):
    settings.ISSUER_IDENTIFIER = before
    old = award_another(demo, django_capture_on_commit_callbacks, title="Before", code="MC-B")
    gone = award_another(demo, django_capture_on_commit_callbacks, title="Revoked later", code="MC-R")
    settings.ISSUER_IDENTIFIER = after
    new = award_another(demo, django_capture_on_commit_callbacks, title="After", code="MC-A")
    services.revoke(award=gone, user=demo["office"], reason="Issued in error.")  # re-signs both lists

    ids = {award: credential_of(award)["issuer"]["id"] for award in (old, new)}
    https_id = "https://microcred.example.edu/badges/issuer"
    assert ids == {
        old: DID if before == "did:web" else https_id,
        new: DID if after == "did:web" else https_id,
    }
    assert (
        client.get(DID_DOCUMENT).status_code == 200
        and client.get(reverse("badges:issuer")).status_code == 200
    )
    for award in (old, new):
        assert our_verdict(award).verified, our_verdict(award).reasons
    assert our_verdict(gone).status == Status.REVOKED
    folder, files = export(tmp_path, [old, new, gone])
    verdicts = independent_verifier(folder, files)
    for file in files[:2]:
        assert verdicts[file.name]["verified"] is True and verdicts[file.name]["revoked"] is False, verdicts
    assert verdicts[files[2].name]["revoked"] is True, verdicts


def test_a_site_switching_to_did_web_publishes_the_did_status_list_before_it_is_named(
    client, settings, demo, issuer_key, django_capture_on_commit_callbacks
):
    # A site that issued before the list was also published under the DID (as after the upgrade).
    StatusList.objects.filter(purpose="revocation").update(did_credential_json="")
    assert client.get(reverse("badges:status_list_did", args=["revocation"])).status_code == 404
    settings.ISSUER_IDENTIFIER = "did:web"

    award_another(demo, django_capture_on_commit_callbacks)

    response = client.get(reverse("badges:status_list_did", args=["revocation"]))
    assert response.status_code == 200 and json.loads(response.content)["issuer"] == DID


# --- manage.py check ---------------------------------------------------------------------------------


def _ours(messages):
    return [(m.id, type(m).__name__) for m in messages if m.id.startswith("badges.")]


def test_check_warns_of_did_web_without_https_in_debug_and_refuses_it_for_deployment(settings):
    settings.ISSUER_IDENTIFIER, settings.PUBLIC_BASE_URL, settings.DEBUG = (
        "did:web",
        "http://127.0.0.1:8000",
        True,
    )

    assert _ours(checks.run_checks()) == [("badges.W001", "Warning")]
    deployed = [m for m in checks.run_checks(include_deployment_checks=True) if m.id == "badges.E001"]
    assert len(deployed) == 1 and deployed[0].level == checks.ERROR
    assert "https://127.0.0.1:8000/.well-known/did.json" in deployed[0].msg

    settings.PUBLIC_BASE_URL = "https://microcred.example.edu"
    assert _ours(checks.run_checks(include_deployment_checks=True)) == []
    settings.ISSUER_IDENTIFIER, settings.PUBLIC_BASE_URL = "https", "http://127.0.0.1:8000"
    assert _ours(checks.run_checks(include_deployment_checks=True)) == []


def test_check_deploy_fails_for_did_web_on_http_and_passes_on_https():
    refused = manage(
        "check",
        "--deploy",
        **{
            **PRODUCTION_ENV,
            "ISSUER_IDENTIFIER": "did:web",
            "PUBLIC_BASE_URL": "http://microcred.example.edu",
        },
    )
    assert refused.returncode != 0 and "badges.E001" in refused.stderr
    passed = manage(
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        **{
            **PRODUCTION_ENV,
            "ISSUER_IDENTIFIER": "did:web",
            "PUBLIC_BASE_URL": "https://microcred.example.edu",
        },
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr
    unknown = manage("check", ISSUER_IDENTIFIER="did:key", **PRODUCTION_ENV)
    assert unknown.returncode != 0 and 'ISSUER_IDENTIFIER must be "https" or "did:web"' in unknown.stderr
