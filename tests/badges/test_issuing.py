"""Awards: achievements from published proposals, signed Open Badges 3.0 credentials that an
independent verifier accepts, baked images, public verification, revocation and the export."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from badges.issuing import images, services, signing
from badges.models import Achievement, Award, Credential
from tests.badges.credential_files import unbake_png
from tests.conftest import shared_dir
from tests.workflow import publish_achievement

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SHARED_OB3 = shared_dir() / "ob3"
VERIFIER = ROOT / "tests" / "verifier"


@pytest.fixture
def issuer_key(settings, tmp_path):
    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    settings.PUBLIC_BASE_URL = "https://microcred.example.edu"
    return services.create_issuer_key()


published = publish_achievement


@pytest.fixture
def achievement(demo, issuer_key, django_capture_on_commit_callbacks):
    return published(demo, django_capture_on_commit_callbacks)


@pytest.fixture
def issued(demo, achievement, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        award = services.award(
            learner=demo["learner"],
            achievement=achievement,
            awarded_by=demo["evaluator"],
            narrative="Portfolio.",
        )
    award.refresh_from_db()
    return award


def credential_of(award):
    return json.loads(Credential.objects.get(award=award).json)


def test_publishing_builds_the_achievement_once(demo, achievement):
    data = achievement.data
    assert data["id"] == f"https://microcred.example.edu/badges/achievements/{achievement.uuid}"
    assert data["type"] == ["Achievement"] and data["achievementType"] == "Badge"
    assert data["creditsAvailable"] == 6 and achievement.credit_bearing
    assert {a["targetFramework"] for a in data["alignment"]} == {"NACE Career Readiness Competencies"}
    assert "A rubric with four criteria" in data["criteria"]["narrative"]
    services.create_achievement(proposal_id=achievement.proposal_id)  # delivered again
    assert Achievement.objects.filter(proposal=achievement.proposal).count() == 1


def test_issued_credential_is_signed_and_verifies(demo, issued):
    credential = credential_of(issued)
    assert issued.state == Award.State.ISSUED
    assert credential["@context"][:2] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["id"] == f"urn:uuid:{issued.credential_uuid}"
    assert credential["issuer"]["id"] == "https://microcred.example.edu/badges/issuer"
    proof = credential["proof"][0]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022" and proof["proofPurpose"] == "assertionMethod"
    assert signing.verify(credential, services.public_key_for)
    assert demo["learner"].email not in json.dumps(credential)
    tampered = {**credential, "name": "Something else"}
    assert not signing.verify(tampered, services.public_key_for)


def test_issuing_twice_makes_one_credential_and_one_email(demo, issued, mailoutbox):
    services.issue_credential(award_id=issued.pk)
    services.issue_credential(award_id=issued.pk)
    again = services.award(learner=demo["learner"], achievement=issued.achievement)
    assert again.pk == issued.pk
    assert Credential.objects.filter(award=issued).count() == 1
    to_learner = [m for m in mailoutbox if m.to == [demo["learner"].email]]
    assert len(to_learner) == 1 and "You have earned" in to_learner[0].subject


def test_baked_images_give_back_the_identical_credential(issued):
    stored = Credential.objects.get(award=issued)
    assert unbake_png(bytes(stored.png)) == stored.json
    assert images.unbake_svg(stored.svg) == stored.json
    assert '<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in stored.svg


def test_nobody_awards_themselves(demo, achievement):
    with pytest.raises(PermissionDenied):
        services.award(learner=demo["evaluator"], achievement=achievement, awarded_by=demo["evaluator"])


def test_public_page_shows_a_valid_award_without_the_email(client, demo, issued):
    page = client.get(reverse("badges:award", args=[issued.public_id]))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-status="valid"' in html and 'data-verified="yes"' in html
    assert "Leo Martins" in html and demo["learner"].email not in html
    as_json = client.get(reverse("badges:award", args=[issued.public_id]), HTTP_ACCEPT="application/ld+json")
    assert as_json["Content-Type"].startswith("application/ld+json")
    assert json.loads(as_json.content)["id"] == f"urn:uuid:{issued.credential_uuid}"
    assert demo["learner"].email not in as_json.content.decode()
    assert "public" in page["Cache-Control"]


def test_only_office_staff_revoke_and_the_world_sees_it(client, demo, issued):
    client.force_login(demo["evaluator"])
    assert client.post(reverse("badges:revoke", args=[issued.public_id]), {"reason": "x"}).status_code == 403
    client.force_login(demo["learner"])
    assert client.post(reverse("badges:revoke", args=[issued.public_id]), {"reason": "x"}).status_code == 403
    client.force_login(demo["office"])
    client.post(reverse("badges:revoke", args=[issued.public_id]), {"reason": "Academic misconduct."})
    issued.refresh_from_db()
    assert issued.state == Award.State.REVOKED
    html = client.get(reverse("badges:award", args=[issued.public_id])).content.decode()
    assert 'data-status="revoked"' in html and "Academic misconduct." in html
    status_list = json.loads(client.get(reverse("badges:status_list", args=["revocation"])).content)
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    from tests.badges.credential_files import decode_list, is_set

    bits = decode_list(status_list["credentialSubject"]["encodedList"])
    assert len(bits) * 8 >= 131_072 and is_set(bits, issued.status_index)
    assert signing.verify(status_list, services.public_key_for)


def test_office_staff_cannot_revoke_their_own_award_but_revoke_anyone_elses(
    client, demo, achievement, issued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        own = services.award(learner=demo["office"], achievement=achievement, awarded_by=demo["evaluator"])
    own.refresh_from_db()
    assert own.state == Award.State.ISSUED
    with pytest.raises(PermissionDenied):
        services.revoke(award=own, user=demo["office"], reason="Issued in error.")
    client.force_login(demo["office"])
    response = client.post(reverse("badges:revoke", args=[own.public_id]), {"reason": "Issued in error."})
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.state == Award.State.ISSUED and own.revoked_at is None
    client.post(reverse("badges:revoke", args=[issued.public_id]), {"reason": "Academic misconduct."})
    issued.refresh_from_db()
    assert issued.state == Award.State.REVOKED and issued.revoked_by == demo["office"]


def test_revoking_needs_a_reason(demo, issued):
    with pytest.raises(ValidationError):
        services.revoke(award=issued, user=demo["office"], reason=" ")


def test_the_private_key_is_never_in_the_database_or_the_admin(client, demo, issuer_key, settings):
    pem = (Path(settings.ISSUER_KEY_DIR) / f"{issuer_key.name}.pem").read_text()
    assert "PRIVATE KEY" in pem
    secret_line = pem.splitlines()[1]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, public_key_multibase FROM badges_issuerkey")
        assert secret_line not in json.dumps(cursor.fetchall())
    client.force_login(demo["admin"])
    html = client.get(reverse("admin:badges_issuerkey_change", args=[issuer_key.pk])).content.decode()
    assert secret_line not in html


def test_controller_document_lists_every_key_for_assertion(client, issuer_key):
    rotated = services.create_issuer_key()
    document = json.loads(client.get(reverse("badges:issuer")).content)
    assert document["id"] == "https://microcred.example.edu/badges/issuer"
    assert document["assertionMethod"] == [issuer_key.url, rotated.url]
    method = json.loads(client.get(reverse("badges:key", args=[rotated.name])).content)
    assert method["type"] == "Multikey" and method["controller"] == document["id"]


def test_learner_sees_only_their_own_awards(client, demo, issued):
    client.force_login(demo["learner"])
    assert issued.achievement.name in client.get(reverse("badges:my_awards")).content.decode()
    client.force_login(demo["coauthor"])
    assert issued.achievement.name not in client.get(reverse("badges:my_awards")).content.decode()


# --- conformance, independent of our own code ---------------------------------------------------------


def _schema_validator():
    import jsonschema

    schema = json.loads((SHARED_OB3 / "schemas" / "ob_v3p0_achievementcredential_schema.json").read_text())
    return jsonschema.Draft201909Validator(schema)


@pytest.fixture
def exported(demo, issued, achievement, tmp_path, django_capture_on_commit_callbacks):
    non_credit = published(
        demo,
        django_capture_on_commit_callbacks,
        kind="non_credit",
        title="Professional Writing",
        code="MC-PW",
    )
    revoked_achievement = published(
        demo, django_capture_on_commit_callbacks, title="Revoked one", code="MC-R"
    )
    made = []
    for target in (non_credit, revoked_achievement):
        with django_capture_on_commit_callbacks(execute=True):
            made.append(
                services.award(learner=demo["learner"], achievement=target, awarded_by=demo["evaluator"])
            )
    services.revoke(award=made[1], user=demo["office"], reason="Issued in error.")
    call_command("export_credentials", str(tmp_path / "export"))
    return tmp_path / "export", {"valid": [issued, made[0]], "revoked": [made[1]]}


def test_every_credential_validates_against_the_official_schema(exported):
    if not SHARED_OB3.exists():
        from tests.conftest import missing

        missing("the official Open Badges 3.0 schema is not at ../shared/ob3")
    folder, _awards = exported
    validator = _schema_validator()
    files = sorted(folder.glob("*.json"))
    assert len(files) == 3
    for path in files:
        errors = [e.message for e in validator.iter_errors(json.loads(path.read_text()))]
        assert errors == [], (path.name, errors)


def test_the_runtime_ob_context_is_the_official_one():
    from badges.issuing.jsonld import CONTEXTS_DIR

    if not SHARED_OB3.exists():
        from tests.conftest import missing

        missing("the official Open Badges 3.0 context is not at ../shared/ob3")
    official = json.loads((SHARED_OB3 / "contexts" / "ob-v3p0-context-3.0.3.json").read_text())
    assert json.loads((CONTEXTS_DIR / "ob-v3p0-context-3.0.3.json").read_text()) == official


def independent_verifier(folder, files):
    if not SHARED_OB3.exists():
        from tests.conftest import missing

        missing("the independent verifier reads the official Open Badges 3.0 context from ../shared/ob3")
    node = shutil.which("node")
    if node is None or not (VERIFIER / "node_modules").exists():
        from tests.conftest import missing

        missing("the independent verifier needs Node and `npm ci` in tests/verifier")
    result = subprocess.run(
        [
            node,
            str(VERIFIER / "verify.mjs"),
            str(folder),
            str(SHARED_OB3 / "contexts" / "ob-v3p0-context-3.0.3.json"),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=VERIFIER,
    )
    assert result.returncode == 0, result.stderr
    return {line["file"]: line for line in map(json.loads, result.stdout.splitlines())}


def test_an_independent_verifier_accepts_the_credentials_and_sees_the_revocation(exported, tmp_path):
    folder, awards = exported
    files = sorted(folder.glob("*.json"))
    verdicts = independent_verifier(folder, files)
    for award in awards["valid"]:
        verdict = verdicts[f"{award.public_id}.json"]
        assert verdict["verified"] is True and verdict["revoked"] is False, verdict
    revoked = verdicts[f"{awards['revoked'][0].public_id}.json"]
    assert revoked["revoked"] is True, revoked
    # tampered: a changed name, or a proof by a key that is not the issuer's
    original = json.loads((folder / f"{awards['valid'][0].public_id}.json").read_text())
    (tmp_path / "changed.json").write_text(json.dumps({**original, "name": "A better badge"}))
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from badges.issuing import keys

    unsigned = {k: v for k, v in original.items() if k != "proof"}
    forged = signing.sign(
        unsigned,
        private_key=Ed25519PrivateKey.generate(),
        verification_method=original["proof"][0]["verificationMethod"],
        created=original["proof"][0]["created"],
    )
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    del keys
    verdicts = independent_verifier(folder, [tmp_path / "changed.json", tmp_path / "forged.json"])
    assert verdicts["changed.json"]["verified"] is False
    assert verdicts["forged.json"]["verified"] is False


def test_baked_png_from_the_export_verifies_independently(exported, tmp_path):
    folder, awards = exported
    award = awards["valid"][0]
    text = unbake_png((folder / f"{award.public_id}.png").read_bytes())
    (tmp_path / "from-png.json").write_text(text)
    verdict = independent_verifier(folder, [tmp_path / "from-png.json"])["from-png.json"]
    assert verdict["verified"] is True, verdict


def test_an_award_made_while_the_broker_is_down_is_issued_once_by_the_sweep(
    demo, achievement, monkeypatch, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone
    from kombu.exceptions import OperationalError

    from badges import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.issue_award, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        award = services.award(learner=demo["learner"], achievement=achievement, awarded_by=demo["evaluator"])
    award.refresh_from_db()
    assert award.state == Award.State.PENDING  # the acceptance succeeded all the same
    Award.objects.filter(pk=award.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    monkeypatch.undo()
    assert tasks.issue_pending_awards() == 1
    assert tasks.issue_pending_awards() == 0
    assert Credential.objects.filter(award=award).count() == 1


def test_the_learner_chooses_whether_the_award_is_listed(client, demo, issued):
    detail = reverse("badges:catalog_detail", args=[issued.achievement.uuid])
    assert "Leo Martins" not in client.get(detail).content.decode()  # not listed by default
    client.force_login(demo["coauthor"])
    assert (
        client.post(reverse("badges:sharing", args=[issued.public_id]), {"listed": "on"}).status_code == 403
    )
    client.force_login(demo["learner"])
    page = client.get(reverse("badges:award", args=[issued.public_id]))
    assert "no-store" in page["Cache-Control"]  # a signed-in reader's page is never cached publicly
    client.post(reverse("badges:sharing", args=[issued.public_id]), {"listed": "on"})
    client.logout()
    assert "Leo Martins" in client.get(detail).content.decode()


def test_every_credential_seed_demo_issues_conforms_and_verifies_independently(settings, tmp_path):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("export_credentials", str(tmp_path / "demo-export"))
    folder = tmp_path / "demo-export"
    files = sorted(folder.glob("*.json"))
    assert len(files) == Award.objects.exclude(state=Award.State.PENDING).count() >= 3
    validator = _schema_validator()
    for path in files:
        assert [e.message for e in validator.iter_errors(json.loads(path.read_text()))] == [], path.name
    verdicts = independent_verifier(folder, files)
    states = {str(a.public_id): a.state for a in Award.objects.all()}
    for name, verdict in verdicts.items():
        revoked = states[name.removesuffix(".json")] == Award.State.REVOKED
        assert verdict["revoked"] is revoked, verdict
        assert verdict["verified"] is True or revoked, verdict


def test_the_fast_canonical_form_equals_the_plain_one(issued):
    """Signing canonicalises through a per-shape template; the canonical form must not change."""
    from badges.issuing.jsonld import TEMPLATE_STATS, canonicalize, canonicalize_credential

    credential = credential_of(issued)
    credential.pop("proof")
    templated = TEMPLATE_STATS.templated
    assert canonicalize_credential(credential) == canonicalize(credential)
    other = {**credential, "id": "urn:uuid:00000000-0000-4000-8000-000000000000"}
    assert canonicalize_credential(other) == canonicalize(other)  # the cached template, another credential
    assert TEMPLATE_STATS.templated == templated + 2  # an issued credential is in our shape


def test_the_status_list_is_published_before_any_revocation(client, issuer_key):
    response = client.get(reverse("badges:status_list", args=["revocation"]))
    assert response.status_code == 200
    document = json.loads(response.content)
    from tests.badges.credential_files import decode_list

    assert not any(decode_list(document["credentialSubject"]["encodedList"]))
    assert signing.verify(document, services.public_key_for)
