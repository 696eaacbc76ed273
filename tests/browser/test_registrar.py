"""In Chromium: registrar staff filter the queue, verify records, make a batch, download its CSV and
mark it posted; the learner then reads "posted" on their award."""

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_pipeline import click_and_wait, flash, log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(settings, tmp_path):
    from django.core.management import call_command

    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    settings.DEBUG = True
    call_command("seed_demo")


def test_registrar_works_a_term_end_to_end(page, site):
    from badges.models import Award
    from transcripts.models import TranscriptRecord

    log_in(page, "registrar")
    click_and_wait(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Transcripts"))
    expect(page.get_by_role("heading", name="Transcript queue")).to_be_visible()
    # filter: pending records of Fall 2026
    page.get_by_label("State", exact=True).select_option("pending")
    page.get_by_label("Term", exact=True).select_option("202608")
    click_and_wait(page, page.get_by_role("button", name="Filter"))
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)  # the demo learner and a learner without a student ID
    expect(page.get_by_text("No student ID")).to_be_visible()
    screenshot(page, "registrar-01-queue-filtered")
    select_all = page.get_by_label("Select every record on this page that can be verified or rejected")
    select_all.check()
    expect(page.locator("tbody input[name=records]:checked")).to_have_count(2)
    select_all.uncheck()
    expect(page.locator("tbody input[name=records]:checked")).to_have_count(0)
    page.get_by_label("Select the record of Leo Martins").check()
    click_and_wait(page, page.get_by_role("button", name="Verify the selected"))
    expect(flash(page)).to_contain_text("1 record verified.")
    # batch the verified records of Fall 2026 (Dev Patel's, and now Leo Martins's)
    click_and_wait(page, page.get_by_role("navigation", name="Registrar").get_by_role("link", name="Batches"))
    page.get_by_label("Term").select_option(label="Fall 2026")
    click_and_wait(page, page.get_by_role("button", name="Batch the verified records of this term"))
    expect(flash(page)).to_contain_text("made with 2 records")
    screenshot(page, "registrar-02-batch")
    with page.expect_download(timeout=20_000) as download:
        page.get_by_role("link", name="Download the CSV").click()
    with open(download.value.path(), encoding="utf-8", newline="") as handle:
        rows_in_file = list(csv.DictReader(io.StringIO(handle.read())))
    assert sorted(r["family_name"] for r in rows_in_file) == ["Martins", "Patel"]
    page.get_by_label("SIS reference").fill("SIS-2026-1201")
    page.get_by_label("Posted in the SIS on").fill("2026-12-01")
    click_and_wait(page, page.get_by_role("button", name="Mark posted"))
    expect(flash(page)).to_contain_text("Batch marked posted")
    expect(page.locator("[data-posted]")).to_contain_text("SIS-2026-1201")
    log_out(page)

    award = Award.objects.get(learner__username="learner", achievement__proposal__code="MC-DEMO-7")
    assert TranscriptRecord.objects.get(award=award, kind="award").state == "posted"
    log_in(page, "learner")
    page.goto(f"/badges/awards/{award.public_id}/")
    expect(page.locator("[data-award-note]")).to_contain_text("Transcript: posted (Fall 2026).")
    screenshot(page, "registrar-03-learner-sees-posted")
