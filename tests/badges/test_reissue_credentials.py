"""Credentials signed before the canonical-form fix (a control character written raw in the N-Quads
their signature was taken over) verify nowhere; ``manage.py reissue_credentials --affected`` re-issues
them: the same award gets a new credential that every verifier accepts, the old one reads
"superseded", revoked awards stay revoked, and a second run finds nothing."""

import contextlib
import io
import json

import pyld.canon
import pyld.nquads
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from badges.issuing import nquads, services
from badges.models import Achievement, Award, Credential, StatusList
from badges.verification.checks import Status, verify_upload
from tests.badges import test_issuing
from tests.badges.credential_files import decode_list, is_set
from tests.badges.test_issuing import independent_verifier

achievement, issuer_key = test_issuing.achievement, test_issuing.issuer_key

pytestmark = pytest.mark.django_db

PASTED = "Portfolio\x0bpage two\x0c, a deleted\x7f character."


@contextlib.contextmanager
def signed_the_old_way(monkeypatch):
    """Issue as the product did before the fix: PyLD's own N-Quads serialiser in RDFC-1.0, and its
    escaping (literals: only backslash, quote, tab, line feed, carriage return; IRIs: none) for any
    path that writes N-Quads through ``nquads`` itself."""
    with monkeypatch.context() as patch:
        patch.setattr(pyld.canon, "serialize_nquad", pyld.nquads.serialize_nquad)
        patch.setattr(nquads, "escape_literal", pyld.nquads.escape)
        patch.setattr(nquads, "escape_iri", lambda value: value)
        yield


def award_now(demo, achievement, capture, username, **fields):
    with capture(execute=True):
        made = services.award(
            learner=demo[username], achievement=achievement, awarded_by=demo["evaluator"], **fields
        )
    return Award.objects.get(pk=made.pk)


def run(*options):
    out = io.StringIO()
    call_command("reissue_credentials", *options, stdout=out)
    return out.getvalue()


@pytest.fixture
def before_the_fix(demo, achievement, monkeypatch, django_capture_on_commit_callbacks):
    """Awards issued before the fix: a pasted narrative, an evidence link with characters an IRI
    escapes, plain text (unaffected), and a pasted narrative whose award was then revoked."""
    capture = django_capture_on_commit_callbacks
    with signed_the_old_way(monkeypatch):
        pasted = award_now(demo, achievement, capture, "learner", narrative=PASTED, evidence_public=True)
        linked = award_now(
            demo,
            achievement,
            capture,
            "coauthor",
            evidence_url="https://portfolio.example.org/work?tags=a|b^c",
            evidence_public=True,
        )
        plain = award_now(demo, achievement, capture, "faculty", narrative="Portfolio.", evidence_public=True)
        revoked = award_now(demo, achievement, capture, "registrar", narrative=PASTED, evidence_public=True)
    services.revoke(award=revoked, user=demo["office"], reason="Issued in error.")
    return {"pasted": pasted, "linked": linked, "plain": plain, "revoked": revoked}


def current(award):
    return json.loads(Award.objects.get(pk=award.pk).credential.json)


def test_credentials_signed_before_the_fix_fail_now_and_only_they_are_found(before_the_fix):
    assert not services.verify_credential(current(before_the_fix["pasted"]))
    assert not services.verify_credential(current(before_the_fix["linked"]))
    assert services.verify_credential(current(before_the_fix["plain"]))

    # A name that would clear the operator's terminal is printed escaped.
    Achievement.objects.filter(pk=before_the_fix["pasted"].achievement_id).update(name="Data\x1b[2J Story")

    listed = run("--affected", "--dry-run")

    assert str(before_the_fix["pasted"].public_id) in listed
    assert str(before_the_fix["linked"].public_id) in listed
    assert str(before_the_fix["plain"].public_id) not in listed
    assert "Would re-issue 2 credentials (dry run: nothing changed)." in listed
    assert f"Not re-issued: award {before_the_fix['revoked'].public_id}" in listed and "was revoked" in listed
    assert "Data\\u001b[2J Story" in listed and "\x1b" not in listed
    assert Credential.objects.count() == 4


