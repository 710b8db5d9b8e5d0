"""The directory page: text, facets, distance, sorting, pagination and the map's data."""

from __future__ import annotations

import re

import pytest

from directory import demo, places
from directory.extensions import db
from directory.models import Business


@pytest.fixture
def directory(app, make_business):
    with app.app_context():
        demo.ensure_networks()
        db.session.commit()
    make_business(
        name="Okehampton Community Shop",
        sector="shop",
        stage="starting",
        postcode="EX20 1AB",
        needs=["funding", "legal"],
        networks=["plunkett-foundation"],
    )
    make_business(
        name="Exeter Solar Co-op",
        sector="energy",
        stage="mature",
        postcode="EX1 1AE",
        offers=["community-shares", "governance"],
        willing_to_mentor=True,
        description="Rooftop solar owned by members.",
    )
    make_business(
        name="Plymouth Pub Society",
        sector="pub",
        stage="established",
        postcode="PL1 2AA",
        other_sectors=["shop"],
        needs=["funding"],
    )
    make_business(
        name="Leeds Food Hub",
        sector="cafe-food",
        stage="growing",
        postcode="LS1 4DY",
        offers=["volunteers"],
        willing_to_mentor=True,
    )
    make_business(
        name="Camden Library Trust",
        sector="library",
        stage="established",
        postcode="NW1 0JH",
        description="A library saved by its community.",
    )


def names(page: str) -> list[str]:
    return re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', page)


def get(client, query: str) -> str:
    response = client.get(f"/businesses?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "",
            [
                "Camden Library Trust",
                "Exeter Solar Co-op",
                "Leeds Food Hub",
                "Okehampton Community Shop",
                "Plymouth Pub Society",
            ],
        ),
        ("q=solar", ["Exeter Solar Co-op"]),
        ("q=SAVED+BY", ["Camden Library Trust"]),
        ("q=leeds", ["Leeds Food Hub"]),
        ("sector=shop", ["Okehampton Community Shop", "Plymouth Pub Society"]),
        ("sector=energy&sector=library", ["Camden Library Trust", "Exeter Solar Co-op"]),
        ("stage=established", ["Camden Library Trust", "Plymouth Pub Society"]),
        ("need=funding", ["Okehampton Community Shop", "Plymouth Pub Society"]),
        ("need=funding&need=legal", ["Okehampton Community Shop"]),
        ("offer=governance", ["Exeter Solar Co-op"]),
        ("region=london", ["Camden Library Trust"]),
        ("region=south-west&mentors=1", ["Exeter Solar Co-op"]),
        ("network=plunkett-foundation", ["Okehampton Community Shop"]),
        ("q=nothing+like+this", []),
    ],
)
def test_filters_select_the_right_businesses(client, directory, query, expected):
    assert names(get(client, query)) == expected


def test_near_filters_by_radius_sorts_by_distance_and_shows_km(client, directory):
    page = get(client, "near=Okehampton&radius_km=50")
    assert names(page) == [
        "Okehampton Community Shop",
        "Exeter Solar Co-op",
        "Plymouth Pub Society",
    ]
    distances = [int(d) for d in re.findall(r'class="distance">about (\d+) km away', page)]
    assert distances == sorted(distances)
    assert 30 < distances[1] < 40  # Okehampton to Exeter is about 35 km
    assert "3 businesses" in page and "within 50 km of Okehampton, Devon" in page


def test_near_accepts_a_postcode_district_and_combines_with_facets(client, directory):
    page = get(client, "near=ex20&radius_km=100&mentors=1")
    assert names(page) == ["Exeter Solar Co-op"]
    assert "within 100 km of EX20" in page


