"""A newcomer registers a business, then finds it in the directory list and on the map."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

NAME = "Hatherleigh Community Market"
PASSWORD = "market-day-tuesday"
# Public distances are whole km from the district point ("about 12 km away", "under 1 km away").
DISTANCE_RE = re.compile(r"^(?:about (\d+)|under 1) km away$")
# Facet options carry their counts: "Community shop (12)".
SHOP_BOX = re.compile(r"^Community shop \(\d[\d,]*\)$")

expect.set_options(timeout=10_000)


def fill_account(page) -> None:
    page.get_by_label("Your name").fill("Morwenna Hext")
    page.get_by_label("Your email (you sign in with it)").fill("morwenna@hatherleigh.example")
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)


def fill_business(page, postcode: str) -> None:
    page.get_by_label("Business name").fill(NAME)
    page.get_by_label("What you do").fill(
        "A weekly market hall run by volunteers, selling produce from farms around the town."
    )
    page.get_by_label("Main sector").select_option(label="Community shop")
    page.get_by_label("Stage", exact=True).select_option(value="growing")
    page.get_by_label("Postcode").fill(postcode)
    needs = page.locator("fieldset#needs")
    needs.get_by_label("Grants and fundraising").check()
    needs.get_by_label("Recruiting and managing volunteers").check()
    page.locator("fieldset#offers").get_by_label("Trading, retail and income").check()
    page.get_by_label("We are willing to mentor another community business").check()


def register(page) -> None:
    page.goto("/register")
    fill_account(page)
    fill_business(page, postcode="ZZ99 9ZZ")
    page.get_by_role("button", name="Register").click()

    expect(page.locator("#postcode-error")).to_contain_text("ZZ99 9ZZ")
    expect(page.get_by_label("Postcode")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Business name")).to_have_value(NAME)
    expect(page.locator("fieldset#needs").get_by_label("Grants and fundraising")).to_be_checked()

    page.get_by_label("Postcode").fill("EX20 3JB")
    # Browsers never get a password back from the server: type it again, as a person would.
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    confirm_email(page)


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("You are signed in.")).to_be_visible()


def confirm_email(page) -> None:
    """Open the confirmation link as the newcomer would, reading it in the admins' outbox."""
    sign_in(page, "admin@peerlink.example", DEMO_PASSWORD)
    page.goto("/admin/outbox")
    page.get_by_role("link", name="Confirm your email address for Peerlink").first.click()
    body = page.locator("pre.message-body").inner_text()
    path = re.search(r"https?://[^/\s]+(/account/verify/\S+)", body).group(1)
    page.get_by_role("button", name="Sign out").click()
    page.goto(path)
    expect(page.get_by_text("morwenna@hatherleigh.example is confirmed")).to_be_visible()
    sign_in(page, "morwenna@hatherleigh.example", PASSWORD)
    expect(page.get_by_role("link", name=NAME)).to_be_visible()


def open_filter_group(page, legend: str) -> None:
    page.locator("details.filter-group > summary", has_text=re.compile(rf"^\s*{legend}")).click()


def km(distance: str) -> float:
    whole = DISTANCE_RE.match(distance).group(1)
    return float(whole) if whole else 0.5


def card(page, name: str):
    return page.locator("article.card", has=page.get_by_role("link", name=name, exact=True))


def find_by_sector_and_text(page) -> None:
    page.goto("/businesses")
    open_filter_group(page, "Sector")
    page.get_by_role("checkbox", name=SHOP_BOX).check()
    page.get_by_role("searchbox", name="Search").fill("Hatherleigh")
    page.get_by_role("button", name="Show results").click()

    expect(page).to_have_url(re.compile(r"sector=shop"))
    expect(card(page, NAME)).to_be_visible()
    expect(card(page, NAME)).to_contain_text("Willing to mentor")


def find_near_okehampton(page) -> None:
    page.goto("/businesses")
    page.get_by_label("Near (postcode or town)").fill("Okehampton")
    page.get_by_label("Within").select_option(value="20")
    page.get_by_label("Sort by").select_option(value="distance")
    page.get_by_role("button", name="Show results").click()

    expect(page.locator("#results-heading")).to_contain_text("within 20 km of")
    ours = card(page, NAME).locator(".distance")
    expect(ours).to_have_text(DISTANCE_RE)
    assert 0 < km(ours.inner_text()) <= 20
    shown = [km(text) for text in page.locator(".distance").all_inner_texts()]
    assert shown == sorted(shown)


def show_on_map(page) -> None:
    page.get_by_role("link", name="Map view").click()
    expect(page).to_have_url(re.compile(r"view=map"))
    expect(page.locator("#map[data-loaded]")).to_be_attached()
    assert page.locator("#map").get_attribute("data-error") is None
    count = int(page.locator("#map").get_attribute("data-loaded"))
    assert count >= 1
    assert page.evaluate("window.peerlinkMap.count") == count
    expect(page.locator(".leaflet-marker-icon").first).to_be_visible()

    # Our marker may sit inside a cluster: let the cluster group zoom to it, then open its
    # popup and give the map's pan to fit the popup time to end (for the screenshot).
    found = page.evaluate(
        """name => new Promise(resolve => {
            const { map, markers } = window.peerlinkMap;
            const marker = markers.getLayers().find(m => m.options.title === name);
            if (!marker) return resolve(false);
            markers.zoomToShowLayer(marker, () => {
                const settled = () => resolve(true);
                map.once("moveend", settled);
                setTimeout(settled, 600);
                marker.openPopup();
            });
        })""",
        NAME,
    )
    assert found, f"{NAME} is not among the markers"
    # On a busy machine the cluster can re-render after the zoom and close the popup: the
    # marker is now shown on its own, so opening it again is what a person's click does.
    page.evaluate(
        """name => window.peerlinkMap.markers.getLayers()
            .find(m => m.options.title === name).openPopup()""",
        NAME,
    )
    popup = page.locator(".leaflet-popup-content .map-popup")
    expect(popup.locator(".map-popup-title")).to_have_text(NAME)
    expect(popup.locator(".map-popup-distance")).to_have_text(DISTANCE_RE)


def test_newcomer_registers_then_finds_the_business_in_the_list_and_on_the_map(
    new_page, screenshot
):
    page = new_page()
    register(page)
    find_by_sector_and_text(page)
    find_near_okehampton(page)
    screenshot(page, "directory-list")
    show_on_map(page)
    screenshot(page, "directory-map")


@pytest.mark.parametrize("view", ["list", "map"])
def test_directory_fits_a_phone_and_its_filters_work(new_page, screenshot, view):
    page = new_page(width=390, height=844)
    page.goto("/businesses" + ("?view=map" if view == "map" else ""))
    if view == "map":
        expect(page.locator("#map[data-loaded]")).to_be_attached()

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"phone-{view}", full_page=False)

    search = page.get_by_role("searchbox", name="Search")
    search.scroll_into_view_if_needed()
    expect(search).to_be_in_viewport()
    open_filter_group(page, "Sector")
    page.get_by_role("checkbox", name=SHOP_BOX).check()
    submit = page.get_by_role("button", name="Show results")
    submit.scroll_into_view_if_needed()
    expect(submit).to_be_in_viewport()
    submit.click()

    expect(page).to_have_url(re.compile(r"sector=shop"))
    expect(page.locator("#results-heading")).to_contain_text("business")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
