"""The registrar: exactly one record per award that reaches the transcript, states with their
history, revocations, corrections, batches with exact files, and who may do any of it."""

import csv
import hashlib
import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from badges.issuing import services as badges_services
from badges.models import Learner
from tests.workflow import publish_achievement
from transcripts import services
from transcripts.models import RecordEvent, Term, TranscriptRecord

pytestmark = pytest.mark.django_db
S = TranscriptRecord.State


@pytest.fixture
def key(settings, tmp_path):
    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    return badges_services.create_issuer_key()


@pytest.fixture
def term(db):
    today = date.today()
    return Term.objects.create(
        code="T1", name="This term", start=today.replace(day=1), end=date(today.year, 12, 31)
    )


publish = publish_achievement


def awarded(demo, achievement, capture, username, student_id="", given="Zoë", family="D'Souza, Jr."):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username, email=f"{username}@example.edu", first_name=given, last_name=family
    )
    Learner.objects.create(user=user, student_id=student_id)
    with capture(execute=True):
        award = badges_services.award(learner=user, achievement=achievement, awarded_by=demo["evaluator"])
    award.refresh_from_db()
    return award


@pytest.fixture
def credit(demo, key, term, django_capture_on_commit_callbacks):
    return publish(demo, django_capture_on_commit_callbacks)


def test_binghamton_sends_credit_bearing_awards_only(demo, credit, key, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    non_credit = publish(demo, capture, kind="non_credit", title="Non-credit", code="MC-NC")
    a = awarded(demo, credit, capture, "s1", "B1")
    b = awarded(demo, non_credit, capture, "s2", "B2")
    outsider = awarded(demo, credit, capture, "s3", "")
    assert TranscriptRecord.objects.filter(award=a).count() == 1
    assert not TranscriptRecord.objects.filter(award=b).exists()
    flagged = TranscriptRecord.objects.get(award=outsider)
    assert flagged.student_id == "" and not flagged.has_student_id  # kept, flagged


def test_fiu_sends_every_award(fiu_demo, key, term, django_capture_on_commit_callbacks):
    non_credit = publish(fiu_demo, django_capture_on_commit_callbacks, kind="non_credit", code="MC-NC")
    award = awarded(fiu_demo, non_credit, django_capture_on_commit_callbacks, "s1", "6001")
    record = TranscriptRecord.objects.get(award=award)
    assert record.credits is None and record.student_id == "6001"


def test_exactly_one_record_per_award_whatever_the_deliveries(
    demo, credit, django_capture_on_commit_callbacks
):
    award = awarded(demo, credit, django_capture_on_commit_callbacks, "s1", "B1")
    services.record_award(award_id=award.pk)
    services.record_award(award_id=award.pk)
    assert TranscriptRecord.objects.filter(award=award).count() == 1
    record = TranscriptRecord.objects.get(award=award)
    assert record.term.code == "T1" and record.state == S.PENDING
    with pytest.raises(IntegrityError), transaction.atomic():  # the database itself refuses a second
        TranscriptRecord.objects.create(
            **{
                f.name: getattr(record, f.name)
                for f in TranscriptRecord._meta.concrete_fields
                if f.name != "id"
            }
            | {"id": None}
        )


def test_an_award_outside_every_term_is_flagged_not_guessed(demo, key, django_capture_on_commit_callbacks):
    achievement = publish(demo, django_capture_on_commit_callbacks)
    award = awarded(demo, achievement, django_capture_on_commit_callbacks, "s1", "B1")
    assert TranscriptRecord.objects.get(award=award).term is None


REGISTRAR_PAGES = ["transcripts:queue", "transcripts:batches", "transcripts:terms"]


@pytest.mark.parametrize(
    "username", ["faculty", "office", "evaluator", "learner", "unitreviewer", "gc-chair"]
)
def test_nobody_but_registrar_staff_sees_or_changes_the_queue(
    client, demo, credit, username, django_capture_on_commit_callbacks
):
    award = awarded(demo, credit, django_capture_on_commit_callbacks, "s1", "B1")
    record = TranscriptRecord.objects.get(award=award)
    client.force_login(demo[username])
    for name in REGISTRAR_PAGES:
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("transcripts:record", args=[record.pk])).status_code == 403
    response = client.post(reverse("transcripts:bulk"), {"records": [record.pk], "action": "verify"})
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.state == S.PENDING and not RecordEvent.objects.filter(action="verified").exists()
    client.logout()
    assert client.get(reverse("transcripts:queue")).status_code == 302  # to the login page


