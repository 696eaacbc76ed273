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