def test_unknown_place_gives_a_message_and_no_results_never_the_whole_list(client, directory):
    page = get(client, "near=Atlantis")
    assert "We could not find a place called “Atlantis”." in page
    assert names(page) == [] and "0 businesses" in page
    assert client.get("/businesses/map.json?near=Atlantis").get_json()["total"] == 0


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sector=spaceships", "Sector: we do not know “spaceships”, so it was left out."),
        ("need=magic", "Needs help with: we do not know “magic”, so it was left out."),
        ("radius_km=-5", "The distance must be between 1 and 1000 km."),
        ("radius_km=far", "The distance must be a number, not “far”."),
        ("page=x", "The page number must be a number, not “x”."),
        ("per_page=1000", "The number of results per page must be between 1 and 100."),
        ("sort=price", "We cannot sort by “price”"),
        ("sort=distance", "To sort by distance, give a postcode or town in “Near”."),
    ],
)
def test_bad_parameters_give_messages_people_understand(client, directory, query, message):
    page = get(client, query)
    assert message in page
    for raw_name in ("per_page", "radius_km"):
        assert f"{raw_name} must" not in page


@pytest.mark.parametrize(
    ("sort", "first"),
    [("name", "Camden Library Trust"), ("newest", "Camden Library Trust")],
)
def test_sorting(client, directory, sort, first):
    assert names(get(client, f"sort={sort}"))[0] == first


def test_relevance_puts_name_matches_before_description_matches(client, directory, make_business):
    make_business(name="Trust Fund Shop", description="Nothing to see.")
    assert names(get(client, "q=trust&sort=relevance")) == [
        "Trust Fund Shop",
        "Camden Library Trust",
    ]


def test_pagination_keeps_the_filters(client, directory):
    first = get(client, "per_page=2&sector=shop&sector=energy&sector=library")
    assert names(first) == ["Camden Library Trust", "Exeter Solar Co-op"]
    assert "Page 1 of 2" in first
    next_link = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "sector=library" in next_link and "per_page=2" in next_link
    second = get(client, next_link.split("?", 1)[1])
    assert names(second) == ["Okehampton Community Shop", "Plymouth Pub Society"]


def test_map_json_has_the_same_results_at_district_precision(app, client, directory):
    data = client.get("/businesses/map.json?near=Okehampton&radius_km=50").get_json()
    assert data["total"] == 3
    points = {p["name"]: p for p in data["points"]}
    assert set(points) == {
        "Okehampton Community Shop",
        "Exeter Solar Co-op",
        "Plymouth Pub Society",
    }
    exeter = points["Exeter Solar Co-op"]
    with app.app_context():
        district = places.offline.district_point("EX1")
    assert (exeter["lat"], exeter["lon"]) == (round(district[0], 2), round(district[1], 2))
    assert exeter["url"] == "/businesses/exeter-solar-co-op"
    assert isinstance(exeter["distance_km"], int) and exeter["distance_km"] > 30
    assert data["origin"]["label"] == "Okehampton, Devon"


def test_map_view_renders_the_map_container_and_the_list(client, directory):
    page = get(client, "view=map&sector=shop")
    assert 'id="map"' in page
    assert 'data-points-url="/businesses/map.json?sector=shop' in page
    assert names(page) == ["Okehampton Community Shop", "Plymouth Pub Society"]
    assert "vendor/leaflet/leaflet.js" in page


def test_home_page_counts_by_sector_and_region(client, directory):
    page = client.get("/").get_data(as_text=True)
    assert re.search(r"Community energy</a> <span class=\"badge\">1</span>", page)
    assert re.search(r"South West</a> <span class=\"badge\">3</span>", page)


def test_unknown_profile_is_404_page(client):
    response = client.get("/businesses/no-such-thing")
    assert response.status_code == 404
    assert "We could not find that page." in response.get_data(as_text=True)


def test_unlisted_business_is_hidden_from_search_map_and_profile(app, client, make_business):
    visible = make_business(name="Seen Shop")
    hidden = make_business(name="Hidden Shop")
    with app.app_context():
        db.session.get(Business, hidden).listed = False
        db.session.commit()
    listing = client.get("/businesses?q=shop").get_data(as_text=True)
    assert "Seen Shop" in listing and "Hidden Shop" not in listing
    names = [p["name"] for p in client.get("/businesses/map.json").json["points"]]
    assert "Seen Shop" in names and "Hidden Shop" not in names
    assert client.get("/businesses/hidden-shop").status_code == 404
    assert client.get("/businesses/seen-shop").status_code == 200
    assert visible != hidden
