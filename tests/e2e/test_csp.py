"""The strict Content-Security-Policy breaks nothing: every main page, the map included,
runs in Chromium without a single violation, for a visitor, a member and a coordinator."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from directory import demo
from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

# Nothing listens here (a port of this project's range): tiles fail to load, which the map
# handles, but the browser still checks each tile request against the policy first.
TILE_URL = "http://127.0.0.1:5131/{z}/{x}/{y}.png"

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""

VISITOR_PAGES = [
    "/",
    "/businesses",
    "/businesses?view=map",
    "/matches/try?sector=shop&stage=growing&where=Okehampton",
    "/login",
    "/register",
]
MEMBER_PAGES = ["/account", "/matches", "/introductions", "/businesses/new"]
COORDINATOR_PAGES = ["/coordinator", "/introductions"]


@pytest.fixture(scope="module")
def live_server(serve) -> str:
    return serve(
        lambda: demo.load(n=40, seed=3, password=DEMO_PASSWORD),
        MAP_TILE_URL=TILE_URL,
        MAP_TILE_ATTRIBUTION="Test tiles",
    )


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def visit_all(page, paths: list[str]) -> dict[str, list[str]]:
    problems = {}
    console = []
    page.on(
        "console",
        lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    for path in paths:
        console.clear()
        page.goto(path)
        if "view=map" in path:
            expect(page.locator("#map[data-loaded]")).to_be_attached()
            page.wait_for_load_state("networkidle")
        found = page.evaluate("window.__cspViolations") + console
        if found:
            problems[path] = found
    return problems


@pytest.mark.parametrize(
    ("who", "paths"),
    [
        (None, VISITOR_PAGES),
        ("member@peerlink.example", VISITOR_PAGES + MEMBER_PAGES),
        ("coordinator@peerlink.example", COORDINATOR_PAGES),
    ],
    ids=["visitor", "member", "coordinator"],
)
def test_pages_and_the_map_run_without_csp_violations(new_page, who, paths):
    page = new_page()
    page.context.add_init_script(RECORD_VIOLATIONS)
    if who:
        sign_in(page, who)
    assert visit_all(page, paths) == {}


def test_the_policy_really_blocks_inline_script(new_page):
    page = new_page()
    page.context.add_init_script(RECORD_VIOLATIONS)
    page.goto("/")
    page.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.__ran = true";
            document.body.appendChild(s);
        }"""
    )
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in v for v in page.evaluate("window.__cspViolations"))
