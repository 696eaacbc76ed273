"""Changing when many awards of one achievement expire: a preview first, then each issued award is
re-issued with the new expiry and the credential it replaces is superseded in the status list."""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from badges.awarding import expiry
from badges.issuing import documents, services
from badges.models import Award, Credential, ExpiryChange, StatusList
from tests.badges import test_issuing
from tests.badges.credential_files import decode_list, is_set

# The awards tests' fixtures.
achievement, issuer_key = test_issuing.achievement, test_issuing.issuer_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def class_awards(demo, achievement, django_capture_on_commit_callbacks):
    made = []
    with django_capture_on_commit_callbacks(execute=True):
        for username in ("learner", "coauthor", "registrar"):
            made.append(services.award(learner=demo[username], achievement=achievement))
    return [Award.objects.get(pk=a.pk) for a in made]


def status_bits():
    status_list = json.loads(StatusList.objects.get().credential_json)
    return decode_list(status_list["credentialSubject"]["encodedList"])


def test_preview_then_confirm_reissues_and_supersedes(
    client, demo, achievement, class_awards, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(demo["office"])
    url = reverse("badges:expiry", args=[achievement.uuid])
    new_day = date.today() + timedelta(days=365)
    preview = client.post(url, {"valid_until": new_day.isoformat(), "reason": "Programme review cycle."})
    text = preview.content.decode()
    assert preview.status_code == 200 and "Confirming re-issues <strong>3</strong> credentials" in text
    assert Credential.objects.count() == 3 and not ExpiryChange.objects.exists()  # nothing changed yet
    old = {a.pk: (a.credential_id, a.status_index) for a in class_awards}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"valid_until": new_day.isoformat(), "reason": "Programme review cycle.", "confirm": "yes"}
        )
    change = ExpiryChange.objects.get()
    assert response["Location"] == reverse("badges:expiry_status", args=[change.pk])
    assert change.finished_at is not None and change.processed == 3
    bits = status_bits()
    for award in Award.objects.filter(pk__in=old):
        credential = json.loads(award.credential.json)
        assert award.credential_id != old[award.pk][0] and award.status_index != old[award.pk][1]
        assert award.valid_until == expiry.end_of_day(new_day)
        assert timezone.localtime(award.valid_until).date() == new_day
        assert credential["validUntil"] == documents.iso(expiry.end_of_day(new_day))
        assert credential["id"] == f"urn:uuid:{award.credential_uuid}"  # the same credential, re-issued
        assert services.verify_credential(credential)
        assert is_set(bits, old[award.pk][1])  # the earlier credential is superseded
        assert not is_set(bits, award.status_index)
    assert sum("re-issued" in m.subject for m in mailoutbox) == 3
    # Running it again changes nothing.
    assert expiry.process(change.pk) == 0
    assert Credential.objects.count() == 6
    assert client.get(reverse("badges:expiry_status", args=[change.pk])).status_code == 200


def test_refusals(client, demo, achievement, class_awards):
    url = reverse("badges:expiry", args=[achievement.uuid])
    for username in ("learner", "faculty", "evaluator"):
        client.force_login(demo[username])
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "x", "confirm": "yes"}).status_code == 403
    client.force_login(demo["office"])
    past = (date.today() - timedelta(days=1)).isoformat()
    response = client.post(url, {"valid_until": past, "reason": "Oops", "confirm": "yes"})
    assert "Choose a date in the future" in response.content.decode()
    response = client.post(url, {"valid_until": "", "reason": "", "confirm": "yes"})
    assert "Say why the expiry changes" in response.content.decode()
    response = client.post(url, {"valid_until": "2026-02-31", "reason": "x", "confirm": "yes"})
    assert response.status_code == 200 and "Enter a valid date" in response.content.decode()
    assert not ExpiryChange.objects.exists()


def test_own_award_is_never_in_the_change(demo, achievement, class_awards):
    # The registrar also works in the office here: their own award stays as it is.
    assert demo["registrar"].pk not in set(
        expiry.affected(achievement, demo["registrar"]).values_list("learner", flat=True)
    )


def test_no_expiry_removes_it(demo, achievement, class_awards, django_capture_on_commit_callbacks):
    Award.objects.filter(pk=class_awards[0].pk).update(valid_until=timezone.now() + timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        expiry.change(
            achievement=achievement, user=demo["office"], valid_until=None, reason="No expiry any more."
        )
    award = Award.objects.get(pk=class_awards[0].pk)
    assert award.valid_until is None and "validUntil" not in json.loads(award.credential.json)
