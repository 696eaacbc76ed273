"""Issuer key rotation and compromised keys: a rotation signs new awards with a new key while every
credential signed before keeps verifying, with our verifier and with an independent one; a key
marked compromised makes what it signed not trustworthy, on the public page and for verifiers."""

import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from badges.issuing import services, signing
from badges.models import Credential, IssuerKey, StatusList
from tests.badges import test_issuing
from tests.badges.test_issuing import independent_verifier, published

# The awards tests' fixtures: a signing key, a published achievement, an award issued with that key.
issuer_key, achievement, issued = test_issuing.issuer_key, test_issuing.achievement, test_issuing.issued

pytestmark = pytest.mark.django_db


def award_another(demo, capture, title="Data Literacy", code="MC-DL"):
    target = published(demo, capture, title=title, code=code)
    with capture(execute=True):
        made = services.award(learner=demo["learner"], achievement=target, awarded_by=demo["evaluator"])
    made.refresh_from_db()
    return made


def credential_of(award):
    return json.loads(Credential.objects.get(award=award).json)


def signer(award):
    return credential_of(award)["proof"][0]["verificationMethod"]


def controller(client):
    return json.loads(client.get(reverse("badges:issuer")).content)


def export(tmp_path, awards):
    folder = tmp_path / "export"
    call_command("export_credentials", str(folder), stdout=StringIO())
    return folder, [folder / f"{award.public_id}.json" for award in awards]


def page(client, award):
    return client.get(reverse("badges:award", args=[award.public_id])).content.decode()


# --- rotation ---------------------------------------------------------------------------------


def test_issue_rotate_issue_both_verify_with_ours_and_the_independent_verifier(
    client, demo, issued, issuer_key, tmp_path, django_capture_on_commit_callbacks
):
    services.signing_key()  # the old key is in this process's cache, as in a running worker
    new_key, retired = services.rotate_issuer_key()
    after = award_another(demo, django_capture_on_commit_callbacks)

    assert retired == [issuer_key] and new_key != issuer_key
    assert signer(issued) == issuer_key.url
    assert signer(after) == new_key.url  # at once, not after the key cache expires
    assert Credential.objects.get(award=after).key == new_key
    for award in (issued, after):
        assert signing.verify(credential_of(award), services.public_key_for)
    document = controller(client)
    assert document["assertionMethod"] == [issuer_key.url, new_key.url]
    assert [m["id"] for m in document["verificationMethod"]] == [issuer_key.url, new_key.url]

    folder, files = export(tmp_path, [issued, after])
    verdicts = independent_verifier(folder, files)
    for award in (issued, after):
        verdict = verdicts[f"{award.public_id}.json"]
        assert verdict["verified"] is True and verdict["revoked"] is False, verdict


def test_rotation_retires_the_old_key_and_the_new_one_signs_the_status_list(issuer_key):
    new_key, _retired = services.rotate_issuer_key()
    issuer_key.refresh_from_db()
    assert issuer_key.retired_at is not None and issuer_key.revoked_at is None
    assert services.signing_key() == new_key
    status_list = json.loads(StatusList.objects.get(purpose="revocation").credential_json)
    assert status_list["proof"][0]["verificationMethod"] == new_key.url
    assert signing.verify(status_list, services.public_key_for)


def test_signing_key_never_returns_a_retired_or_revoked_key(issuer_key):
    second, _ = services.rotate_issuer_key()
    IssuerKey.objects.filter(pk=second.pk).update(retired_at=None)
    # Even with a newer key that is not retired, a revoked one never signs.
    services.revoke_issuer_key(name=second.name, reason="Leaked.", rotate=True)
    current = services.signing_key()
    assert current not in (issuer_key, second)
    assert current.retired_at is None and current.revoked_at is None


def test_the_rotate_command_says_what_it_made_and_what_it_retired(issuer_key):
    out = StringIO()
    call_command("rotate_issuer_key", stdout=out)
    text = out.getvalue()
    new_key = IssuerKey.objects.get(retired_at__isnull=True)
    assert f"Created issuer key {new_key.name}" in text and new_key.url in text
    assert f"Retired {issuer_key.name}" in text and "keeps verifying" in text


# --- compromised keys -----------------------------------------------------------------------------


def test_a_credential_signed_by_a_compromised_key_is_not_trustworthy_on_its_page(client, issued, issuer_key):
    services.revoke_issuer_key(name=issuer_key.name, reason="The key file was stolen.", rotate=True)
    issuer_key.refresh_from_db()

    html = page(client, issued)
    assert 'data-status="untrusted"' in html and 'data-verified="no"' in html
    when = f"{issuer_key.revoked_at:%-d %B %Y}"
    assert f"Not trustworthy: signed by a key the institution has marked compromised on {when}." in html
    assert "Valid</span>" not in html and "Download the badge" not in html
    assert "Not trustworthy" in html.split("</head>")[0]  # a shared link says so too
    from badges.selectors import public_award, status_of

    assert status_of(public_award(issued.public_id)) == "untrusted"


