"""Awards issued through Credly as well, against a fake Credly HTTP server on 127.0.0.1 (real HTTP
calls): what is sent, retries with backoff, permanent refusals shown to staff with a retry button,
revocation, and the Open Badges credential never depending on any of it."""

import base64
import json
import math
import socket
from datetime import UTC

import pytest
from django.urls import reverse

from badges import tasks
from badges.integrations import credly
from badges.issuing import services
from badges.models import Achievement, Award, Credential, CredlyBadge
from tests.fake_credly import FakeCredly
from tests.workflow import publish_achievement

pytestmark = pytest.mark.django_db

ORG = "org-1234"
TOKEN = "secret-token"
TEMPLATE = "tmpl-5678"


@pytest.fixture
def fake_credly(settings):
    server = FakeCredly().start()
    settings.CREDLY_ORGANIZATION_ID = ORG
    settings.CREDLY_API_TOKEN = TOKEN
    settings.CREDLY_BASE_URL = server.url
    settings.CREDLY_TIMEOUT_SECONDS = 5
    yield server
    server.stop()


@pytest.fixture
def achievement(demo, settings, django_capture_on_commit_callbacks):
    settings.PUBLIC_BASE_URL = "https://microcred.example.edu"
    services.create_issuer_key()
    made = publish_achievement(demo, django_capture_on_commit_callbacks)
    Achievement.objects.filter(pk=made.pk).update(credly_template_id=TEMPLATE)
    made.refresh_from_db()
    return made


@pytest.fixture
def award_to(demo, achievement, django_capture_on_commit_callbacks):
    """Award the achievement as its evaluator would, running what follows the commit."""

    def give(learner=None):
        with django_capture_on_commit_callbacks(execute=True):
            made = services.award(
                learner=learner or demo["learner"], achievement=achievement, awarded_by=demo["evaluator"]
            )
        made.refresh_from_db()
        return made

    return give


