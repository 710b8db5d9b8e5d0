"""Public reads: the same search as the page, public fields only, JSON errors."""

from __future__ import annotations

import re

import pytest

PUBLIC_FIELDS = {
    "id",
    "slug",
    "name",
    "description",
    "sector",
    "other_sectors",
    "legal_form",
    "stage",
    "founded_year",
    "town",
    "district",
    "region",
    "latitude",
    "longitude",
    "needs",
    "offers",
    "willing_to_mentor",
    "website",
    "networks",
    "url",
}

SAME_AS_PAGE = [
    "",
    "q=community",
    "sector=shop",
    "sector=shop&sector=cafe-food",
    "stage=mature",
    "offer=funding&offer=legal",
    "need=funding",
    "region=south-west",
    "network=devon",
    "mentors=1",
    "near=EX20 1AB&radius_km=50",
    "near=EX20&sort=name",
    "sort=newest",
    "per_page=1&page=2",
    "q=zzzz-nothing",
]


def _page_slugs(client, query: str) -> list[str]:
    """Profiles the page links to, in order (each card may link to its profile more than once)."""
    html = client.get(f"/businesses?{query}").get_data(as_text=True)
    links = re.findall(r'href="/businesses/([a-z0-9-]+)"', html)
    return [s for s in dict.fromkeys(links) if s != "new"]


@pytest.mark.parametrize("query", SAME_AS_PAGE)
def test_api_returns_the_same_businesses_in_the_same_order_as_the_page(client, world, query):
    body = client.get(f"/api/v1/businesses?{query}").get_json()
    slugs = [item["slug"] for item in body["items"]]
    assert slugs == _page_slugs(client, query)
    assert len(slugs) <= body["per_page"]


def test_list_items_have_public_fields_only_at_district_precision(client, world):
    body = client.get("/api/v1/businesses?network=devon").get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["per_page"] == 20
    for item in body["items"]:
        assert set(item) == PUBLIC_FIELDS
        assert round(item["latitude"], 2) == item["latitude"]
        assert round(item["longitude"], 2) == item["longitude"]
    text = str(body)
    assert "hello@okeshop" not in text and "01837" not in text and "EX20 1AB" not in text


def test_near_adds_distance_and_sorts_nearest_first(client, world):
    body = client.get("/api/v1/businesses?near=EX20 1AB&radius_km=100").get_json()
    distances = [item["distance_km"] for item in body["items"]]
    assert distances == sorted(distances) and len(distances) == 3
    assert "Alnwick Food Co-op" not in [i["name"] for i in body["items"]]


def test_unlisted_businesses_never_appear_in_public_reads(client, world):
    names = [i["name"] for i in client.get("/api/v1/businesses?per_page=100").get_json()["items"]]
    assert "Hidden Pub" not in names and len(names) == 4
    assert client.get(f"/api/v1/businesses/{world.unlisted}").status_code == 404


def test_per_page_is_capped_at_100(client, world):
    assert client.get("/api/v1/businesses?per_page=500").get_json()["per_page"] == 100


def test_one_business_has_the_same_record_as_the_list(client, world):
    one = client.get(f"/api/v1/businesses/{world.shop}").get_json()
    listed = client.get("/api/v1/businesses?q=Okehampton").get_json()["items"][0]
    assert one == listed
    assert one["networks"] == ["devon"] and one["legal_form"] == "cbs"
    assert one["url"].endswith("/businesses/okehampton-community-shop")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("sector=spaceships", "sector"),
        ("stage=x", "stage"),
        ("need=x", "need"),
        ("offer=x", "offer"),
        ("region=atlantis", "region"),
        ("radius_km=-3", "radius_km"),
        ("radius_km=abc", "radius_km"),
        ("page=0", "page"),
        ("per_page=abc", "per_page"),
        ("sort=random", "sort"),
        ("near=Nowhereville Zzz", "near"),
        ("q=a%00b", "q"),
    ],
)
def test_bad_search_parameter_is_a_400_naming_the_field(client, world, query, field):
    response = client.get(f"/api/v1/businesses?{query}")
    assert response.status_code == 400
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and field in error["fields"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/businesses/999999", "/api/v1/nothing-here", "/api/v1/businesses/abc"],
)
def test_unknown_addresses_are_json_404(client, world, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "path",
    ["/api/v1/businesses/2147483648", "/api/v1/businesses/99999999999999999999/matches"],
)
def test_an_id_no_database_holds_is_a_404_for_every_method(client, world, method, path):
    """Not 405: Werkzeug says 405 when another method's rule matched before the converter
    refused the id, yet no method is served at that address."""
    response = client.open(path, method=method, json={}, headers=world.bearer("admin"))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("path", "field"),
    [("/api/v1/businesses?sector=shop&n%00ear=x", "n\x00ear"), ("/api/v1/networks?x=%00", "x")],
)
def test_a_nul_anywhere_in_the_query_is_a_json_400_naming_it(client, world, path, field):
    response = client.get(path)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and list(error["fields"]) == [field]


def test_wrong_method_is_json_405(client, world):
    response = client.delete(f"/api/v1/businesses/{world.shop}")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_networks_count_listed_members(client, world):
    items = client.get("/api/v1/networks").get_json()["items"]
    assert [(n["slug"], n["businesses"]) for n in items] == [("devon", 2), ("north", 1)]


def test_vocabularies_give_slugs_and_labels(client):
    body = client.get("/api/v1/vocabularies").get_json()
    assert set(body) == {"sectors", "stages", "topics", "legal_forms", "regions"}
    assert {"slug": "shop", "label": "Community shop"} in body["sectors"]


def test_a_crash_is_a_json_500_without_a_stack_trace(app, client, world, monkeypatch):
    def broken(query, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("directory.api.views.directory_search.search", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/api/v1/businesses")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "server_error"
    assert "secret internals" not in response.get_data(as_text=True)