def test_a_compromised_key_stays_published_but_no_longer_asserts(client, issuer_key):
    services.revoke_issuer_key(name=issuer_key.name, reason="Leaked.", rotate=True)
    current = services.signing_key()
    document = controller(client)
    assert document["assertionMethod"] == [current.url]
    methods = {m["id"]: m for m in document["verificationMethod"]}
    assert methods[issuer_key.url]["revoked"].endswith("Z") and "revoked" not in methods[current.url]
    key_document = json.loads(client.get(reverse("badges:key", args=[issuer_key.name])).content)
    assert key_document["revoked"] == methods[issuer_key.url]["revoked"]
    # The status list it had signed is signed anew by a key that can be trusted.
    status_list = json.loads(StatusList.objects.get(purpose="revocation").credential_json)
    assert status_list["proof"][0]["verificationMethod"] == current.url
    assert signing.verify(status_list, services.public_key_for)


def test_the_independent_verifier_rejects_what_a_compromised_key_signed(
    demo, issued, issuer_key, tmp_path, django_capture_on_commit_callbacks
):
    services.revoke_issuer_key(name=issuer_key.name, reason="Leaked.", rotate=True)
    after = award_another(demo, django_capture_on_commit_callbacks)
    assert not services.verify_credential(credential_of(issued))
    assert services.verify_credential(credential_of(after))
    folder, files = export(tmp_path, [issued, after])
    verdicts = independent_verifier(folder, files)
    assert verdicts[f"{issued.public_id}.json"]["verified"] is False
    assert "not authorized" in verdicts[f"{issued.public_id}.json"]["error"]
    assert verdicts[f"{after.public_id}.json"]["verified"] is True, verdicts


def test_revoking_the_only_key_that_signs_is_refused_with_what_to_do(issuer_key):
    with pytest.raises(ValidationError) as refused:
        services.revoke_issuer_key(name=issuer_key.name, reason="Leaked.")
    assert "only key that can sign" in refused.value.messages[0] and "--rotate" in refused.value.messages[0]
    with pytest.raises(CommandError, match="--rotate"):
        call_command("revoke_issuer_key", issuer_key.name, reason="Leaked.", stdout=StringIO())
    issuer_key.refresh_from_db()
    assert issuer_key.revoked_at is None and services.signing_key() == issuer_key


def test_revoking_needs_a_reason_and_a_known_key(issuer_key):
    services.rotate_issuer_key()
    with pytest.raises(ValidationError):
        services.revoke_issuer_key(name=issuer_key.name, reason="  ")
    with pytest.raises(ValidationError, match="no issuer key"):
        services.revoke_issuer_key(name="key-nope", reason="Leaked.")


def test_the_revoke_command_rotates_first_and_says_what_happened(issued, issuer_key):
    out = StringIO()
    call_command("revoke_issuer_key", issuer_key.name, reason="Laptop stolen.", rotate=True, stdout=out)
    text = out.getvalue()
    current = services.signing_key()
    assert f"Revoked issuer key {issuer_key.name}" in text and "Laptop stolen." in text
    assert "1 award(s) whose credential it signed now show as not trustworthy" in text
    assert f"Signing key now: {current.name}" in text and current != issuer_key
    # Revoking again changes nothing.
    call_command("revoke_issuer_key", issuer_key.name, reason="Again.", stdout=StringIO())
    issuer_key.refresh_from_db()
    assert issuer_key.revoked_reason == "Laptop stolen."


def test_the_admin_shows_retired_and_revoked_keys_read_only(client, demo, issuer_key):
    services.rotate_issuer_key()
    middle = services.signing_key()
    services.revoke_issuer_key(name=middle.name, reason="Leaked.", rotate=True)
    client.force_login(demo["admin"])
    html = client.get(reverse("admin:badges_issuerkey_changelist")).content.decode()
    assert issuer_key.name in html and middle.name in html
    assert "Retired: signs nothing new" in html and "Revoked: compromised" in html
    detail = client.get(reverse("admin:badges_issuerkey_change", args=[middle.pk])).content.decode()
    assert "Leaked." in detail and 'name="revoked_reason"' not in detail


def test_the_award_page_makes_the_same_queries_whatever_signed_it(client, demo, issued, issuer_key):
    def count(as_user=None):
        client.logout()
        if as_user is not None:
            client.force_login(as_user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("badges:award", args=[issued.public_id])).status_code == 200
        return len(queries)

    before = count(), count(demo["learner"])
    assert before[0] == 2  # the award with its learner, achievement, credential and key; the keys
    services.revoke_issuer_key(name=issuer_key.name, reason="Leaked.", rotate=True)
    assert (count(), count(demo["learner"])) == before
