"""In Chromium: every demo role logs in and sees its own home page."""

import pytest

from microcred.demo import DEMO_PASSWORD
from tests.browser.conftest import log_out, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLE_PAGES = {
    "faculty": "Your proposals",
    "unitreviewer": "Unit review",
    "office": "Office of Micro-Credentials review committee",
    "eppc-chair": "Faculty Senate EPPC",
    "gc-member1": "Graduate Council",
    "evaluator": "Evidence to review",
    "registrar": "Transcript queue",
    "learner": "Your micro-credentials",
    "admin": "Administration",
}


def test_each_demo_role_logs_in_and_sees_its_home(page, login, demo):
    for username, heading in ROLE_PAGES.items():
        login(username)
        page.get_by_role("heading", name="My work").wait_for()
        assert page.get_by_role("heading", name=heading, exact=True).is_visible(), username
        screenshot(page, f"home-{username}")
        log_out(page)


def test_wrong_password_shows_a_clear_error(page, login, demo):
    login("faculty", password=DEMO_PASSWORD + "x")
    alert = page.get_by_role("alert")
    assert "do not match an account" in alert.inner_text()
    assert page.url.endswith("/accounts/login/")
    page.goto("/")
    assert "/accounts/login/" in page.url  # no session was created
    screenshot(page, "login-error")


def test_skip_link_moves_focus_to_the_main_content(page, login, demo):
    login("faculty")
    page.get_by_role("heading", name="My work").wait_for()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    assert page.get_by_role("link", name="Skip to main content").is_visible()
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#main'")
    assert page.evaluate("document.activeElement.id") == "main"
