"""In Chromium, with the keyboard only (Tab, Shift+Tab, Enter, Space, Escape and typing; no clicks):
a faculty member saves a section of their draft and submits a complete proposal, a committee
member votes, a learner reaches the
downloads of their award. At every stop the focused element shows a focus ring that it does not
have unfocused (WCAG 2.4.7) and is on screen, not hidden under anything (WCAG 2.4.11)."""

import contextlib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from microcred.demo import DEMO_PASSWORD
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT = 20_000  # ms for every navigation and wait
MAX_TABS = 80

# What the focused element looks like, and what the element focused before looks like now that
# focus has left it (to tell a focus ring from a border it always has).
FOCUS = """() => {
  const ring = (el) => {
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2
      && s.outlineColor !== 'rgba(0, 0, 0, 0)' ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : '';
    return {outline, shadow: s.boxShadow === 'none' ? '' : s.boxShadow};
  };
  const el = document.activeElement;
  const before = window.__mcFocused;
  const left = before && before !== el && before.isConnected ? ring(before) : null;
  window.__mcFocused = el;
  if (!el || el === document.body) return {tag: 'body', name: '', left};
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
  const name = (el.getAttribute('aria-label') || label || el.textContent || el.value || '')
    .replace(/\\s+/g, ' ').trim();
  return {
    tag: el.tagName.toLowerCase(), id: el.id, type: el.type || '', name, left, ...ring(el),
    onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
      && r.top < innerHeight && r.left < innerWidth,
    onTop: !!hit && (hit === el || el.contains(hit) || hit.contains(el) || (el.labels
      && [...el.labels].some((l) => l.contains(hit)))),
  };
}"""


SCROLLED_TO_FOCUS = """() => {
  const r = document.activeElement.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= innerHeight;
}"""


class Keyboard:
    """Tabs through a page checking every stop, and keeps the stops for the failure message."""

    def __init__(self, page):
        self.page = page
        self.stops = []
        self.previous = None

    def check(self):
        focus = self.page.evaluate(FOCUS)
        if focus["tag"] != "body" and not (focus.get("onScreen") and focus.get("onTop")):
            # Bootstrap scrolls smoothly: let the scroll that the focus started come to rest.
            with contextlib.suppress(PlaywrightTimeout):
                self.page.wait_for_function(SCROLLED_TO_FOCUS, timeout=3_000)
            focus = {**self.page.evaluate(FOCUS), "left": focus["left"]}
        if self.previous is not None and focus["left"] is not None:
            # the ring the previous stop had is gone now that focus has left it: it was a focus ring
            assert (self.previous["outline"], self.previous["shadow"]) != (
                focus["left"]["outline"],
                focus["left"]["shadow"],
            ), f"no visible change when {self.describe(self.previous)} had focus"
        if focus["tag"] not in ("body", "main"):  # main is the skip link's target, not a control
            where = self.describe(focus)
            assert focus["outline"] or focus["shadow"], f"no focus ring on {where}"
            assert focus["onScreen"], f"{where} has focus but is off screen"
            assert focus["onTop"], f"{where} has focus but something covers it"
        self.previous = focus if focus["tag"] not in ("body", "main") else None
        self.stops.append(self.describe(focus))
        return focus

    @staticmethod
    def describe(focus):
        return f"<{focus['tag']}{' #' + focus['id'] if focus.get('id') else ''}> {focus['name'][:60]!r}"

    def press(self, key):
        self.page.keyboard.press(key)
        return self.check()

    def tab_to(self, name, *, back=False):
        """Tab (or Shift+Tab) until an element whose name starts with ``name`` has focus."""
        for _ in range(MAX_TABS):
            focus = self.press("Shift+Tab" if back else "Tab")
            if focus["name"].startswith(name):
                return focus
        trail = "\n  ".join(self.stops[-MAX_TABS:])
        raise AssertionError(f"{name!r} never had focus; the Tab stops were:\n  {trail}")

    def follow(self, key="Enter"):
        """Press a key that leaves the page, and wait for the next one."""
        with self.page.expect_navigation(timeout=WAIT):
            self.page.keyboard.press(key)
        self.previous = None
        self.page.evaluate("window.__mcFocused = null")


@pytest.fixture
def site():
    from microcred.demo import seed_demo

    seed_demo()


def log_in(page, username):
    """Log in (the login page puts focus in its first field), then check the home page's first Tab
    stop: the skip link, which moves focus to main. Focus is left on main's first control, so the
    top bar is behind it: Shift+Tab reaches it."""
    keys = Keyboard(page)
    page.goto("/accounts/login/", timeout=WAIT)
    assert keys.check()["name"].startswith("Username"), "the login page starts in its first field"
    page.keyboard.type(username)
    keys.tab_to("Password")
    page.keyboard.type(DEMO_PASSWORD)
    keys.follow("Enter")
    expect(page.get_by_role("heading", name="My work")).to_be_visible(timeout=WAIT)
    first = keys.press("Tab")
    assert first["name"] == "Skip to main content", f"the first Tab stop is {keys.describe(first)}"
    assert page.get_by_role("link", name="Skip to main content").is_visible()
    keys.press("Enter")
    page.wait_for_function("location.hash === '#main'", timeout=WAIT)
    assert page.evaluate("document.activeElement.id") == "main"
    after = keys.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)"), (
        f"after the skip link, Tab went to {keys.describe(after)}, outside main"
    )
    return keys


