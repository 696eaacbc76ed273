"""Names as people want them: the credential carries the learner's chosen name (or none, if they
ask), pages show names and never login names, and a change of name re-issues on request."""

import json

import pytest
from django.urls import reverse

from badges.issuing import documents, reissue, services
from badges.models import Award, Learner
from tests.badges import test_issuing
from tests.badges.test_issuing import independent_verifier

pytestmark = pytest.mark.django_db

issuer_key, achievement, issued = test_issuing.issuer_key, test_issuing.achievement, test_issuing.issued


def with_a_login_name_of_its_own(user):
    """A login name no page or credential would contain by chance."""
    user.username = "zq-login-7731"
    user.save(update_fields=["username"])
    return user.username


def credential_of(award):
    return json.loads(Award.objects.get(pk=award.pk).credential.json)


def test_a_credential_names_its_holder_by_their_name_beside_the_hashed_email(issued):
    identifiers = credential_of(issued)["credentialSubject"]["identifier"]

    assert {i["identityType"] for i in identifiers} == {"emailAddress", "name"}
    assert documents.holder_name_of(credential_of(issued)) == issued.learner.get_full_name()
    login = with_a_login_name_of_its_own(issued.learner)
    reissue.reissue_with_current_name(award_id=issued.pk)  # nothing to re-issue: same name
    assert login not in json.dumps(credential_of(issued))


def test_the_chosen_name_is_the_one_on_the_credential(demo, achievement, django_capture_on_commit_callbacks):
    Learner.objects.update_or_create(user=demo["learner"], defaults={"credential_name": "Sam Q. Rivera"})
    with django_capture_on_commit_callbacks(execute=True):
        award = services.award(learner=demo["learner"], achievement=achievement, awarded_by=demo["evaluator"])

    assert documents.holder_name_of(credential_of(award)) == "Sam Q. Rivera"


def test_a_learner_who_wants_no_name_gets_the_hashed_email_alone(
    demo, achievement, django_capture_on_commit_callbacks
):
    Learner.objects.update_or_create(user=demo["learner"], defaults={"name_on_credentials": False})
    with django_capture_on_commit_callbacks(execute=True):
        award = services.award(learner=demo["learner"], achievement=achievement, awarded_by=demo["evaluator"])

    identifiers = credential_of(award)["credentialSubject"]["identifier"]
    assert [i["identityType"] for i in identifiers] == ["emailAddress"]


def names_form(client, **changes):
    data = {"first_name": "Maya", "last_name": "Okafor", "credential_name": "", "name_on_credentials": "on"}
    return client.post(reverse("badges:names"), {**data, **changes})


def test_a_name_change_reissues_on_request_and_both_credentials_verify_the_old_as_superseded(
    client, demo, issued, tmp_path, mailoutbox
):
    from django.core.management import call_command

    from badges.verification.checks import verify_upload

    Learner.objects.get_or_create(user=demo["learner"])
    old = credential_of(issued)
    client.force_login(demo["learner"])

    names_form(client, credential_name="Maya O.")
    page = client.get(reverse("badges:names")).content.decode()
    assert 'data-outdated="1"' in page and "Re-issue them with this name" in page
    client.post(reverse("badges:reissue_names"))
    client.post(reverse("badges:reissue_names"))  # twice: nothing more

    new = credential_of(issued)
    assert documents.holder_name_of(new) == "Maya O." and new["id"] == old["id"]
    assert Award.objects.get(pk=issued.pk).credentials.count() == 2
    assert verify_upload(json.dumps(new).encode()).verified
    assert verify_upload(json.dumps(old).encode()).status == "superseded"
    assert 'data-outdated="0"' in client.get(reverse("badges:names")).content.decode()
    call_command("export_credentials", str(tmp_path / "export"))
    files = sorted((tmp_path / "export").glob("*.json"))
    (tmp_path / "old.json").write_text(json.dumps(old))
    verdicts = independent_verifier(tmp_path / "export", [*files, tmp_path / "old.json"])
    assert verdicts[f"{issued.public_id}.json"]["verified"] is True
    assert verdicts["old.json"]["revoked"] is True  # its status bit is set: superseded


def test_names_are_required_and_said_beside_the_field(client, demo):
    client.force_login(demo["learner"])

    response = names_form(client, first_name="   ")

    assert response.status_code == 200 and "Enter your given name." in response.content.decode()
    demo["learner"].refresh_from_db()
    assert demo["learner"].first_name != ""


def test_staff_without_credentials_edit_their_names_only(client, demo):
    client.force_login(demo["office"])

    page = client.get(reverse("badges:names")).content.decode()

    assert 'name="first_name"' in page and 'name="credential_name"' not in page
    names_form(client, first_name="Olga", last_name="Office")
    demo["office"].refresh_from_db()
    assert demo["office"].get_full_name() == "Olga Office"


def test_the_award_page_shows_the_chosen_name(client, demo, issued):
    Learner.objects.update_or_create(user=demo["learner"], defaults={"credential_name": "Sam Q. Rivera"})
    login = with_a_login_name_of_its_own(demo["learner"])

    page = client.get(issued.get_absolute_url()).content.decode()

    assert "Sam Q. Rivera" in page and login not in page


def test_downloads_are_named_after_the_micro_credential_and_its_holder(client, demo, issued):
    Learner.objects.update_or_create(user=demo["learner"], defaults={"credential_name": "Maya Okafor"})
    expected = f"{issued.achievement.name}".lower().replace(" ", "-") + "-maya-okafor"

    png = client.get(reverse("badges:award_png", args=[issued.public_id]))
    svg = client.get(reverse("badges:award_svg", args=[issued.public_id]))
    page = client.get(issued.get_absolute_url()).content.decode()

    assert png["Content-Disposition"] == f'attachment; filename="{expected}.png"'
    assert svg["Content-Disposition"] == f'attachment; filename="{expected}.svg"'
    assert f'download="{expected}.json"' in page
