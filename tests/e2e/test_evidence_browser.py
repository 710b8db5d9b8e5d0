"""Evidence in a real browser: the dashboard's charts and the connection map draw, offline,
with no console errors, for a coordinator, an admin and an evaluator."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from directory import demo

pytestmark = pytest.mark.e2e

PASSWORD = "demo-password-1"
EVALUATOR = "evaluator@peerlink.example"

expect.set_options(timeout=10_000)


def seed() -> None:
    demo.load(n=150, seed=3, password=PASSWORD)  # its accounts include the evaluator


@pytest.fixture(scope="module")
def live_server(serve) -> str:
    return serve(seed)


def sign_in(page, email: str) -> list[str]:
    """Sign in; returns the list the page's console errors, uncaught exceptions and failed
    requests go to. The browser's own request for /favicon.ico (the app has none) is not ours."""
    errors: list[str] = []

    def console(message) -> None:
        # A failed load is reported by URL from the response handler below.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def response(resp) -> None:
        if resp.status >= 400 and not resp.url.endswith("/favicon.ico"):
            errors.append(f"{resp.status} {resp.url}")

    page.on("console", console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", response)
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return errors


def non_blank(png: bytes) -> bool:
    return len(png) > 2_000  # a blank canvas compresses to a few hundred bytes


@pytest.mark.parametrize(
    "email", ["coordinator@peerlink.example", "admin@peerlink.example", EVALUATOR]
)
@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_dashboard_charts_render_without_console_errors(new_page, screenshot, email, width, height):
    page = new_page(width, height)
    errors = sign_in(page, email)
    page.goto("/evidence")
    expect(page.get_by_role("heading", name="What the network achieves")).to_be_visible()
    canvases = page.locator("canvas[data-chart]")
    expect(page.locator("canvas[data-rendered='true']")).to_have_count(canvases.count())
    assert canvases.count() >= 8
    assert page.evaluate("window.peerlinkCharts") == canvases.count()
    assert non_blank(page.locator("#chart-funnel").screenshot())
    screenshot(page, f"evidence-{email.split('@')[0]}-{width}")
    assert errors == []


@pytest.mark.parametrize("email", ["coordinator@peerlink.example", EVALUATOR])
def test_connection_map_and_graph_render_offline(new_page, screenshot, email):
    page = new_page()
    errors = sign_in(page, email)
    page.goto("/evidence/map")
    expect(page.locator("#evidence-map[data-loaded]")).to_be_visible()
    expect(page.locator("#evidence-graph[data-rendered='true']")).to_be_visible()
    assert int(page.locator("#evidence-map").get_attribute("data-loaded")) > 0
    # Offline (no tiles in the tests): the built-in coastline is drawn under the points.
    expect(page.locator("#evidence-map[data-outline='drawn']")).to_be_attached()
    assert non_blank(page.locator("#evidence-map").screenshot())
    assert non_blank(page.locator("#evidence-graph").screenshot())
    expect(page.locator("#evidence-map-status")).to_contain_text("introductions drawn")
    screenshot(page, f"evidence-map-{email.split('@')[0]}")
    assert errors == []


def test_printable_summary_and_member_panel(new_page, screenshot):
    page = new_page(390, 844)
    errors = sign_in(page, "coordinator@peerlink.example")
    page.goto("/evidence/summary?network=plunkett-foundation")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Plunkett Foundation")
    screenshot(page, "evidence-summary-390")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    member = new_page(390, 844)
    member_errors = sign_in(member, "member@peerlink.example")
    member.goto("/evidence")
    expect(member.get_by_role("heading", level=1)).to_contain_text("Your network in")
    screenshot(member, "evidence-member-panel-390")
    assert errors == [] and member_errors == []
