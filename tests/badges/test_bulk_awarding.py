"""Awarding a class from a spreadsheet: the preview says what happens to each row and awards
nobody; confirming awards the good rows once, through the same issuing path as single awards; bad
files get a clear message beside the file field, never a 500."""

import hashlib
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from badges.awarding import bulk
from badges.issuing import services
from badges.models import Award, BulkAward, Learner
from proposals.models import Unit, UnitRole
from tests.badges import test_issuing

# The awards tests' fixtures.
achievement, issuer_key = test_issuing.achievement, test_issuing.issuer_key

pytestmark = pytest.mark.django_db

HEADER = "email,given name,family name,student ID,evidence URL,narrative\n"


def csv_file(body, header=HEADER, name="class.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, (header + body).encode(encoding), content_type="text/csv")


def upload(client, achievement, file):
    return client.post(reverse("badges:awarding"), {"achievement": achievement.pk, "file": file})


def confirm(client, made, capture):
    with capture(execute=True):
        return client.post(reverse("badges:bulk_confirm", args=[made.pk]))


CLASS = (
    "ada@example.edu,Ada,Lovelace,B001,https://portfolio.example.edu/ada,Capstone graded A\n"
    "grace@example.edu,Grace,Hopper,B002,,Final exam passed\n"
    "learner@demo.invalid,Leo,Martins,B003,,Portfolio reviewed\n"
    "not-an-email,Bad,Row,,,\n"
    'eve@example.edu,=HYPERLINK("x"),Evil,,,\n'
    "ada@example.edu,Ada,Again,,,Capstone graded A\n"
    "nameless@example.edu,,,,,\n"
)


@pytest.fixture
def evaluator_client(client, demo):
    client.force_login(demo["evaluator"])
    return client


def outcomes(made):
    return {row["line"]: (row["outcome"], row["reason"]) for row in made.rows}


def test_the_preview_says_what_happens_to_each_row_and_awards_nobody(evaluator_client, demo, achievement):
    users_before = get_user_model().objects.count()
    response = upload(evaluator_client, achievement, csv_file(CLASS))
    made = BulkAward.objects.get()
    assert response.status_code == 302 and response["Location"] == made.get_absolute_url()
    found = outcomes(made)
    assert found[2] == ("new", "")
    assert found[3] == ("new", "")
    assert found[4] == ("existing", "")
    assert found[5][0] == "error" and "not an email address" in found[5][1]
    assert found[6][0] == "error" and "formula" in found[6][1]
    assert found[7][0] == "error" and "line 2" in found[7][1]
    assert found[8][0] == "error" and "given name and the family name" in found[8][1]
    # Nothing awarded, nobody created, before confirmation.
    assert Award.objects.count() == 0
    assert get_user_model().objects.count() == users_before
    page = evaluator_client.get(made.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200
    assert "Nothing has been awarded yet" in text and "Award 3 learners" in text
    assert 'data-outcome="error">Error: 4' in text
    assert "is not an email address" in text


def test_confirming_awards_the_good_rows_once_with_their_evidence(
    evaluator_client, demo, achievement, django_capture_on_commit_callbacks, mailoutbox
):
    upload(evaluator_client, achievement, csv_file(CLASS))
    made = BulkAward.objects.get()
    confirm(evaluator_client, made, django_capture_on_commit_callbacks)
    made.refresh_from_db()
    assert made.state == BulkAward.State.DONE and made.awarded == 3 and made.processed == 7
    assert made.confirmed_by == demo["evaluator"] and made.confirmed_at is not None
    awards = Award.objects.filter(bulk=made)
    assert {a.learner.email for a in awards} == {
        "ada@example.edu",
        "grace@example.edu",
        "learner@demo.invalid",
    }
    assert all(a.state == Award.State.ISSUED and a.source == Award.Source.BULK for a in awards)
    ada = get_user_model().objects.get(email="ada@example.edu")
    assert (ada.first_name, ada.last_name, ada.has_usable_password()) == ("Ada", "Lovelace", False)
    assert Learner.objects.get(user=ada).student_id == "B001"
    credential = json.loads(awards.get(learner=ada).credential.json)
    assert credential["evidence"] == [
        {"type": ["Evidence"], "id": "https://portfolio.example.edu/ada", "narrative": "Capstone graded A"}
    ]
    assert services.verify_credential(credential)
    # The learners are told; the upload is kept byte for byte.
    assert {m.to[0] for m in mailoutbox} >= {"ada@example.edu", "grace@example.edu", "learner@demo.invalid"}
    assert made.file.read() == (HEADER + CLASS).encode()
    assert made.sha256 == hashlib.sha256((HEADER + CLASS).encode()).hexdigest()
    page = evaluator_client.get(made.get_absolute_url()).content.decode()
    assert "3 learners awarded" in page and reverse("badges:award", args=[awards.first().public_id]) in page


def test_the_same_file_again_awards_nobody_twice(
    evaluator_client, demo, achievement, django_capture_on_commit_callbacks
):
    upload(evaluator_client, achievement, csv_file(CLASS))
    confirm(evaluator_client, BulkAward.objects.get(), django_capture_on_commit_callbacks)
    upload(evaluator_client, achievement, csv_file(CLASS))
    again = BulkAward.objects.order_by("-pk").first()
    assert [o for o, _ in outcomes(again).values()].count("holds") == 3
    page = evaluator_client.get(again.get_absolute_url()).content.decode()
    assert "This same file was confirmed before" in page and "No row of this file can be awarded" in page
    response = confirm(evaluator_client, again, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Award.objects.count() == 3
    again.refresh_from_db()
    assert again.state == BulkAward.State.PREVIEW


def test_processing_twice_or_after_a_restart_awards_each_row_once(
    evaluator_client, demo, achievement, django_capture_on_commit_callbacks, monkeypatch
):
    upload(evaluator_client, achievement, csv_file(CLASS))
    made = BulkAward.objects.get()
    monkeypatch.setattr(bulk, "CHUNK", 2)
    # Confirmed, but the task never ran (broker down or worker killed): nothing is awarded yet.
    bulk.confirm(bulk=made, user=demo["evaluator"])
    with django_capture_on_commit_callbacks(execute=True):
        bulk.process(made.pk)
        bulk.process(made.pk)
    made.refresh_from_db()
    assert made.state == BulkAward.State.DONE and made.awarded == 3
    assert Award.objects.filter(bulk=made).count() == 3
    assert bulk.process(made.pk) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"mail,name\nx@example.edu,X\n", "is not one of"),
        (b"email,given name\nx@example.edu,X\n", "at least: family name"),
        ("email,given name,family name\nz@example.edu,Zo\xeb,M\xfcller\n".encode("latin-1"), "not UTF-8"),
        (b"", "file is empty"),
        (HEADER.encode(), "no learners"),
        (b"\x89PNG\r\n\x1a\n\0\0\0", "not UTF-8"),
        (
            (HEADER + "".join(f"l{n}@example.edu,L,N{n},,,\n" for n in range(50_000))).encode(),
            "more than 5,000 learners: split it",
        ),
    ],
    ids=["wrong header", "missing column", "latin-1", "empty", "header only", "binary", "50,000 rows"],
)
def test_a_bad_file_gets_a_clear_message_beside_the_field(evaluator_client, achievement, content, message):
    response = upload(evaluator_client, achievement, SimpleUploadedFile("class.csv", content))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (
        'id="error_1_id_file"' in response.content.decode() or "invalid-feedback" in response.content.decode()
    )
    assert not BulkAward.objects.exists()


