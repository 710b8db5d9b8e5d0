"""Removing things asks first: a dialog where the script runs, a page of ours where it does not."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, TIMEOUT_MS
from tests.e2e.test_browser import sign_in

pytestmark = pytest.mark.e2e


def _page(browser, live_server, javascript: bool = True):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, java_script_enabled=javascript
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


def test_with_the_script_the_dialog_decides_and_no_second_page_is_shown(browser, live_server):
    context, page = _page(browser, live_server)
    sign_in(page, "member@peerlink.example", DEMO_PASSWORD)
    page.goto("/account")
    page.get_by_role("link", name="Edit").first.click()
    heading = page.get_by_role("heading", level=1).inner_text()
    name = heading.removeprefix("Edit ")
    remove = page.get_by_role("button", name="Remove this business from the directory")

    page.once("dialog", lambda dialog: dialog.dismiss())
    remove.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)

    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    remove.click()
    expect(page.get_by_text(f"{name} has been removed from the directory.")).to_be_visible()
    assert messages == [f"Remove {name} from the directory? This cannot be undone."]
    context.close()


def test_without_the_script_a_page_asks_and_going_back_changes_nothing(
    browser, live_server, screenshot
):
    context, page = _page(browser, live_server, javascript=False)
    sign_in(page, "admin@peerlink.example", DEMO_PASSWORD)
    page.goto("/admin/networks")
    email = "coordinator.locality@peerlink.example"
    remove = page.get_by_role("button", name=f"remove {email} from Locality")
    remove.click()
    expect(page.get_by_role("heading", name="Please confirm")).to_be_visible()
    expect(page.get_by_text(f"Remove {email} as a coordinator of Locality?")).to_be_visible()
    screenshot(page, "confirm-phone")
    page.get_by_role("link", name="No, go back").click()
    expect(remove).to_be_visible()

    remove.click()
    page.get_by_role("button", name="Remove them").click()
    expect(page.get_by_text(f"{email} no longer coordinates Locality.")).to_be_visible()
    expect(page.get_by_role("button", name=f"remove {email} from Locality")).to_have_count(0)
    context.close()
