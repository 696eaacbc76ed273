"""In Chromium: whole approval routes, each step taken by the demo user whose job it is.

1. Binghamton: a credit-bearing graduate proposal goes unit review → Graduate Council → EPPC → FSEC →
   Office of Micro-Credentials committee → approved → published.
2. FIU: a proposal with a new course goes unit review → Faculty Senate Curriculum Committee → ASA
   review → approved, with one return-for-revision round at the FSCC whose diff the reviewers see.

Every reviewer logs in, finds the proposal in "My queue", opens it and acts on its page.
"""

import re

import pytest
from playwright.sync_api import expect

from microcred.demo import DEMO_PASSWORD
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAV = 20_000  # ms for every navigation


# --- helpers ---------------------------------------------------------------------------------


def click_and_wait(page, locator, url=re.compile(r".*")):
    """Click something that submits or follows a link, and wait for the next page to load."""
    with page.expect_navigation(url=url, timeout=NAV):
        locator.click()


def flash(page):
    """The flash message: role=status for news, role=alert for errors."""
    return page.locator(".mc-messages .alert")


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    click_and_wait(page, page.get_by_role("button", name="Log in"))
    expect(page.get_by_role("heading", name="My work")).to_be_visible()


def log_out(page):
    page.locator(".navbar .dropdown-toggle").click()
    click_and_wait(page, page.get_by_role("button", name="Log out"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def open_from_queue(page, pk, title, task=None, shot=None):
    """The proposal waits in this person's queue; open it from there."""
    click_and_wait(
        page, page.get_by_role("navigation", name="Main").get_by_role("link", name="My queue"), "**/queue/"
    )
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=title, exact=True))
    expect(row).to_have_count(1)
    if task:
        expect(row).to_contain_text(task)
    if shot:
        screenshot(page, shot)
    # The queue links to the panel of the page where the task is done (#decide, #vote …).
    click_and_wait(
        page, row.get_by_role("link", name=title, exact=True), re.compile(rf"/proposals/{pk}/(#[\w-]+)?$")
    )


def expect_stage(page, state_label, step_label=None):
    """The header badge names the state and the progress track marks the current step."""
    expect(page.locator("main header .mc-state")).to_have_text(state_label)
    track = page.get_by_role("list", name="Progress through the approval route")
    current = track.locator("[aria-current='step']")
    expect(current).to_have_count(1)
    expect(current.locator(".mc-track-label")).to_have_text(step_label or state_label)


def decide(page, stage_label, decision, comment=""):
    panel = page.get_by_role("region", name=f"Your decision: {stage_label}")
    expect(panel).to_be_visible()
    panel.get_by_role("radio", name=decision, exact=True).check()
    if comment:
        panel.get_by_label("Comment", exact=True).fill(comment)
    click_and_wait(page, panel.get_by_role("button", name="Record the decision"))


def vote(page, body_name, choice, comment=""):
    panel = page.get_by_role("region", name=f"Vote of {body_name}")
    expect(panel).to_be_visible()
    panel.get_by_role("radio", name=choice, exact=True).check()
    if comment:
        panel.get_by_label("Comment", exact=True).fill(comment)
    click_and_wait(page, panel.get_by_role("button", name="Cast my vote"))
    expect(flash(page)).to_contain_text(f"Your vote “{choice}” is recorded.")
    panel = page.get_by_role("region", name=f"Vote of {body_name}")
    expect(panel).to_contain_text(f"You voted {choice}.")
    expect(panel.get_by_role("button", name="Change my vote")).to_be_visible()


def close_vote(page, body_name, tally, comment="", shot=None):
    panel = page.get_by_role("region", name=f"Vote of {body_name}")
    expect(panel.get_by_role("heading", name="Tally so far")).to_be_visible()
    expect(panel.locator("[data-tally]")).to_contain_text(tally)
    close_form = panel.locator(
        "form", has=page.get_by_role("button", name="Close the vote and record the result")
    )
    if shot:
        panel.scroll_into_view_if_needed()
        screenshot(page, shot)
    if comment:
        close_form.get_by_label("Comment for the authors").fill(comment)
    click_and_wait(page, close_form.get_by_role("button", name="Close the vote and record the result"))
    expect(flash(page)).to_contain_text("Vote closed.")