def test_a_file_over_the_size_limit(evaluator_client, achievement, settings):
    settings.BULK_AWARD_MAX_BYTES = 1024 * 1024
    body = "".join(f"learner-number-{n}@example.edu,Given,Family{n},,,\n" for n in range(30_000))
    response = upload(evaluator_client, achievement, csv_file(body))
    assert "larger than 1 MB" in response.content.decode()
    assert not BulkAward.objects.exists()


def test_too_many_rows_under_the_size_limit(evaluator_client, achievement, settings):
    settings.BULK_AWARD_MAX_ROWS = 10
    body = "".join(f"l{n}@example.edu,L,N{n},,,\n" for n in range(11))
    response = upload(evaluator_client, achievement, csv_file(body))
    assert "more than 10 learners" in response.content.decode()
    assert not BulkAward.objects.exists()


def test_student_ids_and_self_awards_are_checked(evaluator_client, demo, achievement):
    Learner.objects.update_or_create(user=demo["learner"], defaults={"student_id": "B777"})
    body = (
        "someone@example.edu,Some,One,B777,,Passed\n"  # another learner's ID
        "learner@demo.invalid,Leo,Martins,B888,,Passed\n"  # a different ID on record
        f"{demo['evaluator'].email},Evan,Brooks,B999,,Passed\n"  # the evaluator themself
        "x@example.edu,X,Y,B 12,,\n"
        "y@example.edu,Y,Z,,ftp://files.example.edu/y,\n"
    )
    upload(evaluator_client, achievement, csv_file(body))
    found = outcomes(BulkAward.objects.get())
    assert "belongs to another learner" in found[2][1]
    assert "different student ID" in found[3][1]
    assert "Nobody awards themselves" in found[4][1]
    assert "letters, digits and hyphens" in found[5][1]
    assert "not a web address" in found[6][1]


