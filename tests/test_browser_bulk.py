"""In Chromium, under the Binghamton profile (the unit's program evaluators award): the evaluator opens
Awarding from the top bar, uploads a class's CSV, reads the preview (a row's outcome each, the
reason of the bad row, nobody awarded yet), confirms, waits for the page to say done, and follows a
learner's award to its public page, valid; the existing learner finds it among their
micro-credentials. Then the office's staff see the office's sections of Awarding and preview, then
confirm, a new expiry for the awards of the micro-credential."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from badges import services
from badges.models import Award, BulkAward, ExpiryChange

from .conftest import screenshot, wait_for
from .test_browser_pipeline import click_and_wait, flash, log_in, log_out
from .workflow import publish_achievement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT = 20_000  # ms for every wait on a page
NARROW = {"width": 390, "height": 844}

HEADER = "email,given name,family name,student ID,evidence URL,narrative\n"
CLASS = (
    "ada@example.edu,Ada,Lovelace,B001,https://portfolio.example.edu/ada,Capstone graded A\n"
    "grace@example.edu,Grace,Hopper,,,\n"
    "katherine@example.edu,Katherine,Johnson,B003,,\n"
    "learner@demo.invalid,Leo,Martins,,,\n"
    "not-an-email,Bad,Row,,,\n"
)
# Line in the file → (email, what the preview says).
EXPECTED = {
    2: ("ada@example.edu", "New learner"),
    3: ("grace@example.edu", "New learner"),
    4: ("katherine@example.edu", "New learner"),
    5: ("learner@demo.invalid", "Existing learner"),
    6: ("not-an-email", "Error: “not-an-email” is not an email address."),
}
AWARDED = {"ada@example.edu", "grace@example.edu", "katherine@example.edu", "learner@demo.invalid"}


@pytest.fixture
def site(demo, django_capture_on_commit_callbacks):
    """The demo organisation, an issuer key and a published micro-credential of the evaluator's
    unit (the live server commits for real: on-commit work, the tasks included, runs at once)."""
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
    users_before = get_user_model().objects.count()
    spreadsheet = tmp_path / "class-of-2025.csv"
    spreadsheet.write_text(HEADER + CLASS, encoding="utf-8")

    # --- upload ----------------------------------------------------------------------------------
    log_in(page, "evaluator")
    nav(page, "Awarding")
    expect(page.get_by_role("heading", name="Awarding", exact=True)).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("No spreadsheet has been uploaded yet.")).to_be_visible(timeout=WAIT)
    page.get_by_label("Micro-credential").select_option(label=f"{title} (version {achievement.version})")
    page.get_by_label("Spreadsheet (CSV UTF-8)").set_input_files(spreadsheet, timeout=WAIT)
    screenshot(page, "bulk-01-upload")
    click_and_wait(page, page.get_by_role("button", name="Check the file"))

    # --- preview: each row's outcome, the bad row's reason, nobody awarded --------------------------
    made = BulkAward.objects.get()
    assert page.url.endswith(made.get_absolute_url())
    expect(page.get_by_role("heading", name="Nothing has been awarded yet")).to_be_visible(timeout=WAIT)
    for line, (email, outcome) in EXPECTED.items():
        row = page.locator(f"tr[data-line='{line}']")
        expect(row).to_contain_text(email, timeout=WAIT)
        expect(row.get_by_role("cell").nth(4)).to_have_text(outcome, timeout=WAIT)
    counts = page.get_by_role("list", name="Rows by outcome")
    expect(counts.locator("[data-outcome='new']")).to_have_text("New learner: 3", timeout=WAIT)
    expect(counts.locator("[data-outcome='existing']")).to_have_text("Existing learner: 1", timeout=WAIT)
    expect(counts.locator("[data-outcome='holds']")).to_have_text("Already holds it: 0", timeout=WAIT)
    expect(counts.locator("[data-outcome='error']")).to_have_text("Error: 1", timeout=WAIT)
    assert made.state == BulkAward.State.PREVIEW
    assert not Award.objects.exists()
    assert get_user_model().objects.count() == users_before
    screenshot(page, "bulk-02-preview")
    narrow_screenshot(page, "bulk-03-preview-narrow")

    # --- confirm and wait for done (the page refreshes itself while issuing) ----------------------
    click_and_wait(page, page.get_by_role("button", name="Award 4 learners"))
    if page.locator(".mc-messages").count():  # gone once the page has refreshed itself
        expect(flash(page)).to_contain_text("Confirmed: the learners are being awarded.", timeout=WAIT)
    done = page.get_by_role("status").filter(has_text="4 learners awarded")
    expect(done).to_be_visible(timeout=30_000)
    expect(done).to_contain_text("Done")
    expect(page.get_by_role("heading", name="Nothing has been awarded yet")).to_have_count(0)
    expect(page.locator("tr[data-line='6']").get_by_role("cell").last).to_have_text("Left out")
    made.refresh_from_db()
    assert made.state == BulkAward.State.DONE and (made.awarded, made.processed) == (4, 5)
    assert made.confirmed_by == demo["evaluator"]
    awards = Award.objects.filter(bulk=made)
    assert {award.learner.email for award in awards} == AWARDED
    assert wait_for(lambda: all(a.state == Award.State.ISSUED for a in awards.all()), timeout=20)
    screenshot(page, "bulk-04-done")

    # --- a learner's public award page ------------------------------------------------------------
    ada = awards.get(learner__email="ada@example.edu")
    click_and_wait(page, page.locator("tr[data-line='2']").get_by_role("link", name="Awarded"))
    assert page.url.endswith(f"/badges/awards/{ada.public_id}/")
    expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("region", name="Status: Valid")).to_be_visible(timeout=WAIT)
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "valid", timeout=WAIT)
    expect(page.get_by_text("ada@example.edu")).to_have_count(0)
    screenshot(page, "bulk-05-award")

    # --- the recent uploads list it, done ---------------------------------------------------------
    nav(page, "Awarding")
    uploads = page.get_by_role("region", name="Recent uploads")
    expect(uploads.get_by_role("link", name="class-of-2025.csv")).to_be_visible(timeout=WAIT)
    expect(uploads).to_contain_text("Done", timeout=WAIT)
    expect(uploads).to_contain_text("4 awarded", timeout=WAIT)
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


def test_the_office_sees_its_sections_and_changes_when_awards_expire(page, site):
    demo, achievement = site
    for learner in (demo["learner"], demo["faculty"]):
        services.award(learner=learner, achievement=achievement, awarded_by=demo["evaluator"])
    assert wait_for(
        lambda: Award.objects.filter(achievement=achievement, state=Award.State.ISSUED).count() == 2
    )

    log_in(page, "office")
    nav(page, "Awarding")
    for heading in ("Micro-certificates that no longer hold", "Credly failures", "When awards expire"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=WAIT)
    # The office of this profile does not award: no upload form.
    expect(page.get_by_role("heading", name="Award a class from a spreadsheet")).to_have_count(0)
    screenshot(page, "bulk-06-office-awarding")
    narrow_screenshot(page, "bulk-07-office-awarding-narrow")

    click_and_wait(
        page,
        page.get_by_role("link", name=f"Change when “{achievement.name}” (version {achievement.version})"),
    )
    expect(page.get_by_role("heading", name=f"When “{achievement.name}” awards expire")).to_be_visible(
        timeout=WAIT
    )
    day = timezone.localdate() + datetime.timedelta(days=400)
    page.get_by_label("New expiry date").fill(day.isoformat())
    page.get_by_label("Reason (told to the learners)").fill("The programme is reviewed every two years.")
    screenshot(page, "bulk-08-expiry")
    click_and_wait(page, page.get_by_role("button", name="Preview"))
    expect(page.get_by_role("heading", name="Check, then confirm")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("status").filter(has_text="Confirming re-issues")).to_contain_text(
        "2 credentials", timeout=WAIT
    )
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(3, timeout=WAIT)
    assert not ExpiryChange.objects.exists()
    screenshot(page, "bulk-09-expiry-preview")
    narrow_screenshot(page, "bulk-10-expiry-preview-narrow")

    click_and_wait(page, page.get_by_role("button", name="Re-issue 2 credentials"))
    expect(flash(page)).to_contain_text("Re-issuing 2 credentials with the new expiry.", timeout=WAIT)
    expect(page.get_by_role("heading", name=f"awards now expire {day:%-d %b %Y}")).to_be_visible(
        timeout=WAIT
    )
    expect(page.get_by_text("2 of 2 credentials re-issued")).to_be_visible(timeout=30_000)
    screenshot(page, "bulk-11-expiry-status")
    change = ExpiryChange.objects.get()
    assert change.finished_at is not None