def test_registrar_verifies_and_rejects_many_at_once(
    client, demo, credit, django_capture_on_commit_callbacks
):
    awards = [awarded(demo, credit, django_capture_on_commit_callbacks, f"s{n}", f"B{n}") for n in range(3)]
    records = [TranscriptRecord.objects.get(award=a) for a in awards]
    client.force_login(demo["registrar"])
    page = client.get(reverse("transcripts:queue")).content.decode()
    assert 'Pending <span class="badge text-bg-light">3</span>' in page
    client.post(reverse("transcripts:bulk"), {"records": [records[0].pk, records[1].pk], "action": "verify"})
    no_reason = client.post(
        reverse("transcripts:bulk"), {"records": [records[2].pk], "action": "reject"}, follow=True
    )
    assert "Say why the records are rejected." in no_reason.content.decode()
    client.post(
        reverse("transcripts:bulk"), {"records": [records[2].pk], "action": "reject", "reason": "Duplicate."}
    )
    states = [TranscriptRecord.objects.get(pk=r.pk).state for r in records]
    assert states == [S.VERIFIED, S.VERIFIED, S.REJECTED]
    event = RecordEvent.objects.get(record=records[2], action="rejected")
    assert (event.actor, event.reason) == (demo["registrar"], "Duplicate.")


def test_correction_until_batched_with_its_reason_kept(
    client, demo, credit, term, django_capture_on_commit_callbacks
):
    award = awarded(demo, credit, django_capture_on_commit_callbacks, "s1", "")
    record = TranscriptRecord.objects.get(award=award)
    services.verify(records=[record], user=demo["registrar"])
    with pytest.raises(ValidationError, match="No verified record"):
        services.create_batch(term=term, user=demo["registrar"])  # no student ID: cannot be batched
    client.force_login(demo["registrar"])
    client.post(
        reverse("transcripts:record", args=[record.pk]),
        {"student_id": "B777", "reason": "Wrong ID at award."},
    )
    record.refresh_from_db()
    assert record.student_id == "B777"
    event = RecordEvent.objects.get(record=record, action="corrected")
    assert event.changes == {"student_id": ["", "B777"]} and event.reason == "Wrong ID at award."
    services.create_batch(term=term, user=demo["registrar"])
    with pytest.raises(ValidationError, match="until it is batched"):
        services.correct(record=record, user=demo["registrar"], reason="x", student_id="B8")