def test_who_may_award_from_a_spreadsheet(client, demo, achievement, django_capture_on_commit_callbacks):
    for username in ("faculty", "learner", "registrar", "gc-member1"):
        if username in demo:
            client.force_login(demo[username])
            assert client.get(reverse("badges:awarding")).status_code == 403, username
            assert upload(client, achievement, csv_file(CLASS)).status_code == 403, username
    client.logout()
    assert client.get(reverse("badges:awarding")).status_code == 302
    assert not BulkAward.objects.exists()
    # An evaluator of another unit neither sees the micro-credential nor reaches an upload.
    client.force_login(demo["evaluator"])
    upload(client, achievement, csv_file(CLASS))
    made = BulkAward.objects.get()
    other_unit = Unit.objects.create(name="Department of Other Things", code="OTH")
    stranger = get_user_model().objects.create_user("stranger", "stranger@example.edu", "x")
    UnitRole.objects.create(unit=other_unit, user=stranger, role=UnitRole.Role.PROGRAM_EVALUATOR)
    client.force_login(stranger)
    assert upload(client, achievement, csv_file(CLASS)).status_code == 403  # nothing they award
    assert BulkAward.objects.count() == 1
    for name in ("badges:bulk", "badges:bulk_file"):
        assert client.get(reverse(name, args=[made.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("badges:bulk_confirm", args=[made.pk])).status_code == 404
    assert client.get(reverse("badges:bulk_confirm", args=[made.pk])).status_code == 405
    assert not Award.objects.exists()


def test_a_cancelled_upload_cannot_be_confirmed(
    evaluator_client, achievement, django_capture_on_commit_callbacks
):
    upload(evaluator_client, achievement, csv_file(CLASS))
    made = BulkAward.objects.get()
    evaluator_client.post(reverse("badges:bulk_cancel", args=[made.pk]))
    response = confirm(evaluator_client, made, django_capture_on_commit_callbacks)
    made.refresh_from_db()
    assert made.state == BulkAward.State.CANCELLED and not Award.objects.exists()
    assert response.status_code == 302


def test_under_the_central_profile_the_office_awards(
    client, fiu_demo, settings, tmp_path, django_capture_on_commit_callbacks
):
    from tests.workflow import publish_achievement

    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    services.create_issuer_key()
    achievement = publish_achievement(fiu_demo, django_capture_on_commit_callbacks)
    client.force_login(fiu_demo["evaluator"])
    assert client.get(reverse("badges:awarding")).status_code == 403
    client.force_login(fiu_demo["office"])
    # FIU requires the culminating reflection of every learner, in its own column.
    upload(
        client,
        achievement,
        csv_file(
            "ada@example.edu,Ada,Lovelace,B001,,Capstone graded A,What the capstone taught me\n",
            header="email,given name,family name,student ID,evidence URL,narrative,reflection\n",
        ),
    )
    confirm(client, BulkAward.objects.get(), django_capture_on_commit_callbacks)
    assert Award.objects.get().learner.email == "ada@example.edu"


def test_the_template_downloads_with_the_expected_header(client):
    response = client.get(reverse("badges:bulk_template"))
    assert response["Content-Type"].startswith("text/csv")
    assert (
        response.content.decode().splitlines()[0]
        == "email,given name,family name,student ID,evidence URL,narrative,assessed elsewhere,reflection"
    )


def test_an_error_is_tied_to_its_field_for_screen_readers(evaluator_client, achievement):
    response = upload(evaluator_client, achievement, SimpleUploadedFile("class.csv", b"mail,name\nx,y\n"))
    html = response.content.decode()
    field = html[html.index('<input type="file"') :]
    field = field[: field.index(">")]
    assert 'aria-invalid="true"' in field and 'aria-describedby="id_file_helptext id_file_error"' in field
    assert 'id="id_file_error"' in html