@pytest.fixture
def retry_countdowns(monkeypatch):
    """The countdown of every retry the tasks schedule (eager tasks run the retry at once)."""
    from celery.app.task import Task

    seen = []
    original = Task.retry

    def spy(self, *args, **kwargs):
        seen.append(kwargs.get("countdown"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Task, "retry", spy)
    return seen


def issues(fake):
    return [r for r in fake.requests if r.method == "POST"]


def credential_verifies(award):
    return services.verify_credential(json.loads(Credential.objects.get(award=award).json))


# --- issuing ---------------------------------------------------------------------------------------


def test_an_award_is_issued_in_credly_with_the_learners_name_and_the_badge_id_is_kept(
    demo, fake_credly, award_to
):
    award = award_to()
    [sent] = fake_credly.requests
    assert (sent.method, sent.path) == ("POST", f"/v1/organizations/{ORG}/badges")
    assert sent.authorization == "Basic " + base64.b64encode(f"{TOKEN}:".encode()).decode()
    assert sent.body == {
        "recipient_email": demo["learner"].email,
        "issued_to_first_name": "Leo",
        "issued_to_last_name": "Martins",
        "badge_template_id": TEMPLATE,
        "issued_at": award.issued_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S +0000"),
        "issuer_earner_id": str(award.public_id),
    }
    badge = CredlyBadge.objects.get(award=award)
    assert badge.state == CredlyBadge.State.ISSUED and badge.badge_id and badge.attempts == 1
    assert badge.last_error == ""


def test_delivered_twice_it_is_issued_once_in_credly(fake_credly, award_to):
    award = award_to()
    tasks.issue_in_credly.delay(award.pk)
    credly.issue(award_id=award.pk)
    assert len(issues(fake_credly)) == 1
    assert CredlyBadge.objects.get(award=award).attempts == 1


def test_nothing_goes_to_credly_when_it_is_not_configured(settings, fake_credly, award_to):
    settings.CREDLY_API_TOKEN = ""
    award = award_to()
    assert award.state == Award.State.ISSUED
    assert fake_credly.requests == [] and not CredlyBadge.objects.exists()


def test_nothing_goes_to_credly_for_an_achievement_without_a_template_id(fake_credly, achievement, award_to):
    Achievement.objects.filter(pk=achievement.pk).update(credly_template_id="")
    award = award_to()
    assert award.state == Award.State.ISSUED
    assert fake_credly.requests == [] and not CredlyBadge.objects.exists()


def test_a_learner_without_names_gets_them_from_their_email(demo):
    user = demo["learner"]
    user.first_name, user.last_name, user.email = "", "", "ana.lopez@example.edu"
    assert credly.recipient_names(user) == ("Ana", "Lopez")
    user.first_name = "Cher"
    assert credly.recipient_names(user) == ("Cher", "Cher")


# --- retries ----------------------------------------------------------------------------------------


def test_a_rate_limit_is_retried_no_sooner_than_retry_after(fake_credly, award_to, retry_countdowns):
    fake_credly.answer(429, {"data": {"message": "Rate limit exceeded"}}, {"Retry-After": "120"})
    award = award_to()
    assert len(issues(fake_credly)) == 2
    assert len(retry_countdowns) == 1 and retry_countdowns[0] >= 120
    badge = CredlyBadge.objects.get(award=award)
    assert badge.state == CredlyBadge.State.ISSUED and badge.attempts == 2 and badge.last_error == ""


def test_a_server_error_is_retried_after_a_backoff(fake_credly, award_to, retry_countdowns):
    fake_credly.answer(500, {"data": {"message": "Internal error"}})
    award = award_to()
    assert len(issues(fake_credly)) == 2
    assert len(retry_countdowns) == 1 and 30 <= retry_countdowns[0] <= math.ceil(30 * 1.25)
    badge = CredlyBadge.objects.get(award=award)
    assert badge.state == CredlyBadge.State.ISSUED and badge.badge_id and badge.attempts == 2


def test_once_the_retries_are_spent_the_badge_is_failed_with_the_error(
    fake_credly, award_to, retry_countdowns
):
    for _ in range(credly.MAX_RETRIES + 1):
        fake_credly.answer(503, {"data": {"message": "Down for maintenance"}})
    award = award_to()
    assert len(issues(fake_credly)) == credly.MAX_RETRIES + 1
    assert len(retry_countdowns) == credly.MAX_RETRIES
    badge = CredlyBadge.objects.get(award=award)
    assert badge.state == CredlyBadge.State.FAILED
    assert "503" in badge.last_error and "Down for maintenance" in badge.last_error
    assert award.state == Award.State.ISSUED and credential_verifies(award)


def test_backoff_doubles_with_jitter_up_to_a_cap():
    for retries, base in enumerate([30, 60, 120, 240, 480, 960, 1800, 1800]):
        delays = {credly.retry_delay(retries) for _ in range(40)}
        assert all(base <= delay <= math.ceil(base * 1.25) for delay in delays), (retries, delays)
        assert len(delays) > 1  # jitter: failures that came together do not come back together
    assert credly.retry_delay(0, retry_after=300) >= 300


def test_an_unreachable_credly_is_worth_retrying(settings, fake_credly):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CREDLY_BASE_URL = f"http://127.0.0.1:{port}"
    with pytest.raises(credly.CredlyError) as refused:
        credly.revoke_badge(badge_id="b-1", reason="Test.")
    assert refused.value.retryable and "could not be reached" in str(refused.value)


def test_a_permanent_refusal_fails_at_once_and_the_open_badge_is_issued_regardless(
    client, demo, fake_credly, award_to, retry_countdowns
):
    fake_credly.answer(
        422,
        {
            "data": {
                "message": "Validation failed",
                "errors": [{"attribute": "badge_template_id", "messages": ["is not active"]}],
            }
        },
    )
    award = award_to()
    assert len(fake_credly.requests) == 1 and retry_countdowns == []
    badge = CredlyBadge.objects.get(award=award)
    assert badge.state == CredlyBadge.State.FAILED and badge.badge_id == ""
    assert "422" in badge.last_error and "badge_template_id: is not active" in badge.last_error
    assert list(credly.failures()) == [badge]
    assert award.state == Award.State.ISSUED and credential_verifies(award)
    html = client.get(reverse("badges:award", args=[award.public_id])).content.decode()
    assert 'data-verified="yes"' in html and "Credly" not in html  # the public see no Credly line


# --- revoking ---------------------------------------------------------------------------------------


def test_revoking_an_award_revokes_it_in_credly(
    demo, fake_credly, award_to, django_capture_on_commit_callbacks
):
    award = award_to()
    badge_id = CredlyBadge.objects.get(award=award).badge_id
    with django_capture_on_commit_callbacks(execute=True):
        services.revoke(award=award, user=demo["office"], reason="Issued in error.")
    revoking = fake_credly.requests[-1]
    assert (revoking.method, revoking.path) == ("PUT", f"/v1/organizations/{ORG}/badges/{badge_id}/revoke")
    assert revoking.body == {"reason": "Issued in error.", "suppress_revoke_notification_email": False}
    assert CredlyBadge.objects.get(award=award).state == CredlyBadge.State.REVOKED
    credly.revoke(award_id=award.pk)  # delivered again
    assert len(fake_credly.requests) == 2


def test_revoking_an_award_whose_credly_issue_failed_sends_nothing(
    demo, fake_credly, award_to, django_capture_on_commit_callbacks
):
    fake_credly.answer(422, {"data": {"message": "Invalid email"}})
    award = award_to()
    with django_capture_on_commit_callbacks(execute=True):
        services.revoke(award=award, user=demo["office"], reason="Issued in error.")
    assert [r.method for r in fake_credly.requests] == ["POST"]
    assert CredlyBadge.objects.get(award=award).state == CredlyBadge.State.REVOKED
    assert not credly.failures().exists()


def test_a_revocation_credly_refused_is_retried_by_staff_as_a_revocation(
    client, demo, fake_credly, award_to, django_capture_on_commit_callbacks
):
    award = award_to()
    badge_id = CredlyBadge.objects.get(award=award).badge_id
    fake_credly.answer(404, {"data": {"message": "Badge not found"}})
    with django_capture_on_commit_callbacks(execute=True):
        services.revoke(award=award, user=demo["office"], reason="Issued in error.")
    badge = CredlyBadge.objects.get(award=award)
    assert badge.state == CredlyBadge.State.FAILED and "Badge not found" in badge.last_error
    client.force_login(demo["office"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("badges:credly_retry", args=[award.public_id]))
    assert [(r.method, r.path) for r in fake_credly.requests[1:]] == [
        ("PUT", f"/v1/organizations/{ORG}/badges/{badge_id}/revoke")
    ] * 2
    assert CredlyBadge.objects.get(award=award).state == CredlyBadge.State.REVOKED
    assert len(issues(fake_credly)) == 1


# --- staff: the award page, the retry button, the admin ------------------------------------------------


def test_office_staff_see_the_failure_and_retry_it_successfully(
    client, demo, fake_credly, award_to, django_capture_on_commit_callbacks
):
    fake_credly.answer(422, {"data": {"message": "Recipient email is invalid"}})
    award = award_to()
    page = reverse("badges:award", args=[award.public_id])
    retry_url = reverse("badges:credly_retry", args=[award.public_id])
    client.force_login(demo["office"])
    html = client.get(page).content.decode()
    assert 'data-credly-state="failed"' in html and "Recipient email is invalid" in html
    assert f'action="{retry_url}"' in html and "Retry in Credly" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url)
    assert response.status_code == 302 and response["Location"] == page
    badge = CredlyBadge.objects.get(award=award)
    assert badge.state == CredlyBadge.State.ISSUED and badge.badge_id and badge.last_error == ""
    assert len(issues(fake_credly)) == 2
    html = client.get(page).content.decode()
    assert 'data-credly-state="issued"' in html and badge.badge_id in html and "Retry in Credly" not in html

    client.post(retry_url, follow=True)  # nothing failed any more: nothing is sent
    assert len(issues(fake_credly)) == 2


@pytest.mark.parametrize("username", ["learner", "faculty", "evaluator"])
def test_only_office_staff_retry_credly(client, demo, fake_credly, award_to, username):
    fake_credly.answer(422, {"data": {"message": "Invalid"}})
    award = award_to()
    client.force_login(demo[username])
    assert (
        "Retry in Credly" not in client.get(reverse("badges:award", args=[award.public_id])).content.decode()
    )
    assert client.post(reverse("badges:credly_retry", args=[award.public_id])).status_code == 403
    assert CredlyBadge.objects.get(award=award).state == CredlyBadge.State.FAILED


def test_office_staff_never_retry_their_own_award(client, demo, fake_credly, award_to):
    fake_credly.answer(422, {"data": {"message": "Invalid"}})
    award = award_to(demo["office"])
    client.force_login(demo["office"])
    assert client.post(reverse("badges:credly_retry", args=[award.public_id])).status_code == 403


def test_retry_is_a_post_only(client, demo, fake_credly, award_to):
    fake_credly.answer(422, {"data": {"message": "Invalid"}})
    award = award_to()
    client.force_login(demo["office"])
    assert client.get(reverse("badges:credly_retry", args=[award.public_id])).status_code == 405
    assert len(fake_credly.requests) == 1


def test_the_admin_lists_credly_failures(client, demo, fake_credly, award_to):
    fake_credly.answer(422, {"data": {"message": "Template archived"}})
    award_to()
    client.force_login(demo["admin"])
    response = client.get("/admin/badges/credlybadge/", {"state__exact": "failed"})
    assert response.status_code == 200 and "Template archived" in response.content.decode()
