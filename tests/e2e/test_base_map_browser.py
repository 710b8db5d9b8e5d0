"""The offline base map in a real browser: with no tiles, both maps still show England's
regions tinted, their borders and their names, with no console errors, on a phone and a desktop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from directory import demo
from matching.vocab import ENGLISH_REGIONS, REGIONS
from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

expect.set_options(timeout=10_000)

SIZES = [(1280, 900), (390, 844)]


@pytest.fixture(scope="module")
def live_server(serve) -> str:
    return serve(lambda: demo.load(n=40, seed=3, password=DEMO_PASSWORD))


def watch(page) -> list[str]:
    """Console errors, uncaught exceptions and failed requests of the page, as they come."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return errors


def names(page, kind: str) -> list[str]:
    return page.locator(f"#{kind} .map-region-label").all_inner_texts()


OVERLAPPING = """(selector) => {
  const boxes = [...document.querySelectorAll(selector)].map((e) => {
    const range = document.createRange();  // the text's own box, not its column's
    range.selectNodeContents(e);
    return range.getBoundingClientRect();
  });
  let pairs = 0;
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) pairs++;
  }));
  return pairs;
}"""


def overlapping_labels(page) -> int:
    """Pairs of names on the map whose drawn boxes overlap."""
    return page.evaluate(OVERLAPPING, ".map-place-label span, .map-region-label span")


def outline_paths(page, kind: str):
    return page.locator(f"#{kind} .leaflet-outline-pane path")


@pytest.mark.parametrize("width, height", SIZES, ids=["desktop", "phone"])
def test_directory_map_shows_the_regions_of_england_offline(new_page, screenshot, width, height):
    page = new_page(width=width, height=height)
    errors = watch(page)
    page.goto("/businesses?view=map")
    expect(page.locator("#map[data-loaded]")).to_be_attached()
    expect(page.locator("#map .map-region-label").first).to_be_attached()

    shown = {name.casefold() for name in names(page, "map")}
    english = {REGIONS[slug].casefold() for slug in ENGLISH_REGIONS}
    # A phone has room for England's nine names; a nation's may give way to its neighbour's.
    assert english <= shown <= {label.casefold() for label in REGIONS.values()}
    # Land, nine tinted regions and the dashed borders between them.
    assert outline_paths(page, "map").count() >= 11
    assert page.locator("#map .leaflet-outline-pane path[stroke-dasharray]").count() == 1
    expect(page.locator("#map .leaflet-control-attribution")).to_contain_text("Natural Earth")
    expect(page.locator("#map-status")).to_contain_text("built-in outline map")
    expect(page.locator("#map .map-place-label")).to_have_count(0)  # the country: regions only
    screenshot(page, f"base-map-{width}", full_page=False)

    # Zoomed in, cities are named too, and London once (as a city or as a region).
    page.evaluate("window.peerlinkMap.map.setView([51.6, -0.6], 8)")
    expect(page.locator("#map .map-place-label", has_text="Reading")).to_have_count(1)
    expect(page.locator("#map .map-region-label").first).to_be_attached()
    labels = page.locator("#map .map-place-label, #map .map-region-label")
    expect(labels.filter(has_text=re.compile(r"^London$", re.IGNORECASE))).to_have_count(1)
    assert overlapping_labels(page) == 0
    # Closer still, the towns are named instead of the regions.
    page.evaluate("window.peerlinkMap.map.setView([53.80, -1.55], 10)")
    expect(page.locator("#map .map-region-label")).to_have_count(0)
    expect(page.locator("#map .map-place-label", has_text="Leeds")).to_have_count(1)
    assert overlapping_labels(page) == 0
    screenshot(page, f"base-map-leeds-{width}", full_page=False)
    assert errors == []


def test_connection_map_shares_the_regions_offline(new_page, screenshot):
    page = new_page()
    errors = watch(page)
    page.goto("/login")
    page.get_by_label("Email").fill("coordinator@peerlink.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto("/evidence/map")
    expect(page.locator("#evidence-map[data-outline=drawn]")).to_be_attached()
    expect(page.locator("#evidence-map .map-region-label").first).to_be_attached()
    shown = {name.casefold() for name in names(page, "evidence-map")}  # drawn in capitals
    assert {REGIONS[slug].casefold() for slug in ENGLISH_REGIONS} <= shown
    # This map draws on a canvas (many points): the outline has a canvas of its own.
    expect(page.locator("#evidence-map .leaflet-outline-pane canvas")).to_have_count(1)
    screenshot(page, "base-map-connections", full_page=False)
    assert errors == []
