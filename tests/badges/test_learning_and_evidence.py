"""Learners join published micro-credentials and submit evidence; evaluators accept or return it;
the last acceptance makes the award. Registration for learners from outside the university."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from badges import permissions
from badges.issuing import services
from badges.learning import selectors as learning_selectors
from badges.learning import services as learning
from badges.models import Award, Enrolment, Evidence, Learner
from proposals.models import Unit, UnitRole
from tests.factories import faculty
from tests.workflow import publish_achievement

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(settings, tmp_path):
    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    return services.create_issuer_key()


publish = publish_achievement


@pytest.fixture
def achievement(demo, key, django_capture_on_commit_callbacks):
    return publish(
        demo,
        django_capture_on_commit_callbacks,
        open_to_non_matriculated=True,
        non_matriculated_terms="Through continuing education.",
    )


@pytest.fixture
def student(demo):
    Learner.objects.create(user=demo["learner"], student_id="B00012345")
    return demo["learner"]


def test_the_catalog_tells_a_learner_what_they_need_to_know(client, achievement):
    page = client.get(reverse("badges:catalog")).content.decode()
    assert achievement.name in page
    detail = client.get(reverse("badges:catalog_detail", args=[achievement.uuid])).content.decode()
    for expected in (
        "What you will be able to do",
        "NACE competencies",
        "Learning activities",
        "What you submit",
        "Portfolio review",
        "6 credits",
        "Who may join",
        "Through continuing education.",
    ):
        assert expected in detail, expected
    assert "Log in or register to join." in detail


def test_an_enrolled_student_joins_and_earns_the_award(
    client, demo, achievement, student, django_capture_on_commit_callbacks
):
    client.force_login(student)
    response = client.post(reverse("badges:join", args=[achievement.uuid]), {"listed": "on"})
    enrolment = Enrolment.objects.get(learner=student, achievement=achievement)
    assert response["Location"] == reverse("badges:enrolment", args=[enrolment.pk]) and enrolment.listed
    parts = learning_selectors.required_parts(achievement)
    assert [title for _part, title in parts] == ["Portfolio review"]  # Binghamton: no reflection part
    part = parts[0][0]
    prefix = part.replace(":", "-")
    # an empty submission is refused with the message on the page
    empty = client.post(reverse("badges:submit_evidence", args=[enrolment.pk, part]), {})
    assert empty.status_code == 400 and "write it, link to it or attach a file" in empty.content.decode()
    # a file that is not what it claims is refused
    fake = SimpleUploadedFile("portfolio.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = client.post(
        reverse("badges:submit_evidence", args=[enrolment.pk, part]), {f"{prefix}-file": fake}
    )
    assert refused.status_code == 400 and "is not a file type we accept" in refused.content.decode()
    client.post(
        reverse("badges:submit_evidence", args=[enrolment.pk, part]), {f"{prefix}-text": "My portfolio."}
    )
    evidence = Evidence.objects.get(enrolment=enrolment)
    # the evaluator of another unit neither sees nor reviews it
    other_unit = Unit.objects.create(code="other", name="Other", kind=Unit.Kind.DEPARTMENT)
    stranger = faculty("stranger")
    UnitRole.objects.create(unit=other_unit, user=stranger, role=UnitRole.Role.PROGRAM_EVALUATOR)
    client.force_login(stranger)
    assert evidence.part_title not in client.get(reverse("badges:evaluation_queue")).content.decode()
    assert client.get(reverse("badges:review", args=[evidence.pk])).status_code == 404
    assert (
        client.post(reverse("badges:review", args=[evidence.pk]), {"decision": "accept"}).status_code == 404
    )
    # the unit's evaluator returns it: feedback is required
    client.force_login(demo["evaluator"])
    assert "Portfolio review" in client.get(reverse("badges:evaluation_queue")).content.decode()
    no_feedback = client.post(reverse("badges:review", args=[evidence.pk]), {"decision": "return"})
    assert "Say what the learner should improve." in no_feedback.content.decode()
    client.post(
        reverse("badges:review", args=[evidence.pk]),
        {"decision": "return", "feedback": "Add the rubric scores."},
    )
    evidence.refresh_from_db()
    assert evidence.state == Evidence.State.RETURNED
    # the learner sees the feedback and resubmits
    client.force_login(student)
    page = client.get(reverse("badges:enrolment", args=[enrolment.pk])).content.decode()
    assert "Add the rubric scores." in page
    client.post(
        reverse("badges:submit_evidence", args=[enrolment.pk, part]),
        {f"{prefix}-text": "Portfolio with scores."},
    )
    # the evaluator accepts: that was the last piece, so the award is made and issued
    client.force_login(demo["evaluator"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("badges:review", args=[evidence.pk]), {"decision": "accept"})
    award = Award.objects.get(learner=student, achievement=achievement)
    assert award.state == Award.State.ISSUED and award.awarded_by == demo["evaluator"] and award.listed
    client.force_login(student)
    assert achievement.name in client.get(reverse("badges:my_awards")).content.decode()


def test_a_learner_sees_only_their_own_enrolment_and_evidence(client, demo, achievement, student):
    enrolment = learning.join(user=student, achievement=achievement)
    evidence = learning.submit_evidence(
        enrolment=enrolment, user=student, part=learning_selectors.required_parts(achievement)[0][0], text="x"
    )
    client.force_login(demo["coauthor"])
    assert client.get(reverse("badges:enrolment", args=[enrolment.pk])).status_code == 404
    assert client.get(reverse("badges:review", args=[evidence.pk])).status_code == 404


def test_nobody_evaluates_their_own_evidence(demo, achievement):
    evaluator = demo["evaluator"]
    Learner.objects.create(user=evaluator, student_id="B0009")
    enrolment = learning.join(user=evaluator, achievement=achievement)
    evidence = learning.submit_evidence(
        enrolment=enrolment,
        user=evaluator,
        part=learning_selectors.required_parts(achievement)[0][0],
        text="x",
    )
    assert not permissions.may_evaluate(evaluator, enrolment)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        learning.review_evidence(evidence=evidence, user=evaluator, decision="accept")


def test_only_students_join_a_micro_credential_closed_to_others(
    client, demo, key, django_capture_on_commit_callbacks
):
    closed = publish(demo, django_capture_on_commit_callbacks, title="Students only", code="MC-SO")
    outsider = faculty("outsider")
    Learner.objects.create(user=outsider)
    client.force_login(outsider)
    assert (
        "open to enrolled students only"
        in client.get(reverse("badges:catalog_detail", args=[closed.uuid])).content.decode()
    )
    assert client.post(reverse("badges:join", args=[closed.uuid])).status_code == 403
    assert not Enrolment.objects.exists()


def test_a_learner_from_outside_registers_verifies_their_email_then_joins(client, achievement):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "ana@example.org",
            "first_name": "Ana",
            "last_name": "Lima",
            "password1": "a-long-passphrase-9",
            "password2": "a-long-passphrase-9",
        },
    )
    assert response.status_code == 302
    from django.contrib.auth import get_user_model

    ana = get_user_model().objects.get(email="ana@example.org")
    assert ana.get_full_name() == "Ana Lima"
    assert Learner.objects.filter(user=ana, student_id="").exists()
    assert ana.groups.filter(name="Learner").exists()
    client.force_login(ana)
    detail = client.get(reverse("badges:catalog_detail", args=[achievement.uuid])).content.decode()
    assert "Verify your email address first" in detail
    assert client.post(reverse("badges:join", args=[achievement.uuid])).status_code == 403
    link = re.search(r"https?://\S+/learners/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    client.post(link.split("testserver")[-1] if "testserver" in link else link[link.index("/learners/") :])
    client.post(reverse("badges:join", args=[achievement.uuid]))
    assert Enrolment.objects.filter(learner=ana, achievement=achievement).exists()


def test_the_confirmation_link_logs_the_new_learner_in_on_the_micro_credential_they_wanted(
    client, achievement
):
    detail = reverse("badges:catalog_detail", args=[achievement.uuid])
    page = client.get(detail).content.decode()
    register = re.search(r'href="(/learners/signup/\?next=[^"]+)"', page).group(1).replace("&amp;", "&")
    form = client.get(register).content.decode()
    assert f'value="{detail}"' in form  # the way on is kept through the form

    client.post(
        register,
        {
            "first_name": "Ana",
            "last_name": "Lima",
            "email": "ana@example.org",
            "password1": "a-long-passphrase-9",
            "password2": "a-long-passphrase-9",
            "next": detail,
        },
    )
    link = re.search(r"/learners/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    landed = client.get(link, follow=True)

    assert landed.redirect_chain[-1][0] == detail
    assert landed.context["user"].email == "ana@example.org"
    assert "Verify your email address first" not in landed.content.decode()


def test_fiu_asks_for_the_reflection_and_the_office_evaluates(
    settings, fiu_demo, django_capture_on_commit_callbacks, tmp_path
):
    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    services.create_issuer_key()
    achievement = publish(fiu_demo, django_capture_on_commit_callbacks)
    Learner.objects.create(user=fiu_demo["learner"], student_id="6001234")
    enrolment = learning.join(user=fiu_demo["learner"], achievement=achievement)
    assert [title for _p, title in learning_selectors.required_parts(achievement)] == [
        "Portfolio review",
        "Culminating reflection",
    ]
    assert permissions.may_evaluate(fiu_demo["office"], enrolment)
    assert not permissions.may_evaluate(fiu_demo["evaluator"], enrolment)
    award = None
    with django_capture_on_commit_callbacks(execute=True):
        for part, _title in learning_selectors.required_parts(achievement):
            evidence = learning.submit_evidence(
                enrolment=enrolment, user=fiu_demo["learner"], part=part, text="Done."
            )
            award = (
                learning.review_evidence(evidence=evidence, user=fiu_demo["office"], decision="accept")
                or award
            )
    award.refresh_from_db()
    assert award.state == Award.State.ISSUED
