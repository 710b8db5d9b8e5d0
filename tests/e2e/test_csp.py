"""The strict Content-Security-Policy breaks nothing: every main page, the map included,
runs in Chromium without a single violation, for a visitor, a member, a coordinator, an evaluator
and an organisation opening its invitation."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from directory import demo
from directory.extensions import db
from directory.introductions import notify
from directory.introductions import states as st
from directory.models import Introduction
from directory.networks import service as network_service
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
    "/networks",
    "/api/docs",
]
MEMBER_PAGES = ["/account", "/matches", "/introductions", "/businesses/new", "/account/api-tokens"]
EVIDENCE_PAGES = ["/evidence", "/evidence/map", "/evidence/summary"]
COORDINATOR_PAGES = ["/coordinator", "/introductions", *EVIDENCE_PAGES]
EVALUATOR = "evaluator@peerlink.example"
# The invitation page an organisation without an account opens from its email; the seed
# fills in its path (a signed token) once the demo data exists.
INVITATION: dict[str, str] = {}


def seed() -> None:
    """The demo, an evaluator, and an invitation link to an approved request."""
    demo.load(n=40, seed=3, password=DEMO_PASSWORD)
    network_service.add_user(EVALUATOR, "evaluator", [], DEMO_PASSWORD)
    intro = db.session.scalars(
        select(Introduction).where(Introduction.state == st.APPROVED).limit(1)
    ).one()
    INVITATION["path"] = urlsplit(notify.invitation_link(intro, intro.target)).path
    db.session.commit()


@pytest.fixture(scope="module")
def live_server(serve) -> str:
    return serve(
        seed,
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
        response = page.goto(path)
        if not response.ok:  # a refused or broken page would pass the policy by showing nothing
            problems[path] = [f"HTTP {response.status}"]
            continue
        if "view=map" in path:
            expect(page.locator("#map[data-loaded]")).to_be_attached()
            page.wait_for_load_state("networkidle")
        if path == "/evidence/map":
            expect(page.locator("#evidence-map[data-loaded]")).to_be_attached()
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
        (EVALUATOR, EVIDENCE_PAGES),
    ],
    ids=["visitor", "member", "coordinator", "evaluator"],
)
def test_pages_and_the_map_run_without_csp_violations(new_page, who, paths):
    page = new_page()
    page.context.add_init_script(RECORD_VIOLATIONS)
    if who:
        sign_in(page, who)
    assert visit_all(page, paths) == {}


def test_the_invitation_page_runs_without_csp_violations(new_page):
    page = new_page()
    page.context.add_init_script(RECORD_VIOLATIONS)
    assert visit_all(page, [INVITATION["path"]]) == {}
    expect(page.get_by_role("button", name="Accept the introduction")).to_be_visible()


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
