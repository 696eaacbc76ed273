"""Micro-certificates that stack: awarded automatically, exactly once, when the learner holds every
component; its credential names the components; revoking a component leaves the certificate for
the office to decide on, and tells them."""

import json

import pytest
from django.urls import reverse

from badges.awarding import stacking
from badges.issuing import services
from badges.models import Achievement, Award
from proposals.choices import Form
from proposals.policy import State
from review.models import Notification
from tests.badges.test_issuing import issuer_key  # noqa: F401  (fixture)
from tests.factories import complete_proposal
from tests.workflow import place_at, publish_achievement

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(fiu_demo):
    """FIU's policy has micro-certificates ("a collection of related micro-credentials")."""
    return fiu_demo


def publish_certificate(demo, capture, components):
    author = demo["faculty"]
    proposal = complete_proposal(
        author=author,
        unit=author.unit_roles.first().unit,
        title="Data Leadership",
        code="MC-DL-1",
        form=Form.MICRO_CERTIFICATE,
        theme="Leading with data",
    )
    proposal.components.set([c.proposal for c in components])
    proposal = place_at(proposal, State.APPROVED)
    from review import services as review

    with capture(execute=True):
        review.publish(proposal=proposal, user=demo["office"])
    return Achievement.objects.get(proposal=proposal)


@pytest.fixture
def parts(demo, issuer_key, django_capture_on_commit_callbacks):  # noqa: F811
    capture = django_capture_on_commit_callbacks
    first = publish_achievement(demo, capture, title="Data Storytelling", code="MC-DS-1")
    second = publish_achievement(demo, capture, title="Data Ethics", code="MC-DE-1")
    certificate = publish_certificate(demo, capture, [first, second])
    return first, second, certificate


def give(demo, achievement, capture, learner="learner"):
    with capture(execute=True):
        made = services.award(learner=demo[learner], achievement=achievement, awarded_by=demo["evaluator"])
    made.refresh_from_db()
    return made


def test_the_certificate_achievement_names_its_components(parts):
    first, second, certificate = parts
    assert certificate.achievement_type == Achievement.Type.CERTIFICATE
    assert certificate.data["achievementType"] == "Certificate"
    assert {r["id"] for r in certificate.data["related"]} == {first.url, second.url}
    assert all(r["type"] == ["Related"] for r in certificate.data["related"])


def test_the_last_component_brings_the_certificate_exactly_once(
    demo, parts, django_capture_on_commit_callbacks
):
    first, second, certificate = parts
    give(demo, first, django_capture_on_commit_callbacks)
    assert not Award.objects.filter(achievement=certificate).exists()
    second_award = give(demo, second, django_capture_on_commit_callbacks)
    made = Award.objects.get(achievement=certificate)
    assert made.learner == demo["learner"] and made.source == Award.Source.STACKED
    assert made.state == Award.State.ISSUED and made.awarded_by is None
    credential = json.loads(made.credential.json)
    evidence_ids = {item.get("id") for item in credential["evidence"]}
    assert {second_award.public_url, Award.objects.get(achievement=first).public_url} <= evidence_ids
    assert services.verify_credential(credential)
    # Issuing a component again (a second delivery) makes no second certificate.
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_credential(award_id=second_award.pk)
        stacking.award_completed_certificates(second_award)
    assert Award.objects.filter(achievement=certificate).count() == 1
    # Another learner holding one component only gets nothing.
    give(demo, first, django_capture_on_commit_callbacks, learner="coauthor")
    assert not Award.objects.filter(achievement=certificate, learner=demo["coauthor"]).exists()


def test_a_revoked_or_expired_component_does_not_count(demo, parts, django_capture_on_commit_callbacks):
    first, second, certificate = parts
    held = give(demo, first, django_capture_on_commit_callbacks)
    services.revoke(award=held, user=demo["office"], reason="Academic integrity finding.")
    give(demo, second, django_capture_on_commit_callbacks)
    assert not Award.objects.filter(achievement=certificate).exists()


