"""Coordinators create and update businesses of their networks, with the form's rules."""

from __future__ import annotations

import pytest

from directory.extensions import db
from directory.models import Business

NEW = {
    "name": "Sampford Courtenay Shop",
    "sector": "shop",
    "stage": "starting",
    "postcode": "EX20 2TB",
    "needs": ["funding"],
    "offers": ["volunteers"],
    "networks": ["devon"],
    "email": "shop@sampford.example.org",
    "website": "https://sampford.example.org",
}


def _count(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(Business)).scalar()


def _post(client, world, who, body):
    return client.post("/api/v1/businesses", json=body, headers=world.bearer(who) if who else {})


def _patch(client, world, who, business_id, body):
    headers = world.bearer(who) if who else {}
    return client.patch(f"/api/v1/businesses/{business_id}", json=body, headers=headers)


def test_coordinator_creates_a_business_in_their_network(app, client, world):
    response = _post(client, world, "coordinator", NEW)
    assert response.status_code == 201
    created = response.get_json()
    assert created["name"] == NEW["name"] and created["networks"] == ["devon"]
    assert created["district"] == "EX20" and "email" not in created
    assert response.headers["Location"].endswith(f"/api/v1/businesses/{created['id']}")
    assert client.get(f"/api/v1/businesses/{created['id']}").get_json() == created
    with app.app_context():
        row = db.session.get(Business, created["id"])
        assert row.email == NEW["email"] and row.owner_id is None and row.listed


@pytest.mark.parametrize(
    ("who", "networks", "status"),
    [
        (None, ["devon"], 401),
        ("member", ["devon"], 403),
        ("owner", ["devon"], 403),
        ("coordinator", ["north"], 403),
        ("coordinator", ["devon", "north"], 403),
        ("coordinator", [], 403),
        ("admin", [], 201),
        ("admin", ["north"], 201),
    ],
)
def test_who_may_create_where(app, client, world, who, networks, status):
    before = _count(app)
    response = _post(client, world, who, {**NEW, "networks": networks})
    assert response.status_code == status
    assert _count(app) == before + (1 if status == 201 else 0)


def test_a_signed_in_coordinator_without_a_token_cannot_write(app, client, auth, world):
    app.config["WTF_CSRF_ENABLED"] = True
    auth.login("coord@example.org")
    assert _post(client, world, None, NEW).status_code == 401
    assert _patch(client, world, None, world.mentor, {"description": "x"}).status_code == 401


def test_writes_with_a_token_need_no_csrf_token(app, client, world):
    app.config["WTF_CSRF_ENABLED"] = True
    assert _post(client, world, "coordinator", NEW).status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sector": "spaceships"}, "sector"),
        ({"stage": "teenage"}, "stage"),
        ({"legal_form": "llc"}, "legal_form"),
        ({"founded_year": 1700}, "founded_year"),
        ({"founded_year": 3000}, "founded_year"),
        ({"website": "ftp://example.org"}, "website"),
        ({"email": "not an email"}, "email"),
        ({"postcode": "ZZ99 9ZZ"}, "postcode"),
        ({"postcode": "", "town": "Nowhereville Zzz"}, "town"),
        ({"needs": ["juggling"]}, "needs"),
        ({"offers": ["juggling"]}, "offers"),
        ({"other_sectors": ["x"]}, "other_sectors"),
        ({"mentor_capacity": 500}, "mentor_capacity"),
        ({"name": ""}, "name"),
        ({"name": "x" * 161}, "name"),
        ({"name": 5}, "name"),
        ({"needs": "funding"}, "needs"),
        ({"willing_to_mentor": "yes"}, "willing_to_mentor"),
        ({"colour": "red"}, "colour"),
        ({"description": "a\x00b"}, "description"),
        ({"networks": ["devon\x00"]}, "networks"),
    ],
)
def test_create_with_a_bad_field_is_a_422_naming_it_and_saves_nothing(
    app, client, world, change, field
):
    before = _count(app)
    response = _post(client, world, "coordinator", {**NEW, **change})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    assert _count(app) == before


@pytest.mark.parametrize("missing", ["name", "sector", "stage"])
def test_create_without_a_required_field_is_a_422(client, world, missing):
    body = {k: v for k, v in NEW.items() if k != missing}
    response = _post(client, world, "coordinator", body)
    assert response.status_code == 422 and missing in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("body", ["not json", "[1, 2]", "null", ""])