def test_the_command_reissues_them_and_every_verifier_accepts_the_new_ones(
    client, before_the_fix, tmp_path, mailoutbox, django_capture_on_commit_callbacks
):
    pasted, linked = before_the_fix["pasted"], before_the_fix["linked"]
    old = {award.pk: Award.objects.get(pk=award.pk).credential for award in (pasted, linked)}

    with django_capture_on_commit_callbacks(execute=True):
        output = run("--affected")

    assert "Re-issued 2 credentials" in output
    bits = decode_list(
        json.loads(StatusList.objects.get().credential_json)["credentialSubject"]["encodedList"]
    )
    for award in (pasted, linked):
        now = Award.objects.get(pk=award.pk)
        new = json.loads(now.credential.json)
        assert now.credential_id != old[award.pk].pk and now.state == Award.State.ISSUED
        assert services.verify_credential(new)
        assert new["id"] == json.loads(old[award.pk].json)["id"]  # the same credential, re-issued
        assert new["validFrom"] == json.loads(old[award.pk].json)["validFrom"]
        assert is_set(bits, old[award.pk].status_index) and not is_set(bits, now.status_index)
    assert current(pasted)["evidence"][0]["narrative"] == PASTED  # what the learner typed, unchanged
    assert sum("re-issued" in message.subject for message in mailoutbox) == 2
    # The revoked and the unaffected awards are as they were.
    assert Award.objects.get(pk=before_the_fix["revoked"].pk).credentials.count() == 1
    assert Award.objects.get(pk=before_the_fix["plain"].pk).credentials.count() == 1

    # Our verify page: the new one verifies, the old one is genuine but superseded.
    new_check = verify_upload(Award.objects.get(pk=pasted.pk).credential.json.encode())
    assert new_check.verified and new_check.status == Status.VALID
    old_check = verify_upload(old[pasted.pk].json.encode())
    assert not old_check.verified and old_check.status == Status.SUPERSEDED
    page = client.post(
        reverse("badges:verify"),
        {"credential": SimpleUploadedFile("old.json", old[pasted.pk].json.encode(), "application/json")},
    ).content.decode()
    assert 'data-status="superseded"' in page and "Superseded by a re-issued credential" in page
    assert "signed it before correcting how its text is canonicalised" in page

    # The independent verifier (Digital Bazaar's eddsa-rdfc-2022) accepts the new ones.
    call_command("export_credentials", str(tmp_path / "export"))
    files = [tmp_path / "export" / f"{award.public_id}.json" for award in (pasted, linked)]
    verdicts = independent_verifier(tmp_path / "export", files)
    for name, verdict in verdicts.items():
        assert verdict["verified"] is True and verdict["revoked"] is False, (name, verdict)

    # A second run finds nothing and changes nothing.
    assert "No credential needs re-issuing." in run("--affected")
    assert Credential.objects.count() == 6


def test_an_old_credential_not_yet_reissued_is_named_genuine_but_not_checkable(before_the_fix):
    result = verify_upload(Award.objects.get(pk=before_the_fix["pasted"].pk).credential.json.encode())

    assert not result.verified and result.status == Status.NOT_CHECKED
    assert any("re-issues it" in reason for reason in result.reasons)


def test_a_changed_old_credential_is_still_called_changed(before_the_fix):
    document = current(before_the_fix["pasted"])
    document["name"] = "A better badge"

    result = verify_upload(json.dumps(document).encode())

    assert result.reasons == [
        "The signature does not match: the credential was changed after it was signed "
        "(or it was signed with another key than the one it names)."
    ]


def test_without_affected_the_command_does_nothing(before_the_fix):
    with pytest.raises(CommandError, match="--affected"):
        run()
    assert Credential.objects.count() == 4


@pytest.mark.parametrize(
    ("document", "differs"),
    [
        ({"name": "plain text, “quotes” and \\ backslashes, é, \u2028"}, False),
        ({"name": "tab\tnewline\nreturn\r"}, False),
        ({"evidence": [{"narrative": "form\x0cfeed"}]}, True),
        ({"name": "delete\x7f"}, True),
        ({"id": "https://example.org/a|b"}, True),
        ({"name": "a sentence with a | bar, not an IRI"}, False),
    ],
)
def test_which_text_the_old_serialiser_wrote_differently(document, differs):
    assert nquads.written_differently_before_the_fix(document) is differs
