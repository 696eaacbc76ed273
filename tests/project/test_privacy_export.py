"""A data-access request answered from the product: everything held about one person, with their
signed credentials, as JSON, from the admin or a command; never the password hash or another
person's rows."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from badges.models import Credential
from tests.badges import test_issuing

pytestmark = pytest.mark.django_db

issuer_key, achievement, issued = test_issuing.issuer_key, test_issuing.achievement, test_issuing.issued


def export_in_the_admin(client, person):
    return client.post(
        reverse("admin:auth_user_changelist"), {"action": "export_data", "_selected_action": [person.pk]}
    )


def test_the_export_holds_the_account_awards_credentials_and_records_but_no_password(client, demo, issued):
    admin = get_user_model().objects.create_superuser("root", "root@example.edu", "pw-long-enough-1")
    client.force_login(admin)

    response = export_in_the_admin(client, demo["learner"])

    assert response["Content-Disposition"] == f'attachment; filename="person-{demo["learner"].pk}.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == demo["learner"].email and "password" not in data["account"]
    assert [a["id"] for a in data["badges.award (as learner)"]] == [issued.pk]
    credential = Credential.objects.get(award=issued)
    assert data["badges.credential (of the person's award)"][0]["json"] == credential.json
    assert "transcripts.transcriptrecord (as learner)" in data
    text = response.content.decode()
    assert demo["office"].email not in text  # nobody else's account


def test_staff_who_may_not_see_accounts_cannot_export(client, demo, issued):
    clerk = get_user_model().objects.create_user("clerk", password="pw-long-enough-1", is_staff=True)
    client.force_login(clerk)

    assert export_in_the_admin(client, demo["learner"]).status_code in (302, 403)


def test_the_command_writes_the_same_export(demo, issued, tmp_path):
    out = tmp_path / "person.json"

    call_command("export_person", demo["learner"].email, output=str(out))

    data = json.loads(out.read_text())
    assert data["account"]["username"] == demo["learner"].username
    assert len(data["badges.award (as learner)"]) == 1


def test_erasure_revokes_the_awards_keeps_them_verifiable_and_leaves_no_name_or_email(
    client, demo, issued, django_capture_on_commit_callbacks
):
    from badges.models import Award
    from badges.verification.checks import verify_upload
    from core.privacy import ERASED_REASON
    from transcripts.models import TranscriptRecord

    learner = demo["learner"]
    name, email = learner.get_full_name(), learner.email
    credential = Credential.objects.get(award=issued).json
    admin = get_user_model().objects.create_superuser("root", "root@example.edu", "pw-long-enough-1")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("erase_person", email, by="root", yes=True)

    learner.refresh_from_db()
    assert (learner.first_name, learner.last_name, learner.email, learner.is_active) == ("", "", "", False)
    assert not learner.has_usable_password()
    award = Award.objects.get(pk=issued.pk)
    assert award.state == Award.State.REVOKED and award.revoked_reason == ERASED_REASON
    result = verify_upload(credential.encode())
    assert result.signature_ok and result.status == "revoked"
    page = client.get(award.get_absolute_url()).content.decode()
    assert name not in page and email not in page
    assert TranscriptRecord.objects.filter(award=award).exists()  # the registrar's record stays
    client.force_login(admin)
    exported = export_in_the_admin(client, learner).content.decode()
    assert (
        name not in exported.split('"transcripts.transcriptrecord')[0]
        and email not in exported.split('"transcripts.transcriptrecord')[0]
    )


def test_only_an_administrator_erases_and_never_without_confirming(demo, issued):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="add --yes"):
        call_command("erase_person", demo["learner"].email, by="office")
    with pytest.raises(CommandError, match="Only an administrator"):
        call_command("erase_person", demo["learner"].email, by="office", yes=True)
    demo["learner"].refresh_from_db()
    assert demo["learner"].is_active and demo["learner"].email
