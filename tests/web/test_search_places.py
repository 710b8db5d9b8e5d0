"""Places in the directory search: England first, choices, unknown places, the list's controls."""

from __future__ import annotations

import re

import pytest

from directory.places import offline as geo


def names(page: str) -> list[str]:
    return re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', page)


def search(client, query: str) -> str:
    response = client.get(f"/businesses?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "first", "also"),
    [
        ("Newcastle", "Newcastle upon Tyne", "Newcastle under Lyme, Staffordshire"),
        ("Richmond", "Richmond, Greater London", "Richmond, North Yorkshire"),
        ("Newport", "Newport, Isle of Wight", "Newport, Wales"),
        ("newcastle", "Newcastle upon Tyne", "Newcastle, Newry Mourne and Down"),
    ],
)
def test_shared_place_names_choose_england_and_offer_the_others(name, first, also):
    choices = geo.town_choices(name)
    assert choices[0] == first
    assert also in choices


@pytest.mark.parametrize("name", ["Newcastle", "Richmond", "Newport", "St Ives"])
def test_every_choice_leads_back_to_itself(name):
    for label in geo.town_choices(name):
        assert geo.town_choices(label)[0] == label


def test_localities_within_cities_are_places(client):
    assert geo.town_choices("Chapel Allerton") == ("Chapel Allerton, Leeds",)


def test_the_list_offers_the_other_places_of_that_name(client, make_business):
    make_business(name="Tyne Shop", postcode="NE1 4ST")
    page = search(client, "near=Newcastle")
    assert names(page) == ["Tyne Shop"]
    assert "within 20 km of Newcastle upon Tyne" in page
    assert "Newcastle under Lyme, Staffordshire</a>" in page


@pytest.fixture
def listing(make_business):
    make_business(name="Totnes Shop", sector="shop", postcode="TQ9 5AA", town="Totnes")
    make_business(name="Bovey Shop", sector="shop", postcode="TQ13 9AA")
    make_business(name="Alpha Pub", sector="pub", postcode="TQ9 5AA", description="Real ale.")


def test_near_sorts_nearest_first_by_default_and_text_by_relevance(client, listing):
    assert names(search(client, "near=Totnes&radius_km=50"))[-1] == "Bovey Shop"
    assert names(search(client, "q=shop+totnes"))[0] == "Totnes Shop"
    assert names(search(client, ""))[0] == "Alpha Pub"


def test_facet_options_show_counts_with_the_other_filters_kept(client, listing):
    page = search(client, "sector=shop&stage=growing")
    assert re.search(r"Community shop <span class=\"count\">\(2\)</span>", page)
    assert re.search(r"Community pub <span class=\"count\">\(1\)</span>", page)


def test_chosen_filters_are_tags_that_remove_themselves(client, listing):
    page = search(client, "sector=shop&sector=pub&q=shop")
    tags = dict(
        (label.strip(), href.replace("&amp;", "&"))
        for href, label in re.findall(r'class="chosen-filter" href="([^"]+)">([^<]+)<', page)
    )
    assert set(tags) == {"“shop”", "Sector: Community shop", "Sector: Community pub"}
    assert "sector=shop" not in tags["Sector: Community shop"]
    assert "sector=pub" in tags["Sector: Community shop"]
    assert "q=" not in tags["“shop”"]


def test_radii_include_twenty_km(client, listing):
    page = search(client, "near=Totnes")
    radii = re.findall(r'<option value="(\d+)"(?: selected)?>\d+ km</option>', page)
    assert radii == ["5", "10", "20", "50", "100", "200"]
    assert '<option value="20" selected>' in page


def test_a_page_past_the_end_says_so_and_links_to_the_last(client, listing):
    page = search(client, "page=999&per_page=2")
    assert "There is no page 999: these results fill 2 pages." in page
    assert "Page 999 of" not in page
    assert re.search(r'href="/businesses\?[^"]*page=2[^"]*">Go to the last page', page)


@pytest.mark.parametrize(
    ("postcode", "place"),
    [("LS6 1AA", "Leeds"), ("SW9 6AG", "Brixton"), ("CA12 5DE", "Keswick")],
)
def test_a_postcode_is_named_after_the_place_people_call_it(postcode, place):
    # LS6 1AA is in Headingley, Leeds: the neighbouring district (Chapel Allerton) is nearer
    # to it than Leeds' centre, but nobody there would call it that.
    assert geo.OfflineGeocoder().geocode(postcode).raw["town"] == place