def test_a_body_that_is_not_a_json_object_is_a_400(client, world, body):
    response = client.post(
        "/api/v1/businesses",
        data=body,
        content_type="application/json",
        headers=world.bearer("coordinator"),
    )
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"


def test_a_taken_name_is_a_409(app, client, world):
    before = _count(app)
    response = _post(client, world, "coordinator", {**NEW, "name": "chagford community stores"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert _count(app) == before
    rename = _patch(
        client, world, "coordinator", world.mentor, {"name": "Okehampton Community Shop"}
    )
    assert rename.status_code == 409


def test_patch_changes_only_the_fields_sent(app, client, world):
    with app.app_context():
        before = db.session.get(Business, world.shop)
        kept = (before.needs, before.email, before.phone, before.legal_form, before.website)
    response = _patch(client, world, "coordinator", world.shop, {"description": "Now with a café."})
    assert response.status_code == 200
    assert response.get_json()["description"] == "Now with a café."
    with app.app_context():
        after = db.session.get(Business, world.shop)
        assert (after.needs, after.email, after.phone, after.legal_form, after.website) == kept
        assert [n.slug for n in after.networks] == ["devon"] and after.owner_id == world.owner


def test_patch_keeps_the_owners_consent_to_be_named_in_evidence(app, client, world):
    """The consent is not in the API's body, so no API change may reset it."""
    with app.app_context():
        db.session.get(Business, world.shop).named_in_evidence = True
        db.session.commit()
    response = _patch(client, world, "coordinator", world.shop, {"stage": "established"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.get(Business, world.shop).named_in_evidence is True


@pytest.mark.parametrize(
    ("body", "field"),
    [({"description": "a\x00b"}, "description"), ({"needs": ["funding", "x\x00"]}, "needs")],
)
def test_patch_with_a_nul_is_a_422_naming_the_field_and_changes_nothing(client, world, body, field):
    before = client.get(f"/api/v1/businesses/{world.shop}").get_json()
    response = _patch(client, world, "coordinator", world.shop, body)
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == [field]
    assert client.get(f"/api/v1/businesses/{world.shop}").get_json() == before


def test_patch_of_a_postcode_moves_the_business_and_its_town(client, world):
    body = _patch(client, world, "admin", world.shop, {"postcode": "NE66 1AA"}).get_json()
    assert body["district"] == "NE66" and body["region"] == "north-east"
    assert body["town"] != "Okehampton"


@pytest.mark.parametrize(
    ("who", "business", "change", "status"),
    [
        ("coordinator", "mentor", {"stage": "established"}, 200),
        ("coordinator", "far", {"stage": "established"}, 403),
        ("coordinator", "peer", {"stage": "established"}, 403),
        ("other_coordinator", "mentor", {"stage": "established"}, 403),
        ("owner", "shop", {"stage": "established"}, 403),
        ("coordinator", "mentor", {"networks": ["devon", "north"]}, 403),
        ("coordinator", "mentor", {"networks": []}, 403),
        ("admin", "peer", {"networks": ["north"]}, 200),
        ("coordinator", "mentor", {"stage": "teenage"}, 422),
    ],
)
def test_who_may_update_what(app, client, world, who, business, change, status):
    business_id = getattr(world, business)
    before = client.get(f"/api/v1/businesses/{business_id}").get_json()
    response = _patch(client, world, who, business_id, change)
    assert response.status_code == status
    after = client.get(f"/api/v1/businesses/{business_id}").get_json()
    if status == 200:
        assert all(after[k] == v for k, v in change.items())
    else:
        assert after == before


def test_patch_of_an_unknown_business_is_a_404(client, world):
    assert _patch(client, world, "admin", 999999, {"stage": "mature"}).status_code == 404


def test_write_endpoints_send_no_cors_headers(client, world):
    response = _post(client, world, "coordinator", NEW)
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.options(
        "/api/v1/businesses",
        headers={"Origin": "https://network.example", "Access-Control-Request-Method": "POST"},
    )
    assert "POST" not in preflight.headers.get("Access-Control-Allow-Methods", "")
