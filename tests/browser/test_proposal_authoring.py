"""In Chromium: a faculty member writes a whole credit-bearing proposal, section by section, saves a
draft, is stopped at submission by a missing NACE competency (shown beside the field), fixes it,
submits, and reads back what was entered on the read-only page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAV = 20_000  # ms for every navigation
TITLE = "Applied Data Analytics for Public Health"
COURSES = [
    ("CS", "480", "Data Wrangling and Visualisation", "3"),
    ("PH", "512", "Biostatistics for Practitioners", "3"),
]
OUTCOMES = [
    (
        "Student learning outcome (SLO)",
        "Clean, join and visualise a public-health data set and explain the choices made.",
        "Digital technology",
    ),
    (
        "Program outcome (PO)",
        "Present a statistical finding to a non-specialist audience in writing and in speech.",
        "Oral / written communications",
    ),
]
ACTIVITIES = [
    ("Weekly data labs", "Guided notebooks on real county health data."),
    ("Community data clinic", "Teams answer a question posed by a local health agency."),
]
ASSESSMENTS = [
    ("Portfolio of lab notebooks", "Graded against a published rubric."),
    ("Final briefing", "A five-minute briefing and a two-page memo to the agency."),
]
FEE_NOTES = "A $75 lab fee covers cloud computing credits for the data labs."
ATTACHMENT = "employer-letter.pdf"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def click_and_wait(page, locator, url=re.compile(r".*")):
    """Click something that submits or follows a link, and wait for the next page to load."""
    with page.expect_navigation(url=url, timeout=NAV):
        locator.click()


def flash(page):
    return page.locator(".mc-messages .alert")


def save_and_continue(page, current, following):
    click_and_wait(page, page.get_by_role("button", name=f"Save and continue to “{following}”"))
    expect(flash(page)).to_contain_text(f"“{current}” saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text(following)


def fill_rows(page, group, rows, add_label="Add another row"):
    """Fill a formset: the page shows one blank row, "Add another ..." adds the rest."""
    fieldset = page.get_by_role("group", name=group, exact=True)
    for index, values in enumerate(rows):
        if index:
            fieldset.get_by_role("button", name=add_label).click()
        row = fieldset.locator("[data-formset-row]").nth(index)
        expect(row).to_be_visible()
        yield row, values


def test_faculty_writes_submits_and_reads_back_a_credit_bearing_proposal(page, login, demo):
    from proposals.models import Proposal

    # --- start the draft from the home page ---------------------------------------------------
    login("faculty")
    page.get_by_role("heading", name="My work").wait_for(timeout=NAV)
    click_and_wait(page, page.get_by_role("link", name="Start a proposal"), "**/proposals/new/")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Credit-bearing").check()
    page.get_by_label("Digital badge").check()
    page.get_by_label("Level").select_option(label="Undergraduate")
    expect(page.get_by_label("Originating unit")).to_have_value(re.compile(r"\d+"))  # the author's unit
    screenshot(page, "proposal-01-new")
    click_and_wait(page, page.get_by_role("button", name="Create the draft"), "**/edit/basics/")
    expect(flash(page)).to_contain_text("Your draft is saved.")
    pk = int(re.search(r"/proposals/(\d+)/edit/", page.url).group(1))

    # --- Basics: save a draft first, then carry on --------------------------------------------
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    expect(page.get_by_label("Credit-bearing")).to_be_checked()
    page.get_by_label("Code").fill("MC-PHDATA-101")
    page.get_by_label("Summary").fill(
        "Two courses and a community data clinic that prepare students to analyse and communicate "
        "public-health data."
    )
    # Co-sponsoring units are offered here; the demo's other schools have no curriculum committee, so
    # choosing one is refused at submission (tests/proposals/test_submission_rules.py).
    expect(
        page.get_by_role("group", name="Co-sponsoring units").get_by_label("School of Management")
    ).to_be_visible()
    click_and_wait(page, page.get_by_role("button", name="Save draft"), f"**/proposals/{pk}/edit/basics/")
    expect(flash(page)).to_contain_text("“Basics” saved.")
    expect(page.get_by_label("Code")).to_have_value("MC-PHDATA-101")  # the draft kept it
    screenshot(page, "proposal-02-basics-saved")
    save_and_continue(page, "Basics", "Purpose and learners")

    # --- Purpose and learners -----------------------------------------------------------------
    page.get_by_label("Purpose and benefit").fill(
        "Public-health agencies need staff who can turn raw data into decisions."
    )
    page.get_by_label("Target learners").fill("Junior and senior undergraduates in any major.")
    page.get_by_label("Open to non-matriculated / non-enrolled learners").check()
    page.get_by_label("Terms for non-matriculated learners").fill(
        "Non-matriculated learners may enrol through Continuing Education with instructor consent."
    )
    page.get_by_label("Evidence of importance to employers").fill(
        "Letters from the county health department and two hospital systems (attached)."
    )
    save_and_continue(page, "Purpose and learners", "Courses and experiences")

    # --- Courses and experiences --------------------------------------------------------------
    page.get_by_label("Total credits").fill("6")
    for row, (subject, number, title, credits) in fill_rows(page, "Courses", COURSES):
        row.get_by_label("Subject").fill(subject)
        row.get_by_label("Number").fill(number)
        row.get_by_label("Title").fill(title)
        row.get_by_label("Credits").fill(credits)
    for row, (title, description) in fill_rows(
        page, "Other required experiences", [("Community data clinic", "Eight hours with a partner agency.")]
    ):
        row.get_by_label("Title").fill(title)
        row.get_by_label("Description").fill(description)
    screenshot(page, "proposal-03-courses")
    save_and_continue(page, "Courses and experiences", "Competencies and outcomes")

    # --- Competencies and outcomes: outcomes tied to competencies, but no proposal-level one ---
    proposal_competencies = page.get_by_role("group", name="NACE career-readiness competencies")
    for row, (kind, text, competency) in fill_rows(
        page, "Learning outcomes", OUTCOMES, add_label="Add another outcome"
    ):
        row.get_by_label("Kind").select_option(label=kind)
        row.get_by_label("Outcome").fill(text)
        row.get_by_role("group", name="Competencies it develops").get_by_label(competency).check()
    expect(proposal_competencies.get_by_role("checkbox", checked=True)).to_have_count(0)
    screenshot(page, "proposal-04-outcomes")
    save_and_continue(page, "Competencies and outcomes", "Activities and assessments")

    # --- Activities and assessments -----------------------------------------------------------
    for group, rows in (("Learning activities", ACTIVITIES), ("Assessments", ASSESSMENTS)):
        for row, (title, description) in fill_rows(page, group, rows):
            row.get_by_label("Title").fill(title)
            row.get_by_label("Description").fill(description)
    save_and_continue(page, "Activities and assessments", "Alignment matrix")

    # --- Alignment matrix: tick every cell ----------------------------------------------------
    matrix = page.get_by_role("table")
    cells = matrix.get_by_role("checkbox")
    expect(cells).to_have_count(len(OUTCOMES) * (len(ACTIVITIES) + len(ASSESSMENTS)))
    for number in range(1, len(OUTCOMES) + 1):
        for title, _ in ACTIVITIES + ASSESSMENTS:
            matrix.get_by_label(f"Outcome {number} – {title}", exact=True).check()
    expect(matrix.get_by_role("checkbox", checked=False)).to_have_count(0)
    screenshot(page, "proposal-05-alignment")
    save_and_continue(page, "Alignment matrix", "Badge evidence and reflection")
    expect(page.get_by_role("navigation", name="Proposal sections")).to_be_visible()

    # --- Badge evidence and reflection --------------------------------------------------------
    page.get_by_label("What learners submit as evidence").fill(
        "The lab-notebook portfolio and the agency briefing memo."
    )
    page.get_by_label("Who evaluates the evidence").fill("The two course instructors and the clinic lead.")
    page.get_by_label("Criteria for accepting the evidence").fill(
        "Meets or exceeds the rubric on every outcome; the agency confirms the briefing was usable."
    )
    page.get_by_label("Culminating reflective experience").fill(
        "A written reflection on how the clinic changed the learner's view of public-health work."
    )
    save_and_continue(page, "Badge evidence and reflection", "Fees")

    # --- Fees ---------------------------------------------------------------------------------
    page.get_by_label("Fee (US dollars)").fill("75")
    page.get_by_label("Fee notes").fill(FEE_NOTES)
    save_and_continue(page, "Fees", "Implementation and stacking")

    # --- Implementation and stacking ----------------------------------------------------------
    page.get_by_label("Who advises learners").fill("The undergraduate director of Computer Science.")
    page.get_by_label("How progress is tracked").fill("Brightspace completion reports each term.")
    page.get_by_label("How instructors are qualified").fill(
        "Regular faculty who have taught the courses before."
    )
    page.get_by_label("Stacks into").fill("The Health Informatics minor.")
    save_and_continue(page, "Implementation and stacking", "Attachments")

    # --- Attachments --------------------------------------------------------------------------
    expect(page.get_by_text("No files attached yet.")).to_be_visible()
    page.get_by_label("File").set_input_files(
        {"name": ATTACHMENT, "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("Purpose").select_option(label="Evidence of importance to employers")
    click_and_wait(page, page.get_by_role("button", name="Attach"), f"**/proposals/{pk}/edit/attachments/")
    expect(flash(page)).to_contain_text(f"“{ATTACHMENT}” attached.")
    expect(page.get_by_role("link", name=ATTACHMENT)).to_be_visible()
    screenshot(page, "proposal-06-attachments")

    # --- the whole proposal: only the competency is missing -----------------------------------
    click_and_wait(
        page,
        page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=TITLE),
        f"**/proposals/{pk}/",
    )
    submit_panel = page.get_by_role("region", name="Submit for review")
    expect(submit_panel).to_contain_text("1 thing still stands between this draft and submission")
    expect(submit_panel.get_by_role("listitem")).to_have_count(1)
    expect(submit_panel.get_by_role("listitem")).to_contain_text(
        "Competencies and outcomes: 1 — Choose at least one NACE career-readiness competency."
    )
    screenshot(page, "proposal-07-detail-before-submit")

    # --- submit: refused, the message is beside the competencies field ------------------------
    click_and_wait(
        page,
        page.get_by_role("button", name="Submit for unit review"),
        re.compile(rf"/proposals/{pk}/edit/outcomes/\?check=1$"),
    )
    expect(flash(page)).to_contain_text(
        "The proposal was not submitted: 1 thing still needs attention. Each is marked beside its field."
    )
    expect(page.locator("#section-problems")).to_contain_text(
        "Choose at least one NACE career-readiness competency."
    )
    proposal_competencies = page.get_by_role("group", name="NACE career-readiness competencies")
    first_box = proposal_competencies.get_by_role("checkbox").first
    note_id = first_box.get_attribute("aria-describedby").split()[-1]
    note = page.locator(f"[id='{note_id}']")
    expect(note).to_have_class(re.compile(r"\bmc-need-error\b"))
    expect(note).to_have_attribute("role", "alert")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Choose at least one NACE career-readiness competency.")
    # beside the field: the note directly follows the competencies field, before the outcomes
    follows = page.evaluate(
        "document.getElementById('div_id_competencies-competencies').nextElementSibling.id"
    )
    assert follows == note_id
    field_box = page.locator("#div_id_competencies-competencies").bounding_box()
    note_box = note.bounding_box()
    assert 0 <= note_box["y"] - (field_box["y"] + field_box["height"]) < 40
    # the outcomes' own competencies were kept and are not what is missing
    outcome_rows = page.get_by_role("group", name="Learning outcomes", exact=True).locator(
        "[data-formset-row]"
    )
    expect(
        outcome_rows.nth(0)
        .get_by_role("group", name="Competencies it develops")
        .get_by_label("Digital technology")
    ).to_be_checked()
    expect(page.locator(".mc-need-error")).to_have_count(1)
    note.scroll_into_view_if_needed()
    screenshot(page, "proposal-08-competency-needed")
    assert Proposal.objects.get(pk=pk).state == "draft"

    # --- fix it and submit again --------------------------------------------------------------
    proposal_competencies.get_by_label("Digital technology").check()
    proposal_competencies.get_by_label("Oral / written communications").check()
    click_and_wait(page, page.get_by_role("button", name="Save draft"), f"**/proposals/{pk}/edit/outcomes/")
    expect(flash(page)).to_contain_text("“Competencies and outcomes” saved.")
    expect(page.locator(".mc-need")).to_have_count(0)
    click_and_wait(page, page.get_by_role("link", name="View the whole proposal"), f"**/proposals/{pk}/")
    expect(page.get_by_role("region", name="Submit for review")).to_contain_text(
        "Every section is complete under the Binghamton University policy."
    )
    click_and_wait(page, page.get_by_role("button", name="Submit for unit review"), f"**/proposals/{pk}/")
    expect(flash(page)).to_contain_text("Submitted to Unit review as version 1.")
    header = page.locator("main header")
    expect(header.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(header.locator(".mc-state")).to_have_text("Unit review")
    expect(page.get_by_role("button", name="Submit for unit review")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit the draft")).to_have_count(0)
    screenshot(page, "proposal-09-submitted")

    # --- the read-only view shows what was entered --------------------------------------------
    expect(header).to_contain_text("MC-PHDATA-101")
    expect(header).to_contain_text("Credit-bearing digital badge")
    courses = page.get_by_role("region", name="Courses and experiences")
    expect(courses).to_contain_text("Total credits: 6")
    table = courses.get_by_role("table", name="Courses")
    for subject, number, title, _credits in COURSES:
        row = table.get_by_role("row").filter(has_text=f"{subject} {number}")
        expect(row).to_contain_text(title)
        expect(row.get_by_role("cell").nth(2)).to_have_text("3")
    expect(courses).to_contain_text("Community data clinic — Eight hours with a partner agency.")
    outcomes = page.get_by_role("region", name="Competencies and outcomes")
    expect(outcomes).to_contain_text("NACE competencies: Oral / written communications; Digital technology")
    for _kind, text, _competency in OUTCOMES:
        expect(outcomes).to_contain_text(text)
    alignment = page.get_by_role("region", name="Activities, assessments and alignment")
    first_outcome = alignment.get_by_role("table").get_by_role("row").filter(has_text="1. Clean, join")
    expect(first_outcome).to_contain_text("Weekly data labs; Community data clinic")
    expect(first_outcome).to_contain_text("Portfolio of lab notebooks; Final briefing")
    expect(page.get_by_role("region", name="Badge evidence and reflection")).to_contain_text(
        "A written reflection on how the clinic changed"
    )
    fees = page.get_by_role("region", name="Fees")
    expect(fees).to_contain_text("Additional fees beyond tuition: $75.00")
    expect(fees).to_contain_text(FEE_NOTES)
    expect(page.get_by_role("region", name="Implementation and stacking")).to_contain_text(
        "The Health Informatics minor."
    )
    attachments = page.get_by_role("region", name="Attachments")
    expect(attachments.get_by_role("link", name=ATTACHMENT)).to_be_visible()
    expect(attachments).to_contain_text("Evidence of importance to employers")

    proposal = Proposal.objects.get(pk=pk)
    assert proposal.state == "unit_review"
    assert proposal.versions.count() == 1