def committee_approves(page, pk, title, slug, body_name, shot=None, before_close_shot=None):
    """Two of the body's three voting members (chair and member 1) approve; the chair closes."""
    log_in(page, f"{slug}-member1")
    open_from_queue(page, pk, title, task="Cast your vote")
    vote(page, body_name, "Approve", comment="Sound and well aligned.")
    expect(page.get_by_role("button", name="Close the vote and record the result")).to_have_count(0)
    log_out(page)

    log_in(page, f"{slug}-chair")
    open_from_queue(
        page,
        pk,
        title,
        task="Cast your vote, then close the vote (1 cast so far)",
        shot=f"pipeline-bu-{slug}-chair-queue" if before_close_shot else None,
    )
    vote(page, body_name, "Approve")
    close_vote(
        page,
        body_name,
        "2 approve · 0 request changes · 0 reject · 0 abstain — 2 of 3 recorded voters voted; quorum 2.",
        shot=before_close_shot,
    )
    if shot:
        screenshot(page, shot)


def history(page):
    return page.get_by_role("region", name="History")


def faculty_submits(page, pk, title):
    log_in(page, "faculty")
    page.goto(f"/proposals/{pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    click_and_wait(page, page.get_by_role("button", name="Submit for unit review"), f"**/proposals/{pk}/")
    expect(flash(page)).to_contain_text("Submitted to Unit review as version 1.")
    expect_stage(page, "Unit review")


# --- Binghamton --------------------------------------------------------------------------------


def test_binghamton_graduate_credit_proposal_travels_the_whole_route(page, demo):
    from proposals.models import Proposal
    from tests.factories import complete_proposal

    title = "Graduate Data Storytelling"
    faculty = demo["faculty"]
    proposal = complete_proposal(
        author=faculty,
        unit=faculty.unit_roles.first().unit,
        level="graduate",
        title=title,
        code="MC-GDS-500",
        fee_amount=None,
    )
    pk = proposal.pk

    # --- the faculty member submits ---------------------------------------------------------
    faculty_submits(page, pk, title)
    track = page.get_by_role("list", name="Progress through the approval route")
    expect(track.locator(".mc-track-label")).to_have_text(
        [
            "Unit review",
            "Graduate Council review",
            "EPPC review",
            "FSEC review",
            "Office of Micro-Credentials committee review",
            "Approved",
            "Published",
        ]
    )
    # the author sees where it is but has nothing to decide or vote on
    expect(page.get_by_role("region", name=re.compile("^Your decision"))).to_have_count(0)
    screenshot(page, "pipeline-bu-01-submitted")
    log_out(page)

    # --- unit review: the chair of the department's curriculum committee decides -------------
    log_in(page, "unitreviewer")
    open_from_queue(page, pk, title, task="Decide: approve, return or reject")
    expect_stage(page, "Unit review")
    screenshot(page, "pipeline-bu-02-unit-review")
    decide(page, "Unit review", "Approve")
    expect(flash(page)).to_contain_text("Decision recorded. The proposal is now “Graduate Council review”.")
    expect_stage(page, "Graduate Council review")
    expect(page.get_by_role("region", name=re.compile("^Your decision"))).to_have_count(0)
    log_out(page)

    # --- the three committees vote in turn ----------------------------------------------------
    committees = [
        ("gc", "Graduate Council", "Graduate Council review", "EPPC review"),
        ("eppc", "Faculty Senate EPPC", "EPPC review", "FSEC review"),
        (
            "fsec",
            "Faculty Senate Executive Committee (FSEC)",
            "FSEC review",
            "Office of Micro-Credentials committee review",
        ),
        (
            "omc",
            "Office of Micro-Credentials review committee",
            "Office of Micro-Credentials committee review",
            "Approved",
        ),
    ]
    for number, (slug, body_name, _stage, following) in enumerate(committees, start=3):
        committee_approves(
            page,
            pk,
            title,
            slug,
            body_name,
            shot=f"pipeline-bu-{number:02}-{slug}-closed",
            before_close_shot="pipeline-bu-03a-gc-chair-before-closing" if slug == "gc" else None,
        )
        expect(flash(page)).to_contain_text("Approved by majority")
        expect(flash(page)).to_contain_text(f"The proposal is now “{following}”.")
        expect_stage(page, following)
        log_out(page)

    # a member of a committee the proposal has left has nothing left to do on it
    log_in(page, "gc-member2")
    click_and_wait(
        page, page.get_by_role("navigation", name="Main").get_by_role("link", name="My queue"), "**/queue/"
    )
    expect(page.get_by_role("link", name=title, exact=True)).to_have_count(0)
    log_out(page)

    # --- the Office publishes -------------------------------------------------------------------
    log_in(page, "office")
    open_from_queue(page, pk, title, task="Publish the approved micro-credential")
    expect_stage(page, "Approved")
    screenshot(page, "pipeline-bu-07-approved")
    click_and_wait(page, page.get_by_role("button", name="Publish"), f"**/proposals/{pk}/")
    expect(flash(page)).to_contain_text("Published: the micro-credential can now be awarded.")
    expect_stage(page, "Published")
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    expect(page.get_by_role("button", name="Retire")).to_be_visible()
    track = page.get_by_role("list", name="Progress through the approval route")
    expect(track.locator(".mc-track-done")).to_have_count(6)

    # --- the history tells the whole story --------------------------------------------------
    events = history(page)
    expect(events.locator("[data-action='submitted']")).to_have_count(1)
    expect(events.locator("[data-action='submitted']")).to_contain_text("Submitted by Fatima Ortiz")
    expect(events.locator("[data-action='approved']")).to_have_count(5)
    expect(events.locator("[data-action='vote_cast']")).to_have_count(8)
    expect(events.locator("[data-action='published']")).to_have_count(1)
    for text in (
        "Approved at stage by Uma Reyes: Unit review → Graduate Council review",
        "Approved at stage by Margaret Holloway: Graduate Council review → EPPC review",
        "Approved at stage by Robert Lindgren: EPPC review → FSEC review",
        "Approved at stage by Susan Whitfield: FSEC review → Office of Micro-Credentials committee review",
        "Approved at stage by Helen Marsh: Office of Micro-Credentials committee review → Approved",
        "Published by Olivia Stone: Approved → Published",
    ):
        expect(events).to_contain_text(text)
    screenshot(page, "pipeline-bu-08-published")

    proposal = Proposal.objects.get(pk=pk)
    assert proposal.state == "published"
    assert list(proposal.ballots.order_by("opened_at").values_list("stage", "outcome")) == [
        ("graduate_council", "approve"),
        ("eppc", "approve"),
        ("fsec", "approve"),
        ("office_review", "approve"),
    ]


# --- FIU ------------------------------------------------------------------------------------------


def test_fiu_new_course_proposal_is_returned_once_and_then_approved(page, settings):
    from django.contrib.auth import get_user_model

    from microcred.demo import seed_demo
    from proposals.models import Proposal
    from tests.factories import complete_proposal

    settings.MICROCRED_POLICY = "fiu"
    seed_demo(with_proposals=False)
    faculty = get_user_model().objects.get(username="faculty")
    title = "Cloud Security Foundations"
    revised = "Cloud Security Foundations for Practitioners"
    proposal = complete_proposal(
        author=faculty,
        unit=faculty.unit_roles.first().unit,
        level="graduate",
        title=title,
        code="MC-CSF-100",
    )
    proposal.courses.filter(position=1).update(is_new=True)
    pk = proposal.pk
    fscc = "Faculty Senate Curriculum Committee"
    fscc_stage = "Faculty Senate Curriculum Committee review"
    asa_stage = "Academic and Student Affairs review"

    # --- submit: the route includes the FSCC because of the new course ---------------------------
    faculty_submits(page, pk, title)
    expect(page.locator("main header")).to_contain_text("Needs curriculum approval")
    expect(page.locator("footer")).to_contain_text("FIU Policy 380.104")
    track = page.get_by_role("list", name="Progress through the approval route")
    expect(track.locator(".mc-track-label")).to_have_text(
        ["Unit review", fscc_stage, asa_stage, "Approved", "Published"]
    )
    screenshot(page, "pipeline-fiu-01-submitted")
    log_out(page)

    # --- unit review ------------------------------------------------------------------------------
    log_in(page, "unitreviewer")
    open_from_queue(page, pk, title)
    decide(page, "Unit review", "Approve")
    expect(flash(page)).to_contain_text(f"The proposal is now “{fscc_stage}”.")
    expect_stage(page, fscc_stage)
    log_out(page)

    # --- FSCC: two members request changes, the chair closes: returned for revision -------------
    log_in(page, "fscc-member1")
    open_from_queue(page, pk, title)
    vote(page, fscc, "Request changes", comment="The title should say who it is for.")
    log_out(page)

    log_in(page, "fscc-chair")
    open_from_queue(page, pk, title)
    vote(page, fscc, "Request changes", comment="Agreed: name the audience in the title.")
    close_vote(
        page,
        fscc,
        "0 approve · 2 request changes · 0 reject · 0 abstain — 2 of 3 recorded voters voted; quorum 2.",
        comment="Please name the intended audience in the title and resubmit.",
    )
    expect(flash(page)).to_contain_text("Changes requested by majority")
    expect(flash(page)).to_contain_text("The proposal is now “Returned for revision”.")
    expect(page.locator("main header .mc-state")).to_have_text("Returned for revision")
    track = page.get_by_role("list", name="Progress through the approval route")
    returned_step = track.locator("[aria-current='step']")
    expect(returned_step).to_have_class(re.compile(r"\bmc-track-returned\b"))
    expect(returned_step).to_contain_text(fscc_stage)
    expect(returned_step).to_contain_text("returned from here for revision")
    screenshot(page, "pipeline-fiu-02-returned")
    log_out(page)

    # --- the author reads why, revises the title and resubmits ----------------------------------
    log_in(page, "faculty")
    page.goto(f"/proposals/{pk}/")
    expect(page.locator("main header .mc-state")).to_have_text("Returned for revision")
    expect(history(page)).to_contain_text("Please name the intended audience in the title and resubmit.")
    resubmit_panel = page.get_by_role("region", name="Resubmit after revision")
    expect(resubmit_panel).to_be_visible()
    screenshot(page, "pipeline-fiu-03-author-sees-return")
    click_and_wait(
        page, page.get_by_role("link", name="Revise the proposal"), f"**/proposals/{pk}/edit/basics/"
    )
    page.get_by_label("Title").fill(revised)
    click_and_wait(page, page.get_by_role("button", name="Save draft"), f"**/proposals/{pk}/edit/basics/")
    expect(flash(page)).to_contain_text("“Basics” saved.")
    page.goto(f"/proposals/{pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(revised)
    click_and_wait(page, page.get_by_role("button", name=f"Resubmit to {fscc_stage}"), f"**/proposals/{pk}/")
    expect(flash(page)).to_contain_text(f"Resubmitted to {fscc_stage} as version 2.")
    expect_stage(page, fscc_stage)
    log_out(page)

    # --- FSCC again: the reviewers see what changed, then approve -----------------------------------
    log_in(page, "fscc-member1")
    open_from_queue(page, pk, revised)
    since = page.get_by_role("region", name="What changed since you last reviewed it")
    expect(since).to_be_visible()
    expect(since.get_by_role("table")).to_contain_text("between version 1 and version 2")
    title_row = since.locator("tr[data-change='changed']").filter(has_text=revised)
    expect(title_row).to_have_count(1)
    expect(title_row.get_by_role("cell").nth(1)).to_have_text(title)
    expect(title_row.get_by_role("cell").nth(2)).to_have_text(revised)
    # the vote is a fresh one: the earlier "Request changes" does not carry over
    expect(page.get_by_role("button", name="Cast my vote")).to_be_visible()
    since.scroll_into_view_if_needed()
    screenshot(page, "pipeline-fiu-04-diff-for-reviewer")
    vote(page, fscc, "Approve")
    log_out(page)

    log_in(page, "fscc-chair")
    open_from_queue(page, pk, revised)
    since = page.get_by_role("region", name="What changed since you last reviewed it")
    expect(since.locator("tr[data-change='changed']").filter(has_text=revised)).to_have_count(1)
    vote(page, fscc, "Approve")
    close_vote(
        page,
        fscc,
        "2 approve · 0 request changes · 0 reject · 0 abstain — 2 of 3 recorded voters voted; quorum 2.",
    )
    expect(flash(page)).to_contain_text(f"The proposal is now “{asa_stage}”.")
    expect_stage(page, asa_stage)
    log_out(page)

    # --- ASA review: the ASA staff decide ------------------------------------------------------------
    log_in(page, "office")
    open_from_queue(page, pk, revised, task="Decide: approve, return or reject")
    expect_stage(page, asa_stage)
    screenshot(page, "pipeline-fiu-05-asa-review")
    decide(page, asa_stage, "Approve")
    expect(flash(page)).to_contain_text("Decision recorded. The proposal is now “Approved”.")
    expect_stage(page, "Approved")
    expect(page.get_by_role("button", name="Publish")).to_be_visible()

    events = history(page)
    for action, count in (
        ("submitted", 1),
        ("approved", 3),
        ("returned", 1),
        ("resubmitted", 1),
        ("vote_cast", 4),
    ):
        expect(events.locator(f"[data-action='{action}']")).to_have_count(count)
    for text in (
        "Submitted by Fatima Ortiz: Draft → Unit review",
        f"Approved at stage by Uma Reyes: Unit review → {fscc_stage}",
        f"Returned for revision by Carmen Delgado: {fscc_stage} → Returned for revision",
        f"Resubmitted by Fatima Ortiz: Returned for revision → {fscc_stage}",
        f"Approved at stage by Carmen Delgado: {fscc_stage} → {asa_stage}",
        f"Approved at stage by Olivia Stone: {asa_stage} → Approved",
    ):
        expect(events).to_contain_text(text)
    screenshot(page, "pipeline-fiu-06-approved")

    proposal = Proposal.objects.get(pk=pk)
    assert proposal.state == "approved"
    assert proposal.title == revised
    assert proposal.versions.count() == 2
    assert list(proposal.ballots.order_by("opened_at").values_list("version_number", "outcome")) == [
        (1, "request_changes"),
        (2, "approve"),
    ]


# --- Binghamton: additional fees need the Office's sign-off before the final approval -------------


def test_binghamton_fee_review_sign_off_is_needed_before_final_approval(page, demo):
    """The earlier stages are taken through the services (the first test covers them in the browser);
    the last stage is taken in the browser: the closing is refused until "office" signs off."""
    from decimal import Decimal

    from proposals.models import Proposal
    from review import selectors, services
    from tests.factories import complete_proposal

    title = "Data Storytelling with a Lab Fee"
    faculty = demo["faculty"]
    proposal = complete_proposal(
        author=faculty, unit=faculty.unit_roles.first().unit, title=title, fee_amount=Decimal("75")
    )
    pk = proposal.pk
    proposal, _version = services.submit(proposal=proposal, user=faculty)
    proposal = services.decide(
        proposal=proposal, user=demo["unitreviewer"], decision="approve", expected_state="unit_review"
    )
    for slug in ("eppc", "fsec"):
        for voter in (f"{slug}-chair", f"{slug}-member1"):
            services.cast_vote(proposal=proposal, user=demo[voter], choice="approve")
        proposal, _ballot = services.close_vote(
            proposal=proposal, user=demo[f"{slug}-chair"], ballot_id=selectors.open_ballot(proposal).pk
        )
    assert proposal.state == "office_review"
    body_name = "Office of Micro-Credentials review committee"

    # --- the committee approves, but the closing is refused: no fee review yet ------------------
    log_in(page, "omc-member1")
    open_from_queue(page, pk, title, task="Cast your vote")
    expect(page.get_by_role("region", name="Approval route")).to_contain_text(
        "staff sign off the fee review at Office of Micro-Credentials committee review, before final approval"
    )
    vote(page, body_name, "Approve")
    log_out(page)

    log_in(page, "omc-chair")
    open_from_queue(page, pk, title)
    vote(page, body_name, "Approve")
    panel = page.get_by_role("region", name=f"Vote of {body_name}")
    click_and_wait(page, panel.get_by_role("button", name="Close the vote and record the result"))
    expect(flash(page)).to_contain_text(
        "The additional fees beyond tuition need a fee review sign-off by Office of Micro-Credentials "
        "staff, for the fees the proposal states now, before final approval."
    )
    expect_stage(page, "Office of Micro-Credentials committee review")
    # nothing was recorded: the vote is still open with both votes in it
    expect(panel.locator("[data-tally]")).to_contain_text("2 approve")
    screenshot(page, "pipeline-fee-01-closing-refused")
    log_out(page)

    # --- the Office signs off the fee review ---------------------------------------------------------
    log_in(page, "office")
    open_from_queue(page, pk, title)
    click_and_wait(page, page.get_by_role("button", name="Sign off the fee review"), f"**/proposals/{pk}/")
    expect(flash(page)).to_contain_text("Fee review signed off.")
    expect(page.get_by_role("region", name="Approval route")).to_contain_text("✓ Fee review signed off")
    expect(page.get_by_role("button", name="Sign off the fee review")).to_have_count(0)
    log_out(page)

    # --- now the chair's closing approves it --------------------------------------------------------
    log_in(page, "omc-chair")
    page.goto(f"/proposals/{pk}/")
    close_vote(
        page,
        body_name,
        "2 approve · 0 request changes · 0 reject · 0 abstain — 2 of 3 recorded voters voted; quorum 2.",
    )
    expect(flash(page)).to_contain_text("The proposal is now “Approved”.")
    expect_stage(page, "Approved")
    events = history(page)
    expect(events.locator("[data-action='fee_signoff']")).to_contain_text(
        "Fee review signed off by Olivia Stone"
    )
    screenshot(page, "pipeline-fee-02-approved")

    proposal = Proposal.objects.get(pk=pk)
    assert proposal.state == "approved"
    assert proposal.fee_review_signed_by.username == "office"
    assert proposal.ballots.filter(stage="office_review").count() == 1
