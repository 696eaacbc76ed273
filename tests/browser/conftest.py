"""The browser layer: Playwright driving Debian's Chromium against the live server, started after
it (the machine's notes), with every navigation and close under a timeout."""

import contextlib
import os
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, ROOT, missing


@pytest.fixture(scope="session")
def browser(live_server):
    """Chromium under Playwright, started after the live server (see the machine notes)."""
    if not Path(CHROMIUM).exists():
        missing(f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("browser tests need the playwright package (pip install -e '.[dev]')")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests
    # themselves are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-quic",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
            ],
            timeout=30_000,
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.set_default_navigation_timeout(20_000)
    tab = context.new_page()
    # Irreversible actions ask "are you sure?" (data-confirm); the tests answer yes.
    tab.on("dialog", lambda dialog: dialog.accept())
    yield tab
    # Leave any page (an error page in particular) before closing: closing Chromium's own error
    # page can hang with this Chromium and Playwright pair.
    with contextlib.suppress(Exception):
        tab.goto("about:blank", timeout=5_000)
    context.close()


@pytest.fixture
def login(page):
    from microcred.demo import DEMO_PASSWORD

    def do_login(username, password=DEMO_PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        return page

    return do_login


def log_out(page):
    """Open the user menu in the top bar and log out."""
    page.locator(".navbar .dropdown-toggle").click()
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Log in").wait_for()


def screenshot(page, name):
    """Keep a picture of a page for people to look at (test-artifacts/, ignored by git)."""
    folder = ROOT / "test-artifacts"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
