"""The map's data and every public distance: aggregated, and no finer than the district."""

from __future__ import annotations

import re

import pytest

from directory import bulk, places, search_map
from directory.businesses.service import BusinessData


@pytest.fixture
def neighbours(make_business):
    # Two full postcodes of one district, and one far away.
    make_business(name="North End Shop", postcode="EX20 1AB")
    make_business(name="South End Shop", postcode="EX20 2AA")
    make_business(name="Leeds Shop", postcode="LS1 4DY")


def test_businesses_of_one_district_get_the_same_public_distance_and_point(client, neighbours):
    data = client.get("/businesses/map.json?near=EX1&radius_km=100").get_json()
    points = {p["name"]: p for p in data["points"]}
    north, south = points["North End Shop"], points["South End Shop"]
    assert (north["lat"], north["lon"], north["distance_km"]) == (
        south["lat"],
        south["lon"],
        south["distance_km"],
    )
    page = client.get("/businesses?near=EX1&radius_km=100").get_data(as_text=True)
    shown = re.findall(r'class="distance">([^<]+)</strong>', page)
    assert len(shown) == 2 and shown[0] == shown[1]
    assert all(re.fullmatch(r"about \d+ km away|under 1 km away", s) for s in shown)


def test_map_points_sit_on_the_district_centre(app, client, neighbours):
    data = client.get("/businesses/map.json").get_json()
    with app.app_context():
        lat, lon = places.offline.district_point("LS1")
    leeds = next(p for p in data["points"] if p["name"] == "Leeds Shop")
    assert (leeds["lat"], leeds["lon"]) == (round(lat, 2), round(lon, 2))


def test_a_crowded_view_is_sent_as_counts_per_area_without_names(client, neighbours, monkeypatch):
    monkeypatch.setattr(search_map, "MAX_POINTS", 2)
    data = client.get("/businesses/map.json").get_json()
    assert data["points"] == []
    assert sum(cell["count"] for cell in data["cells"]) == data["in_view"] == 3
    assert len(data["cells"]) == 2  # Devon and Leeds are far apart at England's scale
    assert "Shop" not in str(data["cells"])


def test_the_view_box_limits_what_is_sent(client, neighbours):
    leeds_box = "-2.0,53.5,-1.0,54.0"
    data = client.get(f"/businesses/map.json?bbox={leeds_box}").get_json()
    assert [p["name"] for p in data["points"]] == ["Leeds Shop"]
    assert data["total"] == 3 and data["in_view"] == 1


@pytest.mark.parametrize("bbox", ["", "x", "1,2,3", "5,50,-5,55", "nan,1,2,3"])
def test_a_bad_view_box_falls_back_to_england(client, neighbours, bbox):
    data = client.get(f"/businesses/map.json?bbox={bbox}").get_json()
    assert data["in_view"] == 3


def test_the_map_marks_the_search_point(client, neighbours):
    data = client.get("/businesses/map.json?near=Leeds&radius_km=10").get_json()
    assert data["origin"]["label"] == "Leeds" and data["origin"]["radius_km"] == 10
    page = client.get("/businesses?view=map&near=Leeds").get_data(as_text=True)
    assert 'data-near-label="Leeds"' in page
    assert 'data-base-url="/static/map/base.json"' in page


def test_imported_businesses_are_searchable_at_once(app, client):
    with app.app_context():
        place = places.resolve_place("CA12 5DE", "keswick")
        bulk.save([BusinessData(name="Fellside Repair Café", sector="hub", stage="growing",
                                place=place)])  # fmt: skip
    page = client.get("/businesses?q=repair+cafe").get_data(as_text=True)
    assert "Fellside Repair Café" in page
    assert "Keswick, CA12" in page
