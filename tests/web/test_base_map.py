"""The offline base map (static/map/base.json): England's nine regions drawn as the app
assigns them, named, told apart from their neighbours, and light enough to send to a phone."""

from __future__ import annotations

import csv
from itertools import combinations

import numpy as np
import pytest

from directory.places import OfflineGeocoder
from matching.vocab import ENGLISH_REGIONS, REGIONS
from tests.conftest import SHARED_DATA
from tests.web.outlines import BASE_JSON, load_base, regions_at

COOPS_CSV = SHARED_DATA / "coops_uk_open_data_2023.csv"


@pytest.fixture(scope="module")
def base() -> dict:
    return load_base()


def vertices(region: dict) -> set[tuple[float, float]]:
    return {
        tuple(point)
        for polygon in region["outline"]["coordinates"]
        for ring in polygon
        for point in ring
    }


def test_every_english_region_and_nation_is_named_as_the_app_names_it(base):
    assert [r["slug"] for r in base["regions"]] == list(ENGLISH_REGIONS)
    assert all(r["name"] == REGIONS[r["slug"]] for r in base["regions"] + base["nations"])
    assert {n["slug"] for n in base["nations"]} == set(REGIONS) - set(ENGLISH_REGIONS)


def test_each_region_name_sits_inside_its_own_outline(base):
    lats, lons = zip(*(r["label"] for r in base["regions"]), strict=True)
    assert list(regions_at(base, lats, lons)) == list(ENGLISH_REGIONS)


def test_neighbouring_regions_never_share_a_colour(base):
    neighbours = [
        (a, b) for a, b in combinations(base["regions"], 2) if len(vertices(a) & vertices(b)) >= 2
    ]
    assert len(neighbours) >= 15  # e.g. London touches only the East and the South East
    assert all(a["tint"] != b["tint"] for a, b in neighbours)


def test_borders_run_along_the_region_outlines(base):
    drawn = set().union(*(vertices(region) for region in base["regions"]))
    border_points = {tuple(p) for line in base["borders"]["coordinates"] for p in line}
    assert border_points and border_points <= drawn


def test_the_base_map_stays_light():
    assert BASE_JSON.stat().st_size < 120_000  # bytes; it is fetched by every map


@pytest.mark.parametrize(
    ("postcode", "region"),
    [
        ("NE1 7RU", "north-east"),  # Newcastle
        ("M1 1AE", "north-west"),  # Manchester
        ("LS6 1AA", "yorkshire-humber"),  # Leeds
        ("NN1 1SA", "east-midlands"),  # Northampton
        ("B1 1BB", "west-midlands"),  # Birmingham
        ("CB2 1TN", "east"),  # Cambridge
        ("SW1A 1AA", "london"),
        ("OX1 1BX", "south-east"),  # Oxford
        ("EX4 3SR", "south-west"),  # Exeter
    ],
)
def test_a_citys_business_is_drawn_in_the_region_the_app_gives_it(postcode, region, base):
    found = OfflineGeocoder().geocode(postcode)
    assert found is not None and found.raw["region"] == region
    assert regions_at(base, [found.latitude], [found.longitude])[0] == region


@pytest.mark.skipif(not COOPS_CSV.exists(), reason="shared data not available")
def test_real_businesses_are_drawn_in_the_region_the_app_gives_them(base):
    with COOPS_CSV.open(newline="", encoding="utf-8") as stream:
        postcodes = [row["Postcode"] for row in csv.DictReader(stream) if row["Postcode"]]
    found = [f for f in OfflineGeocoder().geocode_many(postcodes) if f is not None]
    english = [f for f in found if f.raw["region"] in ENGLISH_REGIONS]
    drawn = regions_at(base, [f.latitude for f in english], [f.longitude for f in english])
    app = np.array([f.raw["region"] for f in english], dtype=object)
    inside = drawn != ""

    assert len(english) > 5000
    # Outside every outline: on the coast, in the sea of the simplified shoreline.
    assert inside.mean() >= 0.97
    assert (drawn[inside] == app[inside]).mean() >= 0.985