def test_the_user_menu_opens_and_closes_with_the_keyboard(page, site):
    keys = log_in(page, "faculty")
    toggle = page.locator(".navbar .dropdown-toggle")
    keys.tab_to("Signed in as", back=True)
    keys.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true", timeout=WAIT)
    expect(page.get_by_role("link", name="Change password")).to_be_visible(timeout=WAIT)
    assert keys.press("Tab")["name"] == "Your names"
    assert keys.press("Tab")["name"] == "Email settings"
    assert keys.press("Tab")["name"] == "Change password"
    assert keys.press("Tab")["name"] == "Log out"
    keys.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false", timeout=WAIT)
    expect(page.get_by_role("link", name="Change password")).to_be_hidden(timeout=WAIT)
    assert page.evaluate("document.activeElement.classList.contains('dropdown-toggle')")
    keys.press("Space")  # Space opens it too
    expect(toggle).to_have_attribute("aria-expanded", "true", timeout=WAIT)
    keys.press("Tab")
    keys.press("Tab")
    keys.press("Tab")
    keys.press("Tab")
    keys.follow("Enter")  # Log out
    expect(page.get_by_role("heading", name="Log in")).to_be_visible(timeout=WAIT)


def test_faculty_member_saves_a_section_of_their_draft_by_keyboard(page, site):
    from proposals.models import Proposal

    draft = Proposal.objects.get(code="MC-DEMO-6")
    keys = log_in(page, "faculty")
    keys.tab_to("My proposals", back=True)
    keys.follow()
    keys.tab_to(draft.title)
    keys.follow()
    expect(page.get_by_role("heading", name=draft.title, level=1)).to_be_visible(timeout=WAIT)
    keys.tab_to("Edit the draft")
    keys.follow()
    expect(page.get_by_role("heading", name="Basics", level=1)).to_be_visible(timeout=WAIT)
    assert keys.tab_to("Summary")["tag"] == "textarea"
    page.keyboard.press("Control+A")
    page.keyboard.type("Protect systems and data: a hands-on start in security.")
    keys.tab_to("Save draft")
    keys.follow()
    expect(page.locator(".mc-messages .alert")).to_contain_text("“Basics” saved.", timeout=WAIT)
    draft.refresh_from_db()
    assert draft.summary == "Protect systems and data: a hands-on start in security."


def test_faculty_member_submits_a_complete_proposal_by_keyboard(page, site):
    from django.contrib.auth import get_user_model

    from proposals.policy import State
    from tests.factories import complete_proposal

    author = get_user_model().objects.get(username="faculty")
    proposal = complete_proposal(
        author=author, unit=author.unit_roles.first().unit, title="Keyboard Analytics", code="MC-KB-1"
    )
    keys = log_in(page, "faculty")
    keys.tab_to("My proposals", back=True)
    keys.follow()
    keys.tab_to(proposal.title)
    keys.follow()
    expect(page.get_by_role("heading", name=proposal.title, level=1)).to_be_visible(timeout=WAIT)
    focus = keys.tab_to("Submit for unit review")
    assert (focus["tag"], focus["type"]) == ("button", "submit")
    keys.follow()
    expect(page.locator(".mc-messages .alert")).to_contain_text("Submitted", timeout=WAIT)
    proposal.refresh_from_db()
    assert proposal.state == State.UNIT_REVIEW


def test_committee_member_votes_on_a_proposal_in_their_queue_by_keyboard(page, site):
    from proposals.models import Proposal
    from review.models import Vote

    proposal = Proposal.objects.get(code="MC-DEMO-2")
    keys = log_in(page, "gc-member1")
    keys.tab_to("My queue", back=True)
    keys.follow()
    keys.tab_to(proposal.title)
    keys.follow()
    expect(page.locator("#vote-heading")).to_be_visible(timeout=WAIT)
    focus = keys.tab_to("Approve")
    assert (focus["tag"], focus["type"]) == ("input", "radio")
    keys.press("Space")
    expect(page.get_by_role("radio", name="Approve")).to_be_checked(timeout=WAIT)
    screenshot(page, "keyboard-vote-focus")
    keys.tab_to("Comment")
    page.keyboard.type("Clear outcomes; approve.")
    keys.tab_to("Cast my vote")
    keys.follow()
    expect(page.locator(".mc-messages .alert")).to_contain_text(
        "Your vote “Approve” is recorded", timeout=WAIT
    )
    vote = Vote.objects.get(voter__username="gc-member1", ballot__proposal=proposal)
    assert (vote.choice, vote.comment) == ("approve", "Clear outcomes; approve.")


def test_learner_opens_an_award_and_reaches_its_downloads_by_keyboard(page, site):
    from badges.models import Award

    award = Award.objects.filter(learner__username="learner", state=Award.State.ISSUED).first()
    keys = log_in(page, "learner")
    keys.tab_to("My micro-credentials", back=True)
    keys.follow()
    keys.tab_to(award.achievement.name)
    keys.follow()
    assert page.url.endswith(f"/badges/awards/{award.public_id}/")
    keys.tab_to("Download the badge (PNG)")
    screenshot(page, "keyboard-award-download-focus")
    with page.expect_download(timeout=WAIT) as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".png")
    keys.tab_to("Download the badge (SVG)")
    keys.tab_to("Credential (JSON-LD)")
    assert keys.press("Shift+Tab")["name"] == "Download the badge (SVG)"  # and back


@pytest.mark.parametrize(
    ("username", "pages"),
    [
        ("registrar", ["transcripts:queue", "transcripts:batches"]),
        ("office", ["badges:awarding", "review:dashboard"]),
    ],
)
def test_every_tab_stop_of_a_page_shows_its_focus(page, site, username, pages):
    """Tab from the top of the page to its end: every stop, a ring (checked in ``Keyboard``)."""
    from django.urls import reverse

    keys = log_in(page, username)
    for name in pages:
        page.goto(reverse(name), timeout=WAIT)
        keys.previous = None
        seen = 0
        while keys.press("Tab")["tag"] != "body" and seen < 200:
            seen += 1
        assert 10 < seen < 200, f"{name}: {seen} Tab stops"
