"""The offline geocoder, checked against real postcodes, towns and ONS district centroids."""

from __future__ import annotations

import csv
import gzip
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from directory.places import offline as geo
from matching.vocab import ENGLISH_REGIONS

OUTCODES_CSV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "uk_outcodes.csv"

ONS_REGIONS = {
    "North East": "north-east",
    "North West": "north-west",
    "Yorkshire and The Humber": "yorkshire-humber",
    "East Midlands": "east-midlands",
    "West Midlands": "west-midlands",
    "East of England": "east",
    "London": "london",
    "South East": "south-east",
    "South West": "south-west",
}


@pytest.fixture(scope="module")
def geocoder() -> geo.OfflineGeocoder:
    return geo.OfflineGeocoder()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SW1A 1AA", "SW1A 1AA"),
        ("sw1a1aa", "SW1A 1AA"),
        ("  Sw1A   1aA \n", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("m11ae", "M1 1AE"),
        ("M1  1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("cr2 6xh", "CR2 6XH"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("sw1a", "SW1A"),
        (" M1 ", "M1"),
        ("ec1a", "EC1A"),
        ("", None),
        ("   ", None),
        ("Keswick", None),
        ("12345", None),
        ("SW1A 1AAA", None),
        ("SW1A-1AA", None),
        ("1AA", None),
        ("ABC1 1AA", None),
        ("SW1A 1A", None),
    ],
)
def test_normalise_postcode_accepts_any_spacing_and_case(text, expected):
    assert geo.normalise_postcode(text) == expected


@pytest.mark.parametrize(
    ("postcode", "latitude", "longitude", "region"),
    [
        ("SW1A 1AA", 51.501, -0.1416, "london"),  # Buckingham Palace
        ("sw1a2aa", 51.5034, -0.1276, "london"),  # 10 Downing Street
        ("M1 1AE", 53.4836, -2.2313, "north-west"),
        ("EH1 2NG", 55.9486, -3.1999, "scotland"),  # Edinburgh Castle
        ("CF10 3NP", 51.4816, -3.1811, "wales"),  # Cardiff Castle
        ("CA12 5DQ", 54.6006, -3.136, "north-west"),  # Keswick
    ],
)
def test_full_postcode_resolves_to_its_coordinates_and_region(
    geocoder, postcode, latitude, longitude, region
):
    location = geocoder.geocode(postcode)

    assert geo.distance_km((location.latitude, location.longitude), (latitude, longitude)) < 1
    assert location.raw["kind"] == "postcode"
    assert location.raw["postcode"] == geo.normalise_postcode(postcode)
    assert location.raw["outcode"] == location.raw["postcode"].split()[0]
    assert location.raw["region"] == region
    assert (location.raw["latitude"], location.raw["longitude"]) == (
        location.latitude,
        location.longitude,
    )
    assert location.address == f"{location.raw['postcode']}, {location.raw['town']}"


def test_postcode_location_names_the_nearest_town(geocoder):
    location = geocoder.geocode("M1 1AE")

    assert location.raw["town"] == "Manchester"
    assert location.address == "M1 1AE, Manchester"


@pytest.mark.parametrize(
    ("outcode", "region"),
    [("SW1A", "london"), ("m1", "north-west"), ("EH1", "scotland"), ("CF10", "wales")],
)
def test_district_resolves_to_the_centre_of_its_postcodes(geocoder, outcode, region):
    location = geocoder.geocode(outcode)
    some_postcode = geocoder.geocode(f"{outcode} 1AA") or geocoder.geocode(f"{outcode} 1AE")

    assert location.raw["kind"] == "district"
    assert location.raw["postcode"] is None
    assert location.raw["outcode"] == outcode.upper()
    assert location.raw["region"] == region
    assert location.address == f"{outcode.upper()}, {location.raw['town']}"
    centre, member = (location.latitude, location.longitude), some_postcode.point[:2]
    assert geo.distance_km(centre, member) < 3


