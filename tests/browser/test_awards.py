"""In Chromium, under the FIU profile (evidence for an assessment and the culminating reflection,
evaluated centrally by Academic and Student Affairs): a learner joins from the catalog and submits
both; the office returns one with feedback, the learner resubmits, the office accepts; the learner
opens the award and downloads the badge; the public page shows it valid; the office revokes it and
the page shows revoked."""

import json

import pytest
from playwright.sync_api import expect

from badges.models import Award
from tests.badges.credential_files import unbake_png
from tests.browser.conftest import screenshot
from tests.browser.test_pipeline import click_and_wait, flash, log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fiu_site(settings, tmp_path):
    from django.contrib.auth import get_user_model

    from badges.issuing import services
    from badges.models import Achievement, Learner
    from microcred.demo import seed_demo
    from proposals.policy import State
    from review import services as review_services
    from tests.factories import complete_proposal
    from tests.workflow import place_at

    settings.MICROCRED_POLICY = "fiu"
    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    seed_demo(with_proposals=False)
    users = get_user_model().objects.in_bulk(field_name="username")
    services.create_issuer_key()
    author = users["faculty"]
    proposal = complete_proposal(
        author=author, unit=author.unit_roles.first().unit, title="Data Storytelling", code="MC-DS-1"
    )
    proposal = place_at(proposal, State.APPROVED)
    review_services.publish(proposal=proposal, user=users["office"])  # the achievement is built on commit
    Learner.objects.create(user=users["learner"], student_id="6001234")
    return Achievement.objects.get(proposal=proposal)


def submit(page, part_title, text):
    section = page.locator(f"section:has(h2:has-text('{part_title}'))")
    section.get_by_label("Your evidence, in words").fill(text)
    click_and_wait(page, section.get_by_role("button", name=f"“{part_title}”"))


def review(page, part_title, decision, feedback=""):
    click_and_wait(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Evidence"))
    row = page.get_by_role("row").filter(has_text=part_title)
    click_and_wait(page, row.get_by_role("link"))
    page.get_by_role("radio", name=decision).check()
    if feedback:
        page.get_by_label("Feedback for the learner").fill(feedback)
    click_and_wait(page, page.get_by_role("button", name="Record the decision"))


def test_learner_earns_downloads_and_loses_a_badge(page, fiu_site):
    title = fiu_site.name

    # --- the learner joins from the catalog and submits both parts -----------------------------
    log_in(page, "learner")
    click_and_wait(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog"))
    click_and_wait(page, page.get_by_role("link", name=title))
    expect(page.get_by_role("heading", name="What you submit")).to_be_visible()
    screenshot(page, "awards-01-catalog-detail")
    page.get_by_label("List my award publicly").check()
    click_and_wait(page, page.get_by_role("button", name="Join this micro-credential"))
    expect(flash(page)).to_contain_text(f"You have joined “{title}”")
    submit(page, "Portfolio review", "Three data stories, with the rubric.")
    submit(page, "Culminating reflection", "How the competencies serve my goals.")
    expect(page.locator("[data-part='reflection']")).to_contain_text("Waiting for review")
    screenshot(page, "awards-02-evidence-submitted")
    log_out(page)

    # --- the office returns the portfolio and accepts the reflection ----------------------------
    log_in(page, "office")
    review(page, "Portfolio review", "Return with feedback", "Add the scores for each criterion.")
    expect(flash(page)).to_contain_text("Returned to the learner with your feedback.")
    review(page, "Culminating reflection", "Accept")
    expect(flash(page)).to_contain_text("Accepted.")
    log_out(page)

    # --- the learner reads the feedback and resubmits -------------------------------------------
    log_in(page, "learner")
    click_and_wait(
        page, page.get_by_role("navigation", name="Main").get_by_role("link", name="My micro-credentials")
    )
    click_and_wait(page, page.get_by_role("link", name=title))
    expect(page.locator("[data-feedback]")).to_contain_text("Add the scores for each criterion.")
    submit(page, "Portfolio review", "Three data stories, each scored against the four criteria.")
    log_out(page)

    # --- the office accepts the last piece: the award is made and issued ------------------------
    log_in(page, "office")
    review(page, "Portfolio review", "Accept")
    expect(flash(page)).to_contain_text("the award is being issued")
    log_out(page)
    award = Award.objects.get(achievement=fiu_site)
    assert award.state == Award.State.ISSUED

    # --- the learner opens the award and downloads the badge -------------------------------------
    log_in(page, "learner")
    click_and_wait(
        page, page.get_by_role("navigation", name="Main").get_by_role("link", name="My micro-credentials")
    )
    click_and_wait(page, page.get_by_role("link", name=title).last)
    status = page.get_by_role("region", name="Status: Valid")
    expect(status).to_be_visible()
    expect(page.locator("[data-verified]")).to_have_attribute("data-verified", "yes")
    screenshot(page, "awards-03-award-valid")
    with page.expect_download(timeout=20_000) as download:
        page.get_by_role("link", name="Download the badge (PNG)").click()
    with open(download.value.path(), "rb") as png:
        baked = unbake_png(png.read())
    assert json.loads(baked)["id"] == f"urn:uuid:{award.credential_uuid}"
    log_out(page)

    # --- anyone sees it valid; the office revokes it; the world sees it revoked -------------------
    page.goto(f"/badges/awards/{award.public_id}/")
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "valid")
    expect(page.get_by_text("learner@demo.invalid")).to_have_count(0)
    log_in(page, "office")
    page.goto(f"/badges/awards/{award.public_id}/")
    page.get_by_label("Reason for revoking").fill("Evidence found to be someone else's work.")
    click_and_wait(page, page.get_by_role("button", name="Revoke"))
    expect(flash(page)).to_contain_text("Revoked.")
    log_out(page)
    page.goto(f"/badges/awards/{award.public_id}/")
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "revoked")
    expect(page.get_by_text("Evidence found to be someone else's work.")).to_be_visible()
    screenshot(page, "awards-04-award-revoked")
