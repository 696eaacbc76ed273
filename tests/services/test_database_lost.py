"""PostgreSQL lost in the middle of a request (restarted, or the connection cut): the person gets
the clean error page, nothing of the request is half-written, and the next request works.

A restart ends every backend with "terminating connection due to administrator command"; the test
does that to the request's own backend, between two writes of a submission."""

import psycopg2
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from proposals.models import ProposalVersion
from proposals.policy import State
from review.models import AuditEvent
from review.services import workflow
from tests.factories import complete_proposal

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def cut_this_connection():
    """End the backend serving Django's connection, from another connection, as a restart does."""
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    other = psycopg2.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"] or "postgres",
        password=settings["PASSWORD"] or "",
        dbname=settings["NAME"],
    )
    other.autocommit = True
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()


def test_the_database_lost_mid_submission_shows_the_error_page_writes_nothing_and_then_works(
    services_available, demo, monkeypatch
):
    author = demo["faculty"]
    proposal = complete_proposal(author=author, unit=author.unit_roles.first().unit)
    entered = workflow.enter_stage

    def lost_then_enter(proposal):
        cut_this_connection()  # the version, the move and its history are written, not committed
        return entered(proposal)

    monkeypatch.setattr(workflow, "enter_stage", lost_then_enter)
    client = Client(raise_request_exception=False)
    client.force_login(author)
    answer = client.post(reverse("review:submit", args=[proposal.pk]))
    assert answer.status_code == 500
    assert "Something went wrong on our side" in answer.content.decode()
    assert "Traceback" not in answer.content.decode()

    proposal.refresh_from_db()  # Django reconnects
    assert proposal.state == State.DRAFT
    assert not ProposalVersion.objects.filter(proposal=proposal).exists()
    assert not AuditEvent.objects.filter(proposal=proposal, action=AuditEvent.Action.SUBMITTED).exists()

    monkeypatch.setattr(workflow, "enter_stage", entered)
    assert client.get(reverse("proposals:detail", args=[proposal.pk])).status_code == 200
    assert client.post(reverse("review:submit", args=[proposal.pk])).status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == State.UNIT_REVIEW and proposal.versions.count() == 1


def served(path):
    """The status of ``path`` served by Django's WSGI handler in this thread, as gunicorn serves it
    (the request signals connected: the kept connection is checked at the start of each request;
    the test client turns that off)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.client import RequestFactory

    statuses = []
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET")
    response = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    b"".join(response)
    response.close()
    return int(statuses[0].split()[0])


def test_after_the_kept_connection_is_cut_the_next_request_is_served(services_available, settings):
    """As after a restart between two requests: the connection kept open between requests is dead;
    Django's health check at the start of the next request finds it so and connects again,
    instead of failing that request."""
    settings.ALLOWED_HOSTS = ["testserver"]
    assert served("/healthz") == 200
    kept = connection.connection.info.backend_pid
    cut_this_connection()
    assert served("/healthz") == 200 and served("/badges/catalog/") == 200
    assert connection.connection.info.backend_pid != kept