@pytest.mark.parametrize("query", ["Keswick", "keswick", "  KESWICK "])
def test_town_name_resolves_in_any_case(geocoder, query):
    location = geocoder.geocode(query)

    assert location.address == "Keswick"
    assert location.raw["kind"] == "town"
    assert location.raw["postcode"] is None and location.raw["outcode"] is None
    assert location.raw["region"] == "north-west"
    assert geo.distance_km(location.point[:2], (54.6, -3.13)) < 2


@pytest.mark.parametrize("query", ["st albans", "St. Albans", "Saint Albans", "ST ALBANS"])
def test_town_name_ignores_punctuation_and_saint(geocoder, query):
    location = geocoder.geocode(query)

    assert location.raw["town"] == "St Albans"
    assert location.raw["region"] == "east"


def test_shared_town_name_prefers_the_largest_english_town(geocoder):
    swindon = geocoder.geocode("Swindon")
    all_swindons = geocoder.geocode("Swindon", exactly_one=False)

    assert geo.distance_km(swindon.point[:2], (51.56, -1.78)) < 3  # not the Gloucestershire one
    assert swindon.raw["region"] == "south-west"
    assert len(all_swindons) == 2 and all_swindons[0].point == swindon.point


def test_northern_ireland_has_towns_and_a_region_but_no_postcodes(geocoder):
    belfast = geocoder.geocode("Belfast")

    assert belfast.raw["region"] == "northern-ireland"
    assert geo.region_for(54.597, -5.93) == "northern-ireland"
    assert geocoder.geocode("BT1 1AA") is None  # Code-Point Open covers Great Britain only


@pytest.mark.parametrize(
    "query",
    ["ZZ1 1ZZ", "SW1A 9ZZ", "QQ9", "Nowhereville", "", "   ", "!!!", "12345", "\x00", None],
)
def test_unknown_or_malformed_query_gives_none(geocoder, query):
    assert geocoder.geocode(query) is None
    assert geocoder.geocode(query, exactly_one=False) is None


def test_geocode_many_gives_what_geocode_gives_in_order(geocoder):
    queries = ["M1 1AE", "nowhere", "SW1A 9ZZ", "Keswick", "CF10", "sw1a1aa"]

    many = geocoder.geocode_many(queries)

    assert [location and location.raw for location in many] == [
        location and location.raw for location in map(geocoder.geocode, queries)
    ]
    assert [location and location.raw["kind"] for location in many] == [
        "postcode",
        None,
        None,
        "town",
        "district",
        "postcode",
    ]


@pytest.mark.parametrize(
    ("latitude", "longitude", "region"),
    [
        (51.5074, -0.1278, "london"),
        (53.48, -2.24, "north-west"),  # Manchester
        (54.97, -1.61, "north-east"),  # Newcastle
        (53.8, -1.55, "yorkshire-humber"),  # Leeds
        (52.95, -1.15, "east-midlands"),  # Nottingham
        (52.24, -0.9, "east-midlands"),  # Northampton
        (52.48, -1.9, "west-midlands"),  # Birmingham
        (52.2, 0.12, "east"),  # Cambridge
        (50.82, -0.14, "south-east"),  # Brighton
        (51.45, -2.59, "south-west"),  # Bristol
        (49.92, -6.3, "south-west"),  # Isles of Scilly
        (55.95, -3.19, "scotland"),
        (51.48, -3.18, "wales"),
        (54.6, -5.93, "northern-ireland"),
    ],
)
def test_region_for_a_point(latitude, longitude, region):
    assert geo.region_for(latitude, longitude) == region


def test_nearest_town():
    assert geo.nearest_town(54.6, -3.134) == "Keswick"


def test_every_english_county_in_the_gazetteer_has_a_region():
    path = Path(geo.__file__).with_name("data") / "gb_places.tsv.gz"
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    rows = csv.DictReader(lines, delimiter="\t")
    # Every English place, with no blank: a place without a county took its neighbours' region.
    counties = {row["county"] for row in rows if row["nation"] == "England"}

    assert counties <= set(geo._COUNTY_REGION)
    assert set(geo._COUNTY_REGION.values()) == set(ENGLISH_REGIONS)