def test_revocation_before_posting_withdraws_and_after_posting_reverses(
    demo, credit, term, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    early, late = awarded(demo, credit, capture, "s1", "B1"), awarded(demo, credit, capture, "s2", "B2")
    registrar = demo["registrar"]
    services.verify(records=list(TranscriptRecord.objects.filter(award=late)), user=registrar)
    batch = services.create_batch(term=term, user=registrar)
    services.post_batch(batch=batch, user=registrar, sis_reference="SIS-1", posted_on=date.today())
    for award in (early, late):
        with capture(execute=True):
            badges_services.revoke(award=award, user=demo["office"], reason="In error.")
    assert TranscriptRecord.objects.get(award=early).state == S.WITHDRAWN
    assert (
        RecordEvent.objects.get(record__award=early, action="withdrawn").reason == "Award revoked: In error."
    )
    reversal = TranscriptRecord.objects.get(award=late, kind=TranscriptRecord.Kind.REVERSAL)
    assert (
        reversal.state == S.PENDING
        and TranscriptRecord.objects.get(award=late, kind="award").state == S.POSTED
    )
    services.award_revoked(award_id=late.pk)  # delivered again: still one reversal
    assert TranscriptRecord.objects.filter(award=late).count() == 2


def test_batch_files_say_exactly_what_the_records_say(
    client, demo, credit, term, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    tricky = awarded(
        demo, credit, capture, "s1", '=HYPERLINK("x")', given="Zoë\nAnn", family='D\'Souza, "Jr."'
    )
    plain = awarded(demo, credit, capture, "s2", "B2", given="Émile", family="Zola")
    registrar = demo["registrar"]
    services.verify(records=list(TranscriptRecord.objects.all()), user=registrar)
    batch = services.create_batch(term=term, user=registrar)
    client.force_login(registrar)
    first = client.get(reverse("transcripts:batch_file", args=[batch.pk, "csv"]))
    again = client.get(reverse("transcripts:batch_file", args=[batch.pk, "csv"]))
    assert first.content == again.content
    assert hashlib.sha256(first.content).hexdigest() == batch.csv_sha256
    assert batch.csv_sha256 in client.get(reverse("transcripts:batch", args=[batch.pk])).content.decode()
    rows = list(csv.DictReader(io.StringIO(first.content.decode("utf-8"), newline="")))
    assert list(rows[0]) == [
        "record_id",
        "record_type",
        "student_id",
        "family_name",
        "given_name",
        "email",
        "credential_code",
        "credential_title",
        "credits",
        "level",
        "awarding_unit",
        "award_date",
        "term_code",
    ]
    by_email = {row["email"]: row for row in rows}
    assert by_email["s1@example.edu"]["student_id"] == '\'=HYPERLINK("x")'  # never run as a formula
    assert by_email["s1@example.edu"]["given_name"] == "Zoë\nAnn"
    assert by_email["s1@example.edu"]["family_name"] == 'D\'Souza, "Jr."'
    assert (
        by_email["s2@example.edu"]["given_name"] == "Émile" and by_email["s2@example.edu"]["credits"] == "6"
    )
    assert b"\r\n" in first.content and first["Content-Type"] == "text/csv; charset=utf-8"
    assert {tricky.pk, plain.pk} == set(
        TranscriptRecord.objects.filter(batch=batch).values_list("award_id", flat=True)
    )
    response = client.post(
        reverse("transcripts:batch", args=[batch.pk]), {"sis_reference": "SIS-9", "posted_on": "2026-12-01"}
    )
    assert response.status_code == 302
    assert set(TranscriptRecord.objects.filter(batch=batch).values_list("state", flat=True)) == {S.POSTED}


def test_the_learner_sees_the_transcript_status_of_their_award(
    client, demo, credit, django_capture_on_commit_callbacks
):
    award = awarded(demo, credit, django_capture_on_commit_callbacks, "s1", "B1")
    client.force_login(award.learner)
    assert (
        "Transcript: pending (This term)."
        in client.get(reverse("badges:award", args=[award.public_id])).content.decode()
    )
    client.force_login(demo["coauthor"])
    assert "Transcript:" not in client.get(reverse("badges:award", args=[award.public_id])).content.decode()


def test_the_queue_keeps_its_query_count_as_records_grow(
    client, demo, credit, term, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    award = awarded(demo, credit, django_capture_on_commit_callbacks, "s1", "B1")
    template = TranscriptRecord.objects.get(award=award)
    client.force_login(demo["registrar"])

    def count(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    paths = [reverse("transcripts:queue"), reverse("transcripts:queue") + "?q=Souza&state=pending&term=T1"]
    few = [count(p) for p in paths]
    fields = {
        f.name: getattr(template, f.name)
        for f in TranscriptRecord._meta.concrete_fields
        if f.name not in ("id", "award", "kind")
    }
    from badges.models import Award

    extra_awards = Award.objects.bulk_create(
        [
            Award(learner=template.learner, achievement=credit, status_index=1000 + n, public_id=None)
            for n in range(0)
        ]
    )
    del extra_awards
    # many records: each needs its own award (one record per award and kind)
    from django.contrib.auth import get_user_model

    learners = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bulk{n}") for n in range(5000)]
    )
    import uuid

    awards = Award.objects.bulk_create(
        [
            Award(
                learner=u,
                achievement=credit,
                status_index=10_000 + n,
                public_id=uuid.uuid4(),
                credential_uuid=uuid.uuid4(),
            )
            for n, u in enumerate(learners)
        ]
    )
    TranscriptRecord.objects.bulk_create(
        [TranscriptRecord(**{**fields, "award": a, "learner": a.learner}) for a in awards]
    )
    assert [count(p) for p in paths] == few


def test_the_queue_filters_by_a_credential_code_typed_in_any_case(
    client, demo, credit, term, django_capture_on_commit_callbacks
):
    awarded(demo, credit, django_capture_on_commit_callbacks, "s1", "B1")
    client.force_login(demo["registrar"])
    queue = reverse("transcripts:queue")
    found = client.get(queue, {"credential": credit.proposal.code.lower()}).content.decode()
    assert 'data-record="' in found and f'value="{credit.proposal.code.lower()}"' in found
    other = client.get(queue, {"credential": "NO-SUCH-CODE"}).content.decode()
    assert 'data-record="' not in other
    # A menu of every published micro-credential would not scale: the code is typed.
    assert '<select class="form-select form-select-sm" id="credential"' not in found


def test_the_queue_says_how_many_records_match_with_and_without_filters(
    client, demo, credit, term, django_capture_on_commit_callbacks
):
    for n in range(3):
        awarded(demo, credit, django_capture_on_commit_callbacks, f"s{n}", f"B{n}")
    services.verify(records=list(TranscriptRecord.objects.all()[:1]), user=demo["registrar"])
    client.force_login(demo["registrar"])
    queue = reverse("transcripts:queue")

    def caption(**filters):
        return client.get(queue, filters).content.decode().split("<caption>")[1].split(" record")[0]

    assert caption() == "3" and caption(state="pending") == "2" and caption(state="verified") == "1"
    assert caption(state="pending", q="s1") == "1"


def test_permission_denied_for_non_registrar_services(demo, credit, django_capture_on_commit_callbacks):
    award = awarded(demo, credit, django_capture_on_commit_callbacks, "s1", "B1")
    with pytest.raises(PermissionDenied):
        services.verify(records=list(TranscriptRecord.objects.filter(award=award)), user=demo["office"])


def test_registrar_staff_keep_the_academic_calendar(client, demo, term):
    client.force_login(demo["registrar"])
    bad = client.post(
        reverse("transcripts:terms"),
        {"code": "T2", "name": "Next", "start": "2027-05-01", "end": "2027-01-01"},
    )
    assert (
        "A term ends on or after the day it starts." in bad.content.decode()
        and not Term.objects.filter(code="T2").exists()
    )
    client.post(
        reverse("transcripts:term", args=[term.pk]),
        {"code": "T1", "name": "Renamed", "start": term.start, "end": term.end},
    )
    term.refresh_from_db()
    assert term.name == "Renamed"
    client.force_login(demo["faculty"])
    assert (
        client.post(
            reverse("transcripts:term", args=[term.pk]),
            {"code": "X", "name": "X", "start": term.start, "end": term.end},
        ).status_code
        == 403
    )


def test_the_record_page_shows_its_history(client, demo, credit, django_capture_on_commit_callbacks):
    award = awarded(demo, credit, django_capture_on_commit_callbacks, "s1", "B1")
    record = TranscriptRecord.objects.get(award=award)
    services.verify(records=[record], user=demo["registrar"])
    client.force_login(demo["registrar"])
    page = client.get(reverse("transcripts:record", args=[record.pk])).content.decode()
    assert (
        "<strong>Created</strong> by the system" in page
        and "<strong>Verified</strong> by Rita Nguyen" in page
    )


@pytest.mark.parametrize(
    "name", ['\uff1dHYPERLINK("x")', "\u200b=1+1", "\uff20SUM(A1)", "\uff0b1", "\uff0d1"]
)
def test_the_registrars_csv_makes_disguised_formulas_inert(name):
    record = TranscriptRecord(
        pk=1,
        kind="award",
        given_name=name,
        family_name=name,
        email="s@example.edu",
        student_id="B1",
        credential_code="MC-1",
        credential_title="Data",
        level="Undergraduate",
        unit="Unit",
        award_date=date(2026, 5, 1),
    )
    row = next(csv.DictReader(io.StringIO(services.render_csv([record]), newline="")))
    assert row["given_name"] == row["family_name"] == "'" + name


def test_a_batch_says_which_verified_records_it_left_out_and_why(
    client, demo, credit, term, django_capture_on_commit_callbacks
):
    with_id = awarded(demo, credit, django_capture_on_commit_callbacks, "s1", "B001")
    without = awarded(demo, credit, django_capture_on_commit_callbacks, "s2", "", given="Ana", family="Lima")
    records = [TranscriptRecord.objects.get(award=a) for a in (with_id, without)]
    client.force_login(demo["registrar"])
    client.post(reverse("transcripts:bulk"), {"records": [r.pk for r in records], "action": "verify"})

    made = client.post(reverse("transcripts:batch_create"), {"term": term.pk}, follow=True).content.decode()

    assert "Left out, for want of a student ID: Ana Lima." in made


def test_the_queue_offers_a_box_only_where_a_record_can_still_be_verified_or_rejected(
    client, demo, credit, term, django_capture_on_commit_callbacks
):
    awards = [awarded(demo, credit, django_capture_on_commit_callbacks, f"s{n}", f"B{n}") for n in range(2)]
    records = [TranscriptRecord.objects.get(award=a) for a in awards]
    client.force_login(demo["registrar"])
    client.post(reverse("transcripts:bulk"), {"records": [records[0].pk], "action": "verify"})
    client.post(reverse("transcripts:batch_create"), {"term": term.pk})

    page = client.get(reverse("transcripts:queue")).content.decode()

    assert f'id="rec-{records[1].pk}"' in page and f'id="rec-{records[0].pk}"' not in page
    assert "data-select-all" in page and "Award date</option>" in page and "Award_date" not in page


def test_the_terms_links_say_their_visible_text_first_wcag_label_in_name(client, demo, term):
    import re

    client.force_login(demo["registrar"])
    page = client.get(reverse("transcripts:terms")).content.decode()

    links = re.findall(r'<a [^>]*aria-label="([^"]+)"[^>]*>([^<]+)</a>', page)
    assert links and all(label.startswith(text) for label, text in links), links
