"""In Chromium, on the demo site: each role opens the home page and reaches its first task in one
click (the page reached is where that task is done), and a committee member casts a vote from the
home page in two clicks."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAV = 20_000  # ms for every navigation


@pytest.fixture
def demo_site(settings):
    from microcred.demo import seed_demo

    seed_demo()


def log_in(page, username):
    from microcred.demo import DEMO_PASSWORD

    page.goto("/accounts/login/", timeout=NAV)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    with page.expect_navigation(timeout=NAV):
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My work", exact=True)).to_be_visible()


def first_task(page):
    """The first link of "What waits for you": a card's first item, or the first count of a card
    whose counts are links (the registrar's states)."""
    waiting = page.locator("[data-section=waiting]")
    expect(waiting).to_be_visible()
    return waiting.locator(".mc-item-link, [data-stat] a").first


def region(page, name):
    return page.get_by_role("region", name=name, exact=True)


# Role -> (what the first task's link says, then what the page it opens must show).
FIRST_TASKS = {
    # The returned proposal comes before the draft; it opens where it is resubmitted.
    "faculty": (
        "Inclusive Team Leadership",
        lambda page: expect(region(page, "Resubmit after revision")).to_be_in_viewport(),
    ),
    # The longest waiting at unit review, opened at the decision form.
    "unitreviewer": (
        "Data Storytelling for Public Health",
        lambda page: expect(region(page, "Your decision: Unit review")).to_be_in_viewport(),
    ),
    "gc-member1": (
        "Applied Machine Learning Practice",
        lambda page: expect(
            region(page, "Vote of Graduate Council").get_by_role("button", name="Cast my vote")
        ).to_be_visible(),
    ),
    # The chair has voted: the vote waits to be closed.
    "gc-chair": (
        "Applied Machine Learning Practice",
        lambda page: expect(
            region(page, "Vote of Graduate Council").get_by_role(
                "button", name="Close the vote and record the result"
            )
        ).to_be_visible(),
    ),
    # The approved one waiting to be published, or a draft on which the authors asked for a
    # consultation (the office completes it): the draft has entered no stage, so its place among
    # the waits is not a measure of how long it waited.
    "office": (
        re.compile(r"^(Cybersecurity Essentials|Cloud Foundations)$"),
        lambda page: expect(
            page.get_by_role("button", name=re.compile(r"^(Complete the consultation|Publish)$")).first
        ).to_be_visible(),
    ),
    "evaluator": (
        "Portfolio review: Leo Martins",
        lambda page: expect(
            region(page, "Your decision").get_by_role("button", name="Record the decision")
        ).to_be_visible(),
    ),
    # The registrar's queue, filtered to the pending records.
    "registrar": (
        "Pending",
        lambda page: expect(page.get_by_role("combobox", name="State")).to_have_value("pending"),
    ),
    "learner": (
        "Project Management Fundamentals",
        lambda page: expect(
            page.get_by_role("heading", level=1, name="Project Management Fundamentals")
        ).to_be_visible(),
    ),
}


def test_each_role_reaches_its_first_task_from_home_in_one_click(browser, live_server, demo_site):
    for username, (label, reached) in FIRST_TASKS.items():
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            log_in(page, username)
            link = first_task(page)
            expect(link).to_have_text(label)
            with page.expect_navigation(timeout=NAV):
                link.click()
            reached(page)
            screenshot(page, f"home-first-task-{username}")
        finally:
            page.goto("about:blank", timeout=5_000)
            context.close()


def test_a_committee_member_votes_from_home_in_two_clicks(page, demo_site):
    log_in(page, "gc-member1")
    card = region(page, "Graduate Council")
    expect(card).to_contain_text("Cast your vote")
    # Click 1: the open vote waiting for this member, straight to the vote panel.
    with page.expect_navigation(timeout=NAV):
        card.get_by_role("link", name="Applied Machine Learning Practice").click()
    assert re.search(r"/proposals/\d+/#vote$", page.url), page.url
    panel = region(page, "Vote of Graduate Council")
    expect(panel).to_be_in_viewport()
    # Choosing is part of filling the form in; the clicks counted are those that move page.
    panel.get_by_role("radio", name="Approve", exact=True).check()
    # Click 2: submit the vote form.
    with page.expect_navigation(timeout=NAV):
        panel.get_by_role("button", name="Cast my vote").click()
    expect(region(page, "Vote of Graduate Council")).to_contain_text("You voted Approve.")
    page.goto("/", timeout=NAV)
    expect(region(page, "Graduate Council")).to_contain_text("No open votes are waiting for you.")
