"""In Chromium: a long proposal is easy to read and review (issue 14, items 2 and 9).

On a wide screen the "On this page" navigation stays in view however far the reader scrolls, leads
to the reader's own action (here the unit reviewer's decision) and marks the sections changed since
the version the reader last reviewed; on a phone it is folded into a button. Every section folds and
unfolds by keyboard. On the edit page, each section's number stays on one line with its name.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from proposals.models import Proposal
from tests.browser.conftest import screenshot
from tests.factories import complete_proposal
from tests.workflow import return_and_resubmit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAV = 20_000  # ms for every navigation
LONG = " ".join(["The micro-credential prepares learners for roles that ask for this skill."] * 12)


@pytest.fixture
def revised(demo):
    """A long proposal back at unit review as version 2, after the unit reviewer returned version 1;
    version 2 changed its purpose and its fees."""
    author = demo["faculty"]
    proposal = complete_proposal(
        author=author,
        unit=author.unit_roles.first().unit,
        outcomes=6,
        summary=LONG,
        target_learners=LONG,
        employer_evidence=LONG,
        evidence_criteria=LONG,
        advising_plan=LONG,
    )

    def change(p):
        Proposal.objects.filter(pk=p.pk).update(
            purpose="Now also for working analysts.", fee_amount=Decimal(40)
        )

    return return_and_resubmit(proposal, demo, change)


def open_as(page, login, username, proposal, width, height):
    page.set_viewport_size({"width": width, "height": height})
    login(username)
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    page.goto(f"/proposals/{proposal.pk}/", timeout=NAV)
    return page.get_by_role("navigation", name="On this page")


def focus_ring(page):
    return page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }"
    )


def test_on_a_wide_screen_the_navigation_stays_in_view_and_sections_fold_by_keyboard(
    page, login, demo, revised
):
    nav = open_as(page, login, "unitreviewer", revised, 1366, 900)
    expect(nav).to_be_visible()
    # The reader's action and the changed sections are in the navigation.
    decide = nav.get_by_role("link", name="Record your decision")
    expect(decide).to_be_visible()
    expect(nav.locator("[data-nav-changed]")).to_have_count(2)
    expect(nav.get_by_role("link", name=re.compile(r"^Purpose changed"))).to_be_visible()
    expect(nav.get_by_role("link", name=re.compile(r"^Fees changed"))).to_be_visible()
    screenshot(page, "proposal-page-desktop-top")

    # Far down the page the navigation is still in view, and it leads back to the decision.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    assert page.evaluate("window.scrollY") > 1200
    expect(nav.get_by_role("link", name="Implementation")).to_be_in_viewport()
    expect(decide).to_be_in_viewport()
    decide.click()
    expect(page).to_have_url(re.compile(r"#decide-heading$"))
    expect(page.get_by_role("heading", name=re.compile("^Your decision"))).to_be_in_viewport()

    # A changed section says so, and the diff is one click away.
    purpose = page.get_by_role("region", name="Purpose and learners")
    expect(purpose).to_contain_text("Changed since you reviewed version 1")
    purpose.get_by_role("link", name="1 change: see the diff").click()
    since = page.get_by_role("region", name="What changed since you last reviewed it")
    expect(since.locator("tr[data-change='changed']")).to_have_count(2)
    expect(since).to_contain_text("Now also for working analysts.")

    # By keyboard: follow the navigation's link to Basics, Tab to its heading's button, fold and unfold.
    nav.get_by_role("link", name="Basics", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#read-basics$"))
    page.keyboard.press("Tab")
    toggle = page.get_by_role("button", name="Basics", exact=True)
    expect(toggle).to_be_focused()
    assert focus_ring(page) == ["solid", "3px"]
    basics = page.get_by_role("region", name="Basics")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(basics.get_by_text("Co-sponsoring units")).to_be_visible()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(basics.get_by_text("Co-sponsoring units")).to_be_hidden()
    expect(basics.get_by_role("heading", name="Basics", level=2)).to_be_visible()
    page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(basics.get_by_text("Co-sponsoring units")).to_be_visible()

    # Fold everything; a link from the navigation into a folded section unfolds it.
    nav.get_by_role("button", name="Fold all sections").click()
    expect(page.locator("[data-fold][aria-expanded='true']")).to_have_count(0)
    fees = page.get_by_role("region", name="Fees")
    expect(fees.get_by_text("Additional fees beyond tuition")).to_be_hidden()
    nav.get_by_role("link", name=re.compile(r"^Fees")).click()
    expect(fees.get_by_role("button", name="Fees")).to_have_attribute("aria-expanded", "true")
    expect(fees.get_by_text("Additional fees beyond tuition")).to_be_visible()
    nav.get_by_role("button", name="Unfold all").click()
    expect(page.locator("[data-fold][aria-expanded='false']")).to_have_count(0)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    screenshot(page, "proposal-page-desktop-middle")


def test_on_a_phone_the_navigation_is_folded_into_a_button(page, login, demo, revised):
    nav = open_as(page, login, "unitreviewer", revised, 390, 844)
    toggle = nav.get_by_role("button", name=re.compile("^On this page"))
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_contain_text("2 changed")
    fees_link = nav.get_by_role("link", name=re.compile(r"^Fees"))
    expect(fees_link).to_be_hidden()
    screenshot(page, "proposal-page-phone-top")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(fees_link).to_be_visible()
    expect(nav.get_by_role("link", name="Record your decision")).to_be_visible()
    fees_link.click()
    expect(page).to_have_url(re.compile(r"#read-fees$"))
    expect(page.get_by_role("heading", name="Fees", level=2)).to_be_in_viewport()
    # Sections fold on a phone too.
    page.get_by_role("button", name="Fees", exact=True).click()
    expect(page.get_by_role("button", name="Fees", exact=True)).to_have_attribute("aria-expanded", "false")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    screenshot(page, "proposal-page-phone-middle")


SPLIT_WORDS = """() => [...document.querySelectorAll('.mc-section-nav li')].flatMap((li) => {
  // Every word of a section's name on one line: a name wraps between words, never inside one.
  const link = li.querySelector('a'), text = link.firstChild, words = [];
  let start = 0;
  for (const word of text.data.split(' ')) {
    const range = document.createRange();
    range.setStart(text, start); range.setEnd(text, start + word.length);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    if (lines.size > 1) words.push(word);
    start += word.length + 1;
  }
  // The name starts on the number's line: its first line is the item's first line.
  const first = link.getClientRects()[0], item = li.getBoundingClientRect();
  const padding = parseFloat(getComputedStyle(li).paddingTop);
  if (first.top - item.top > padding + 4) words.push('(pushed below its number) ' + text.data);
  return words;
})"""


@pytest.mark.parametrize("width", [992, 1200, 390])
def test_the_edit_sidebar_keeps_each_number_with_its_name(page, login, demo, width):
    author = demo["faculty"]
    draft = complete_proposal(author=author, unit=author.unit_roles.first().unit)
    page.set_viewport_size({"width": width, "height": 900})
    login("faculty")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    page.goto(f"/proposals/{draft.pk}/edit/implementation/", timeout=NAV)
    expect(page.get_by_role("navigation", name="Proposal sections").get_by_role("listitem")).to_have_count(10)
    for font_size in ("16px", "20px"):
        page.evaluate(f"document.documentElement.style.fontSize = '{font_size}'")
        assert page.evaluate(SPLIT_WORDS) == [], font_size
