"""In Chromium: a form sent, then sent again from the page the back button brings back, is done
once; the person lands where the first submission took them and is told so."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAV = 20_000


def test_back_and_send_again_makes_one_draft(page, login, demo):
    from proposals.models import Proposal

    login("faculty")
    page.goto("/proposals/new/", timeout=NAV)
    page.get_by_label("Title").fill("Sent Twice")
    page.get_by_label("Non-credit").check()
    page.get_by_label("Digital badge").check()
    page.get_by_label("Level").select_option(label="Undergraduate")
    with page.expect_navigation(url="**/edit/basics/", timeout=NAV):
        page.get_by_role("button", name="Create the draft").click()
    first = page.url
    page.go_back(timeout=NAV)
    expect(page.get_by_label("Title")).to_have_value("Sent Twice")
    with page.expect_navigation(url=re.compile(r".*/edit/basics/"), timeout=NAV):
        page.get_by_role("button", name="Create the draft").click()
    assert page.url == first
    expect(page.locator(".mc-messages .alert").first).to_contain_text("it was done once")
    assert Proposal.objects.filter(title="Sent Twice").count() == 1
