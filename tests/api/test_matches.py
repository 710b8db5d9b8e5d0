"""Matches through the API: the engine's suggestions, for the owner, its coordinators, admins."""

from __future__ import annotations

import pytest

from directory import matchmaking
from directory.extensions import db
from directory.models import Business


def _matches(client, world, who=None, query="", business=None):
    headers = world.bearer(who) if who else {}
    business = business or world.shop
    return client.get(f"/api/v1/businesses/{business}/matches{query}", headers=headers)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("member", 403),
        ("other_coordinator", 403),
        ("owner", 200),
        ("coordinator", 200),
        ("admin", 200),
    ],
)
def test_matches_need_the_owner_a_coordinator_of_its_network_or_an_admin(
    client, world, who, status
):
    response = _matches(client, world, who)
    assert response.status_code == status
    if status != 200:
        assert response.get_json()["error"]["code"] in {"unauthorized", "forbidden"}


def test_owner_signed_in_sees_matches_without_a_token(client, auth, world):
    auth.login("owner@example.org")
    assert _matches(client, world).status_code == 200
    auth.logout()
    auth.login("member@example.org")
    assert _matches(client, world).status_code == 403


@pytest.mark.parametrize("kind", ["peer", "mentor"])
def test_matches_are_the_engines_suggestions_with_public_records(app, client, world, kind):
    body = _matches(client, world, "owner", f"?kind={kind}&limit=5").get_json()
    with app.app_context():
        expected = matchmaking.suggest_for(db.session.get(Business, world.shop), kind, 5)
    assert body["kind"] == kind
    assert [m["business"]["id"] for m in body["items"]] == [s.id for s in expected]
    assert [m["reasons"] for m in body["items"]] == [list(s.reasons) for s in expected]
    assert [m["score"] for m in body["items"]] == [round(s.score, 3) for s in expected]
    if kind == "mentor":
        assert body["items"][0]["business"]["name"] == "Chagford Community Stores"
    for match in body["items"]:
        assert "email" not in match["business"] and match["distance_km"] >= 0


@pytest.mark.parametrize(
    ("query", "field"),
    [("?kind=boss", "kind"), ("?limit=0", "limit"), ("?limit=51", "limit"), ("?limit=x", "limit")],
)
def test_bad_match_parameters_are_a_400(client, world, query, field):
    response = _matches(client, world, "owner", query)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]


def test_matches_of_unknown_or_unlisted_business_are_404_to_others(client, world):
    assert _matches(client, world, "admin", business=999999).status_code == 404
    assert _matches(client, world, "coordinator", business=world.unlisted).status_code == 404


def test_matches_send_no_cors_headers(client, world):
    response = _matches(client, world, "owner")
    assert "Access-Control-Allow-Origin" not in response.headers
