"""Open Referral UK and Murmurations feeds, validated against the standards' schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

STANDARDS = Path(__file__).parent / "standards"


def _validator(schema_file: str, definition: str) -> Draft202012Validator:
    schema = json.loads((STANDARDS / schema_file).read_text())
    schema = {**schema, "$ref": f"#/$defs/{definition}"}
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _valid(document: dict, schema_file: str, definition: str) -> None:
    errors = sorted(_validator(schema_file, definition).iter_errors(document), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


@pytest.mark.parametrize(
    ("path", "definition"),
    [
        ("/api/v1/openreferral/organizations", "organization"),
        ("/api/v1/openreferral/services", "service"),
    ],
)
def test_openreferral_pages_validate_and_list_only_listed_businesses(
    client, world, path, definition
):
    body = client.get(path).get_json()
    _valid(body, "hsds_uk.schema.json", "page")
    assert body["total_items"] == 4 and len(body["contents"]) == 4
    for item in body["contents"]:
        _valid(item, "hsds_uk.schema.json", definition)
    assert "Hidden Pub" not in json.dumps(body)


@pytest.mark.parametrize(
    ("path", "definition"),
    [
        ("/api/v1/openreferral/organizations/{id}", "organization"),
        ("/api/v1/openreferral/services/{id}", "service"),
    ],
)
def test_openreferral_single_records_validate_and_hide_contacts(client, world, path, definition):
    body = client.get(path.format(id=world.shop)).get_json()
    _valid(body, "hsds_uk.schema.json", definition)
    text = json.dumps(body)
    assert "hello@okeshop" not in text and "01837" not in text and "EX20 1AB" not in text
    assert client.get(path.format(id=world.unlisted)).status_code == 404


def test_openreferral_service_is_classified_by_sector_offers_and_essglobal(client, world):
    body = client.get(f"/api/v1/openreferral/services/{world.mentor}").get_json()
    terms = {(a["link_type"], a["taxonomy_term"]["code"]) for a in body["attributes"]}
    assert terms == {
        ("sector", "shop"),
        ("offers", "funding"),
        ("offers", "legal"),
        ("activity", "AM70"),
    }
    address = body["service_at_locations"][0]["location"]["addresses"][0]
    assert address["postal_code"] == "TQ13" and address["country"] == "GB"


def test_openreferral_ids_are_stable_and_distinct(client, world):
    first = client.get("/api/v1/openreferral/organizations").get_json()["contents"]
    again = client.get("/api/v1/openreferral/organizations").get_json()["contents"]
    assert [o["id"] for o in first] == [o["id"] for o in again]
    ids = [o["id"] for o in first] + [o["services"][0]["id"] for o in first]
    assert len(set(ids)) == len(ids)


def test_openreferral_organization_carries_essglobal_legal_form(client, world):
    body = client.get(f"/api/v1/openreferral/organizations/{world.shop}").get_json()
    term = body["attributes"][0]["taxonomy_term"]
    assert term["code"] == "OS130" and term["term_uri"].endswith("/organisational-structure/OS130")


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=0", "per_page=-1"])
def test_openreferral_bad_paging_is_a_400(client, world, query):
    response = client.get(f"/api/v1/openreferral/organizations?{query}")
    assert response.status_code == 400 and response.get_json()["error"]["fields"]


def test_openreferral_pages_through_the_directory(client, world):
    seen = []
    for page in (1, 2, 3):
        body = client.get(f"/api/v1/openreferral/services?per_page=2&page={page}").get_json()
        seen += [s["name"] for s in body["contents"]]
        assert body["last_page"] == (page >= 2)
    assert len(seen) == len(set(seen)) == 4


def test_murmurations_profile_validates_and_links_offers_and_wants(client, world):
    body = client.get(f"/api/v1/murmurations/{world.shop}").get_json()
    _valid(body, "murmurations.schema.json", "organization")
    assert body["primary_url"] == "https://okeshop.example.org"
    assert "Community shop" in body["tags"] and "Goods & Services" in body["tags"]
    links = [u["url"] for u in body["urls"] if u["name"].startswith(("offer", "want"))]
    assert len(links) == 2  # the shop wants funding and legal help
    for link in links:
        path = link.split("://", 1)[1].split("/", 1)[1]
        want = client.get("/" + path).get_json()
        _valid(want, "murmurations.schema.json", "offer_or_want")
        assert want["exchange_type"] == "want"
    assert "hello@okeshop" not in json.dumps(body)


def test_murmurations_offers_validate(client, world):
    body = client.get(f"/api/v1/murmurations/{world.mentor}/offer/legal").get_json()
    _valid(body, "murmurations.schema.json", "offer_or_want")
    assert body["exchange_type"] == "offer" and "Legal structure and compliance" in body["tags"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/murmurations/{mentor}/offer/staff",
        "/api/v1/murmurations/{mentor}/want/legal",
        "/api/v1/murmurations/{mentor}/swap/legal",
        "/api/v1/murmurations/{unlisted}",
        "/api/v1/murmurations/999999",
    ],
)
def test_murmurations_unknown_profiles_are_404(client, world, path):
    response = client.get(path.format(mentor=world.mentor, unlisted=world.unlisted))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_the_schemas_catch_a_broken_document():
    broken = {"linked_schemas": ["something-else"], "geolocation": {"lat": 123}}
    assert list(_validator("murmurations.schema.json", "organization").iter_errors(broken))
    address = {"id": "not-a-uuid", "country": "United Kingdom"}
    assert len(list(_validator("hsds_uk.schema.json", "address").iter_errors(address))) >= 3
