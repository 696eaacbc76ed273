"""In Chromium, under the Binghamton profile (the unit's program evaluators award): the evaluator opens
Awarding from the top bar, uploads a class's CSV, reads the preview (a row's outcome each, the
reason of the bad row, nobody awarded yet), confirms, waits for the page to say done, and follows a
learner's award to its public page, valid; the existing learner finds it among their
micro-credentials. While the task has not run, the page shows the progress and refreshes itself
until done. The office's staff see the office's sections of Awarding and preview, then confirm, a
new expiry for the awards of a micro-credential."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from badges.awarding import bulk
from badges.issuing import services
from badges.models import Award, BulkAward, ExpiryChange
from tests.browser.conftest import screenshot
from tests.browser.test_pipeline import click_and_wait, flash, log_in, log_out
from tests.conftest import wait_for
from tests.workflow import publish_achievement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT = 20_000  # ms for every wait on a page
NARROW = {"width": 390, "height": 844}

HEADER = "email,given name,family name,student ID,evidence URL,narrative\n"
CLASS = (
    "ada@example.edu,Ada,Lovelace,B001,https://portfolio.example.edu/ada,Capstone graded A\n"
    "grace@example.edu,Grace,Hopper,B002,,Final exam passed\n"
    "katherine@example.edu,Katherine,Johnson,B003,,Portfolio reviewed\n"
    "learner@demo.invalid,Leo,Martins,B004,,Portfolio reviewed\n"
    "not-an-email,Bad,Row,,,\n"
)
# Line in the file → (email, what the preview says of it).
EXPECTED = {
    2: ("ada@example.edu", "New learner"),
    3: ("grace@example.edu", "New learner"),
    4: ("katherine@example.edu", "New learner"),
    5: ("learner@demo.invalid", "Existing learner"),
    6: ("not-an-email", "Error: “not-an-email” is not an email address."),
}
AWARDED = {"ada@example.edu", "grace@example.edu", "katherine@example.edu", "learner@demo.invalid"}
OUTCOME = 3  # the row's cells: line, learner, student ID, outcome, result


@pytest.fixture
def site(demo, django_capture_on_commit_callbacks):
    """The demo organisation, an issuer key and a published micro-credential of the evaluator's
    unit. The test database commits for real, so on the live server on-commit work runs, and with
    it the tasks (in-process, eagerly)."""
    services.create_issuer_key()
    achievement = publish_achievement(
        demo, django_capture_on_commit_callbacks, title="Data Storytelling", code="MC-DS-1"
    )
    return demo, achievement


def nav(page, name):
    click_and_wait(page, page.get_by_role("navigation", name="Main").get_by_role("link", name=name))


def narrow_screenshot(page, name):
    size = page.viewport_size
    page.set_viewport_size(NARROW)
    screenshot(page, name)
    page.set_viewport_size(size)


def test_an_evaluator_awards_a_class_from_a_spreadsheet(page, site, tmp_path):
    demo, achievement = site
    title = achievement.name
    choice = f"{title} (version {achievement.version})"
    users_before = get_user_model().objects.count()
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("mail,name\nada@example.edu,Ada\n", encoding="utf-8")
    spreadsheet = tmp_path / "class-of-2025.csv"
    spreadsheet.write_text(HEADER + CLASS, encoding="utf-8")

    # --- a file that is not the template's is refused beside the field ----------------------------
    log_in(page, "evaluator")
    nav(page, "Awarding")
    expect(page.get_by_role("heading", name="Awarding", exact=True)).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("No spreadsheet has been uploaded yet.")).to_be_visible(timeout=WAIT)
    page.get_by_label("Micro-credential").select_option(label=choice, timeout=WAIT)
    page.get_by_label("Spreadsheet (CSV UTF-8)").set_input_files(wrong, timeout=WAIT)
    click_and_wait(page, page.get_by_role("button", name="Check the file"))
    expect(page.locator(".invalid-feedback")).to_contain_text("is not one of", timeout=WAIT)
    assert not BulkAward.objects.exists()
    screenshot(page, "bulk-01-upload-refused")

    # --- the class's file ---------------------------------------------------------------------------
    page.get_by_label("Micro-credential").select_option(label=choice, timeout=WAIT)
    page.get_by_label("Spreadsheet (CSV UTF-8)").set_input_files(spreadsheet, timeout=WAIT)
    screenshot(page, "bulk-02-upload")
    click_and_wait(page, page.get_by_role("button", name="Check the file"))

    # --- preview: each row's outcome, the bad row's reason, nobody awarded --------------------------
    made = BulkAward.objects.get()
    assert page.url.endswith(made.get_absolute_url())
    expect(page.get_by_role("heading", name="Nothing has been awarded yet")).to_be_visible(timeout=WAIT)
    for line, (email, outcome) in EXPECTED.items():
        row = page.locator(f"tr[data-line='{line}']")
        expect(row).to_contain_text(email, timeout=WAIT)
        expect(row.locator("td").nth(OUTCOME)).to_have_text(outcome, timeout=WAIT)
    expect(page.locator("tr[data-line='2']")).to_contain_text("Ada Lovelace", timeout=WAIT)
    counts = page.get_by_role("list", name="Rows by outcome")
    expect(counts.locator("[data-outcome='new']")).to_have_text("New learner: 3", timeout=WAIT)
    expect(counts.locator("[data-outcome='existing']")).to_have_text("Existing learner: 1", timeout=WAIT)
    expect(counts.locator("[data-outcome='holds']")).to_have_text("Already holds it: 0", timeout=WAIT)
    expect(counts.locator("[data-outcome='error']")).to_have_text("Error: 1", timeout=WAIT)
    assert made.state == BulkAward.State.PREVIEW
    assert not Award.objects.exists()
    assert get_user_model().objects.count() == users_before
    screenshot(page, "bulk-03-preview")
    narrow_screenshot(page, "bulk-04-preview-narrow")

    # --- confirm, and wait for done: the task may have run already, or the page refreshes itself ---
    click_and_wait(page, page.get_by_role("button", name="Award 4 learners"))
    if page.locator(".mc-messages").count():  # gone once the page has refreshed itself
        expect(flash(page)).to_contain_text("Confirmed: the learners are being awarded.", timeout=WAIT)
    done = page.get_by_role("status").filter(has_text="4 learners awarded")
    expect(done).to_be_visible(timeout=30_000)
    expect(done).to_contain_text("Done", timeout=WAIT)
    expect(page.get_by_role("heading", name="Nothing has been awarded yet")).to_have_count(0, timeout=WAIT)
    for line in (2, 3, 4, 5):
        expect(page.locator(f"tr[data-line='{line}'] td").last).to_have_text("Awarded", timeout=WAIT)
    expect(page.locator("tr[data-line='6'] td").last).to_have_text("Left out", timeout=WAIT)
    made.refresh_from_db()
    assert made.state == BulkAward.State.DONE and (made.awarded, made.processed) == (4, 5)
    assert made.confirmed_by == demo["evaluator"]
    awards = Award.objects.filter(bulk=made)
    assert {award.learner.email for award in awards} == AWARDED
    assert wait_for(lambda: all(a.state == Award.State.ISSUED for a in awards.all()), timeout=20)
    screenshot(page, "bulk-05-done")
    narrow_screenshot(page, "bulk-06-done-narrow")

    # --- a learner's public award page ------------------------------------------------------------
    ada = awards.get(learner__email="ada@example.edu")
    click_and_wait(page, page.locator("tr[data-line='2']").get_by_role("link", name="Awarded"))
    assert page.url.endswith(f"/badges/awards/{ada.public_id}/")
    expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("region", name="Status: Valid")).to_be_visible(timeout=WAIT)
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "valid", timeout=WAIT)
    expect(page.get_by_text("ada@example.edu")).to_have_count(0, timeout=WAIT)
    screenshot(page, "bulk-07-award")

    # --- the recent uploads list it, done ---------------------------------------------------------
    nav(page, "Awarding")
    uploads = page.get_by_role("region", name="Recent uploads")
    expect(uploads.get_by_role("link", name="class-of-2025.csv")).to_be_visible(timeout=WAIT)
    expect(uploads).to_contain_text("Done", timeout=WAIT)
    expect(uploads).to_contain_text("4 awarded", timeout=WAIT)
    narrow_screenshot(page, "bulk-08-awarding-narrow")
    log_out(page)

    # --- the existing learner has it among their micro-credentials -------------------------------
    leo = awards.get(learner=demo["learner"])
    log_in(page, "learner")
    nav(page, "My micro-credentials")
    card = page.locator(f"[data-award='{leo.public_id}']")
    expect(card.get_by_role("link", name=title)).to_be_visible(timeout=WAIT)
    expect(card).to_contain_text("Issued", timeout=WAIT)
    click_and_wait(page, card.get_by_role("link", name=title))
    expect(page.get_by_role("heading", name="Leo Martins")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("region", name="Status: Valid")).to_be_visible(timeout=WAIT)


def test_the_page_shows_the_progress_and_refreshes_itself_until_done(page, site, monkeypatch):
    """The task is held back until the page shows "Awarding…"; then it runs, and the page, left
    alone, refreshes itself to done."""
    demo, achievement = site
    made = bulk.upload(
        user=demo["evaluator"],
        achievement=achievement,
        uploaded=SimpleUploadedFile("class.csv", (HEADER + CLASS).encode(), content_type="text/csv"),
    )
    held = []
    enqueue = bulk._enqueue
    monkeypatch.setattr(bulk, "_enqueue", held.append)

    log_in(page, "evaluator")
    page.goto(made.get_absolute_url(), timeout=WAIT)
    click_and_wait(page, page.get_by_role("button", name="Award 4 learners"))
    expect(page.get_by_role("heading", name="Awarding…")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("0 of 5 rows handled, 0 awarded")).to_be_visible(timeout=WAIT)
    expect(page.locator("tr[data-line='2'] td").last).to_have_text("Waiting", timeout=WAIT)
    expect(page.locator("tr[data-line='6'] td").last).to_have_text("Left out", timeout=WAIT)
    expect(page.locator("meta[http-equiv='refresh']")).to_have_attribute("content", "3", timeout=WAIT)
    assert held == [made.pk] and not Award.objects.exists()
    screenshot(page, "bulk-09-issuing")

    enqueue(held.pop())  # the task runs now (in-process); the test does not reload the page
    made.refresh_from_db()
    assert made.state == BulkAward.State.DONE
    expect(page.get_by_role("status").filter(has_text="4 learners awarded")).to_be_visible(timeout=30_000)
    expect(page.locator("meta[http-equiv='refresh']")).to_have_count(0, timeout=WAIT)
    assert Award.objects.filter(bulk=made).count() == 4


def test_the_office_sees_its_sections_and_changes_when_awards_expire(page, site):
    demo, achievement = site
    for learner in (demo["learner"], demo["faculty"]):
        services.award(learner=learner, achievement=achievement, awarded_by=demo["evaluator"])
    assert wait_for(
        lambda: Award.objects.filter(achievement=achievement, state=Award.State.ISSUED).count() == 2
    )
    reason = "The programme is reviewed every two years."

    log_in(page, "office")
    nav(page, "Awarding")
    for heading in ("Credly failures", "When awards expire"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=WAIT)
    # Binghamton's policy has no micro-certificates, so nothing about them either.
    expect(page.get_by_role("heading", name="Micro-certificates that no longer hold")).to_have_count(0)
    # The office of this profile does not award: no upload form.
    expect(page.get_by_role("heading", name="Award a class from a spreadsheet")).to_have_count(0)
    screenshot(page, "bulk-10-office-awarding")
    narrow_screenshot(page, "bulk-11-office-awarding-narrow")

    click_and_wait(
        page,
        page.get_by_role("link", name=f"Change when “{achievement.name}” (version {achievement.version})"),
    )
    expect(page.get_by_role("heading", name=f"When “{achievement.name}” awards expire")).to_be_visible(
        timeout=WAIT
    )
    day = timezone.localdate() + datetime.timedelta(days=400)
    page.get_by_label("New expiry date").fill(day.isoformat(), timeout=WAIT)
    page.get_by_label("Reason (told to the learners)").fill(reason, timeout=WAIT)
    screenshot(page, "bulk-12-expiry")
    click_and_wait(page, page.get_by_role("button", name="Preview"))

    # --- the preview: what is confirmed is what was previewed, not editable -----------------------
    panel = page.get_by_role("region", name="Check, then confirm")
    expect(panel).to_contain_text(f"End of {day:%-d %b %Y}", timeout=WAIT)
    expect(panel).to_contain_text(reason, timeout=WAIT)
    expect(panel.get_by_label("New expiry date")).to_have_count(0, timeout=WAIT)
    expect(panel.get_by_role("status")).to_contain_text("Confirming re-issues 2 credentials", timeout=WAIT)
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(3, timeout=WAIT)
    expect(table).to_contain_text("Leo Martins", timeout=WAIT)
    expect(table).to_contain_text("Fatima Ortiz", timeout=WAIT)
    assert not ExpiryChange.objects.exists()
    screenshot(page, "bulk-13-expiry-preview")
    narrow_screenshot(page, "bulk-14-expiry-preview-narrow")

    click_and_wait(page, page.get_by_role("button", name="Re-issue 2 credentials"))
    expect(flash(page)).to_contain_text("Re-issuing 2 credentials with the new expiry.", timeout=WAIT)
    expect(page.get_by_role("heading", name=f"awards now expire {day:%-d %b %Y}")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("status").filter(has_text="Done.")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("2 of 2 credentials re-issued")).to_be_visible(timeout=WAIT)
    screenshot(page, "bulk-15-expiry-status")
    change = ExpiryChange.objects.get()
    assert change.finished_at is not None and change.reason == reason
    assert timezone.localtime(change.valid_until).date() == day
    assert set(Award.objects.filter(achievement=achievement).values_list("valid_until", flat=True)) == {
        change.valid_until
    }