def test_haversine_is_vectorised_and_agrees_with_the_geodesic():
    lats, lons = [51.5074, 53.4808, 51.5074], [-0.1278, -2.2426, -0.1278]

    distances = geo.haversine_km(51.5074, -0.1278, lats, lons)

    assert distances.shape == (3,)
    assert distances[0] == pytest.approx(0) and distances[2] == pytest.approx(0)
    exact = geo.distance_km((51.5074, -0.1278), (53.4808, -2.2426))
    assert distances[1] == pytest.approx(exact, rel=0.005)
    assert exact == pytest.approx(262, abs=3)


def test_sample_postcodes_is_reproducible_distinct_and_english(geocoder):
    first = geo.sample_postcodes(random.Random(42), 300)
    again = geo.sample_postcodes(random.Random(42), 300)
    other = geo.sample_postcodes(random.Random(43), 300)

    assert first == again and first != other
    assert len(set(first)) == 300
    regions = {geocoder.geocode(postcode).raw["region"] for postcode in first}
    assert regions == set(ENGLISH_REGIONS)  # 300 draws reach every English region


def test_sample_postcodes_can_keep_to_some_regions(geocoder):
    sample = geo.sample_postcodes(random.Random(1), 200, {"north-east", "london"})

    assert len(sample) == 200
    assert {geocoder.geocode(postcode).raw["region"] for postcode in sample} == {
        "north-east",
        "london",
    }


def test_fallback_asks_the_second_geocoder_only_when_the_first_finds_nothing(geocoder):
    class Recorder:
        def __init__(self) -> None:
            self.queries: list[str] = []

        def geocode(self, query, exactly_one=True, **kwargs):
            self.queries.append(query)
            return "online answer"

    online = Recorder()
    fallback = geo.FallbackGeocoder(geocoder, online)

    assert fallback.geocode("M1 1AE").raw["postcode"] == "M1 1AE"
    assert fallback.geocode("Nowhereville") == "online answer"
    assert online.queries == ["Nowhereville"]


def test_fallback_defaults_to_nominatim_without_calling_it(geocoder):
    fallback = geo.FallbackGeocoder(geocoder, user_agent="peerlink-tests")

    assert type(fallback.secondary).__name__ == "Nominatim"
    assert fallback.geocode("M1 1AE").raw["kind"] == "postcode"  # found offline: no request


def test_geo_module_needs_neither_flask_nor_the_rest_of_the_app():
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('geo', {geo.__file__!r})\n"
        "module = sys.modules['geo'] = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "assert module.OfflineGeocoder().geocode('M1 1AE') is not None\n"
        "assert not {'flask', 'sqlalchemy', 'directory'} & set(sys.modules), sys.modules\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True)


@pytest.mark.skipif(not OUTCODES_CSV.is_file(), reason="shared data not present")
def test_english_districts_match_ons_centroids_and_regions(geocoder):
    with OUTCODES_CSV.open(newline="", encoding="utf-8") as file:
        districts = [
            row
            for row in csv.DictReader(file)
            if row["UK region"].strip() in ONS_REGIONS
            and row["Latitude"]
            and int(row["Active postcodes"] or 0) > 0
        ]
    found = [(row, geocoder.geocode(row["Postcode"])) for row in districts]
    resolved = [(row, location) for row, location in found if location is not None]
    distances = np.array(
        [
            geo.distance_km((float(row["Latitude"]), float(row["Longitude"])), location.point[:2])
            for row, location in resolved
        ]
    )
    same_region = np.mean(
        [
            location.raw["region"] == ONS_REGIONS[row["UK region"].strip()]
            for row, location in resolved
        ]
    )

    resolved_share = len(resolved) / len(districts)
    within_5_km = np.mean(distances < 5)
    print(
        f"{len(districts)} English districts: {resolved_share:.2%} resolved, "
        f"{within_5_km:.2%} within 5 km (median {np.median(distances):.2f} km), "
        f"{same_region:.2%} in the same region"
    )
    assert len(districts) > 2000
    assert resolved_share >= 0.99
    assert within_5_km >= 0.99
    assert same_region >= 0.99