def test_revoking_a_component_leaves_the_certificate_and_tells_the_office(
    client, demo, parts, django_capture_on_commit_callbacks
):
    first, second, certificate = parts
    held = give(demo, first, django_capture_on_commit_callbacks)
    give(demo, second, django_capture_on_commit_callbacks)
    made = Award.objects.get(achievement=certificate)
    with django_capture_on_commit_callbacks(execute=True):
        services.revoke(award=held, user=demo["office"], reason="Academic integrity finding.")
    made.refresh_from_db()
    assert made.state == Award.State.ISSUED  # not silently revoked
    assert [(a.pk, [p.pk for p, _ in missing]) for a, missing in stacking.certificates_no_longer_held()] == [
        (made.pk, [first.proposal_id])
    ]
    assert Notification.objects.filter(
        recipient=demo["office"], subject__contains="A component of “Data Leadership” was revoked"
    ).exists()
    client.force_login(demo["office"])
    page = client.get(reverse("badges:awarding")).content.decode()
    assert "Micro-certificates that no longer hold" in page and made.get_absolute_url() in page
    award_page = client.get(made.get_absolute_url()).content.decode()
    assert "no longer holds" in award_page
    # The learner does not see the staff's list.
    client.force_login(demo["learner"])
    assert client.get(reverse("badges:awarding")).status_code == 403


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_components_issued_at_the_same_moment_make_one_certificate(
    services_available, demo, settings, tmp_path, monkeypatch
):
    """Two connections issue the last two components at once on PostgreSQL: one certificate."""
    import threading

    from django.db import connection as main_connection

    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    services.create_issuer_key()
    monkeypatch.setattr(services, "_enqueue_issue", lambda award_id: None)  # no worker in this test

    from review import services as review
    from tests.factories import complete_proposal as make

    def publish(**fields):
        author = demo["faculty"]
        proposal = place_at(
            make(author=author, unit=author.unit_roles.first().unit, **fields), State.APPROVED
        )
        review.publish(proposal=proposal, user=demo["office"])
        return services.create_achievement(proposal_id=proposal.pk)

    first = publish(title="Data Storytelling", code="MC-DS-1")
    second = publish(title="Data Ethics", code="MC-DE-1")
    author = demo["faculty"]
    certificate_proposal = make(
        author=author,
        unit=author.unit_roles.first().unit,
        title="Data Leadership",
        code="MC-DL-1",
        form=Form.MICRO_CERTIFICATE,
        theme="Leading with data",
    )
    certificate_proposal.components.set([first.proposal, second.proposal])
    place_at(certificate_proposal, State.APPROVED)
    review.publish(proposal=certificate_proposal, user=demo["office"])
    certificate = services.create_achievement(proposal_id=certificate_proposal.pk)
    awards = [services.award(learner=demo["learner"], achievement=a) for a in (first, second)]

    barrier = threading.Barrier(2)
    errors = []

    def issue(award_id):
        from django.db import connection

        try:
            barrier.wait(timeout=10)
            services.issue_credential(award_id=award_id)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(a.pk,)) for a in awards]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert main_connection.vendor == "postgresql"
    assert not errors, errors
    assert Award.objects.filter(achievement=certificate, learner=demo["learner"]).count() == 1


def test_the_office_list_reads_a_constant_number_of_queries(demo, parts, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first, second, _certificate = parts

    def lapse(username):
        held = give(demo, first, django_capture_on_commit_callbacks, learner=username)
        give(demo, second, django_capture_on_commit_callbacks, learner=username)
        with django_capture_on_commit_callbacks(execute=True):
            services.revoke(award=held, user=demo["office"], reason="Finding.")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            found = stacking.certificates_no_longer_held()
        return len(found), len(captured)

    lapse("learner")
    one = queries()
    lapse("coauthor")
    lapse("registrar")
    three = queries()
    assert (one[0], three[0]) == (1, 3) and one[1] == three[1]


def test_issuing_an_achievement_in_no_certificate_asks_one_stacking_question(
    demo, parts, django_capture_on_commit_callbacks
):
    """Issuing an achievement that no micro-certificate contains asks the database one question
    about stacking (the link table), and never loads the proposal on its own or the certificates."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    alone = publish_achievement(demo, django_capture_on_commit_callbacks, title="Alone", code="MC-AL-1")
    with django_capture_on_commit_callbacks(execute=False):
        pending = services.award(learner=demo["learner"], achievement=alone, awarded_by=demo["evaluator"])
    with CaptureQueriesContext(connection) as captured:
        services.issue_credential(award_id=pending.pk)
    sql = [query["sql"] for query in captured]
    assert sum('"proposals_proposal_components"' in one for one in sql) == 1
    assert not [one for one in sql if 'FROM "proposals_proposal" ' in one]
    assert not Award.objects.filter(achievement__proposal__form=Form.MICRO_CERTIFICATE).exists()
