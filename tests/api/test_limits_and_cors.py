"""Rate limits per token and per address; CORS on public reads only; JSON-LD on profiles."""

from __future__ import annotations

import json
import re

import pytest


@pytest.fixture
def tight(app):
    app.config.update(API_READ_RATE_LIMIT="3 per minute", API_WRITE_RATE_LIMIT="1 per minute")
    return app


def test_reads_are_limited_per_address_across_endpoints(client, world, tight):
    for path in ("/api/v1/vocabularies", "/api/v1/networks", "/api/v1/businesses"):
        assert client.get(path).status_code == 200
    response = client.get("/api/v1/vocabularies")
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "rate_limited"
    other_address = client.get("/api/v1/vocabularies", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other_address.status_code == 200


def test_reads_are_limited_per_token_not_per_address(client, world, tight):
    for _ in range(3):
        assert client.get("/api/v1/networks", headers=world.bearer("owner")).status_code == 200
    assert client.get("/api/v1/networks", headers=world.bearer("owner")).status_code == 429
    assert client.get("/api/v1/networks", headers=world.bearer("admin")).status_code == 200
    assert client.get("/api/v1/networks").status_code == 200


def test_writes_have_their_own_allowance(client, world, tight):
    headers = world.bearer("coordinator")
    path = f"/api/v1/businesses/{world.mentor}"
    assert client.patch(path, json={"stage": "established"}, headers=headers).status_code == 200
    second = client.patch(path, json={"stage": "mature"}, headers=headers)
    assert second.status_code == 429 and second.get_json()["error"]["code"] == "rate_limited"
    assert client.get(path, headers=headers).get_json()["stage"] == "established"


PUBLIC = [
    "/api/v1/businesses",
    "/api/v1/businesses?sector=nonsense",
    "/api/v1/networks",
    "/api/v1/vocabularies",
    "/api/v1/openapi.json",
    "/api/v1/openreferral/organizations",
    "/api/v1/openreferral/services",
]


@pytest.mark.parametrize("path", PUBLIC)
def test_public_reads_allow_any_origin_without_credentials(client, world, path):
    response = client.get(path, headers={"Origin": "https://network.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize("path", PUBLIC)
def test_preflight_of_public_reads_allows_only_reading(client, world, path):
    response = client.options(
        path.split("?")[0],
        headers={"Origin": "https://network.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    allowed = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS"}


def _jsonld(html: str) -> dict:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(found) == 1
    return json.loads(found[0])


def test_profile_carries_schema_org_organization_at_district_precision(client, world):
    data = _jsonld(client.get("/businesses/okehampton-community-shop").get_data(as_text=True))
    assert data["@context"] == "https://schema.org" and data["@type"] == "Organization"
    assert data["name"] == "Okehampton Community Shop"
    assert data["address"]["postalCode"] == "EX20"
    assert data["address"]["addressLocality"] and data["address"]["addressCountry"] == "GB"
    assert round(data["geo"]["latitude"], 2) == data["geo"]["latitude"]
    assert data["sameAs"] == ["https://okeshop.example.org"]
    assert "organisational-structure/OS130" in data["additionalType"][0]
    assert "EX20 1AB" not in json.dumps(data) and "hello@" not in json.dumps(data)


def test_profile_jsonld_lists_topics_offered_and_cannot_break_out_of_its_script(app, client, world):
    from directory.extensions import db
    from directory.models import Business

    with app.app_context():
        b = db.session.get(Business, world.mentor)
        b.description = "</script><script>alert(1)</script> & more"
        db.session.commit()
    html = client.get("/businesses/chagford-community-stores").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    data = _jsonld(html)
    assert data["knowsAbout"] == ["Grants and fundraising", "Legal structure and compliance"]
    assert data["description"].startswith("</script>")
