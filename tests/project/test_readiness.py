"""/readyz: each dependency's state for the operator and the load balancer; and pages that degrade,
never fail, when the shared cache (Redis) is down."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from badges.issuing import services
from badges.models import Award
from microcred import health

pytestmark = pytest.mark.django_db

DOWN_CACHE = {
    "default": {
        "BACKEND": "core.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.fixture
def key(settings, tmp_path):
    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    return services.create_issuer_key()


def report(client):
    response = client.get(reverse("readyz"))
    return response.status_code, {c["name"]: c for c in response.json()["checks"]}


def test_the_embedded_default_is_ready(client, key):
    status, checks = report(client)

    assert status == 200 and all(c["ok"] for c in checks.values()), checks


def test_without_a_signing_key_it_is_not_ready_and_says_what_to_run(client, db):
    status, checks = report(client)

    assert status == 503 and not checks["signing key"]["ok"]
    assert "create_issuer_key" in checks["signing key"]["detail"]


def test_a_missing_key_file_is_not_ready(client, key, settings, tmp_path):
    settings.ISSUER_KEY_DIR = tmp_path / "elsewhere"
    from badges.issuing import keys

    keys._loaded.clear()
    status, checks = report(client)

    assert status == 503 and "cannot be opened" in checks["signing key"]["detail"]


def test_work_that_waited_past_the_outbox_is_reported(client, key, demo, django_capture_on_commit_callbacks):
    from tests.workflow import publish_achievement

    achievement = publish_achievement(demo, django_capture_on_commit_callbacks)
    award = Award.objects.create(
        learner=demo["learner"], achievement=achievement, state=Award.State.PENDING, status_index=4242
    )
    Award.objects.filter(pk=award.pk).update(created_at=timezone.now() - timedelta(hours=1))

    status, checks = report(client)

    assert status == 503 and checks["outbox"]["detail"].endswith("1 awards.")


def test_with_a_worker_the_heartbeat_of_beats_sweep_is_watched(client, key, monkeypatch):
    from celery import current_app

    eager, broker = current_app.conf.task_always_eager, current_app.conf.broker_url
    current_app.conf.task_always_eager = False
    # Nothing listens there; Celery reads the environment's broker first.
    current_app.conf.broker_url = "redis://127.0.0.1:1/0"
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    try:
        _status, before = report(client)
        health.record_heartbeat()
        _status, after = report(client)
    finally:
        current_app.conf.task_always_eager, current_app.conf.broker_url = eager, broker

    assert not before["worker and beat"]["ok"] and after["worker and beat"]["ok"]
    assert not before["broker"]["ok"]


def test_with_redis_down_the_pages_answer_and_readiness_says_so(client, key, demo, settings):
    settings.CACHES = DOWN_CACHE
    client.force_login(demo["office"])

    dashboard = client.get(reverse("review:dashboard"))
    verify = client.post(reverse("badges:verify"), {})
    status, checks = report(client)

    assert dashboard.status_code == 200 and verify.status_code == 200
    assert status == 503 and not checks["cache"]["ok"] and checks["database"]["ok"]
