# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""Claims, join requests, the admins' networks page and the users/networks commands."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from directory import accounts
from directory.extensions import db
from directory.introductions import queries
from directory.models import Claim, JoinRequest
from tests.web.networks_world import network, unowned  # noqa: F401  (pytest fixtures)
from tests.web.test_introductions import PASSWORD, business, outbox, user, world  # noqa: F401  (pytest fixtures)

# -- claims ---------------------------------------------------------------------------------------


def test_claim_by_the_profiles_email_link(app, client, auth, world, unowned, make_user):
    make_user("dave@example.org", PASSWORD)
    auth.login("dave@example.org", PASSWORD)
    profile = client.get("/businesses/belstone-village-hall").get_data(as_text=True)
    assert "Unclaimed" in profile and "Claim it" in profile
    client.post("/businesses/belstone-village-hall/claim", data={"method": "email"})
    with app.app_context():
        sent = [m for m in outbox() if m.to_address == "hall@belstone.example"]
        assert len(sent) == 1
    path = "/claims/confirm/" + re.search(r"/claims/confirm/(\S+)", sent[0].body).group(1)
    assert "Pending" in client.get("/claims").get_data(as_text=True)
    auth.logout()
    auth.login("carol@example.org", PASSWORD)
    assert client.post(path).status_code == 409  # not the claimant
    auth.logout()
    auth.login("dave@example.org", PASSWORD)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    with app.app_context():
        assert business(unowned).owner.email == "dave@example.org"
    assert client.post(path).status_code == 410
    assert client.get("/businesses/belstone-village-hall/edit").status_code == 200
    auth.logout()
    auth.login("coord@example.org", PASSWORD)
    assert client.get("/businesses/belstone-village-hall/edit").status_code == 403


def test_claim_with_evidence_goes_to_the_network_coordinator(
    app, client, auth, world, unowned, make_user
):
    dave = make_user("dave@example.org", PASSWORD)
    auth.login("dave@example.org", PASSWORD)
    client.post(
        "/businesses/belstone-village-hall/claim",
        data={"method": "evidence", "evidence": "   "},
    )
    with app.app_context():
        assert db.session.execute(select(Claim)).first() is None
    client.post(
        "/businesses/belstone-village-hall/claim",
        data={"method": "evidence", "evidence": "I chair the hall committee"},
    )
    with app.app_context():
        claim = db.session.execute(select(Claim)).scalar_one()
        from directory.networks import claims

        assert claims.may_decide(user(world.coord), claim)
        assert not claims.may_decide(user(world.other_coord), claim)
        assert not claims.may_decide(user(dave), claim)
        claim_id = claim.id
    auth.logout()
    auth.login("coord@example.org", PASSWORD)
    assert "I chair the hall committee" in client.get("/coordinator").get_data(as_text=True)
    client.post(f"/claims/{claim_id}/decide", data={"decision": "refuse", "note": ""})
    with app.app_context():
        assert db.session.get(Claim, claim_id).status == "pending"
    client.post(
        f"/claims/{claim_id}/decide", data={"decision": "refuse", "note": "The chair is Eve"}
    )
    auth.logout()
    auth.login("dave@example.org", PASSWORD)
    mine = client.get("/claims").get_data(as_text=True)
    assert "Refused" in mine and "The chair is Eve" in mine
    with app.app_context():
        assert business(unowned).owner_id is None


def test_an_approved_evidence_claim_makes_the_claimant_owner(app, world, unowned, make_user):
    from directory.networks import claims

    dave = make_user("dave@example.org", PASSWORD)
    with app.app_context():
        claim = claims.claim_with_evidence(user(dave), business(unowned), "I am the treasurer")
        claims.decide(claim, user(world.coord), approve=True)
        assert business(unowned).owner_id == dave
        assert not claims.claimable(business(unowned))


# -- networks: joining, managing, the command line ----------------------------------------------


def test_an_owner_asks_to_join_and_only_approval_changes_routing(app, client, auth, world):
    auth.login("bob@example.org", PASSWORD)
    # The edit form no longer sets networks for an owner.
    client.post(
        "/businesses/chagford-community-stores/edit",
        data={
            "name": "Chagford Community Stores",
            "sector": "shop",
            "stage": "mature",
            "postcode": "TQ13 8AA",
            "networks": ["locality"],
        },
    )
    with app.app_context():
        assert business(world.mentor).networks == []
    client.post("/networks", data={"business": "chagford-community-stores", "network": "locality"})
    with app.app_context():
        join = db.session.execute(select(JoinRequest)).scalar_one()
        assert join.status == "pending" and business(world.mentor).networks == []
        assert [m.to_address for m in outbox()] == ["other@example.org"]
        join_id = join.id
    auth.logout()
    auth.login("coord@example.org", PASSWORD)
    assert (
        client.post(f"/networks/joins/{join_id}/decide", data={"decision": "approve"}).status_code
        == 403
    )
    auth.logout()
    auth.login("other@example.org", PASSWORD)
    assert "asks to join Locality" in client.get("/coordinator").get_data(as_text=True)
    with app.app_context():
        assert queries.pending_actions(user(world.other_coord)) == 1  # the badge
    client.post(f"/networks/joins/{join_id}/decide", data={"decision": "approve"})
    with app.app_context():
        assert [n.slug for n in business(world.mentor).networks] == ["locality"]


def test_admin_manages_networks_and_coordinators_on_a_page(app, client, auth, world):
    auth.login("carol@example.org", PASSWORD)
    assert client.get("/admin/networks").status_code == 403
    auth.logout()
    auth.login("admin@example.org", PASSWORD)
    client.post("/admin/networks", data={"name": "Devon Hubs", "description": "Hubs"})
    client.post("/admin/networks/devon-hubs/coordinators", data={"email": "carol@example.org"})
    page = client.get("/admin/networks").get_data(as_text=True)
    assert "Devon Hubs" in page and "carol@example.org" in page
    with app.app_context():
        carol = user(world.carol)
        assert carol.role == "coordinator" and [n.slug for n in carol.networks] == ["devon-hubs"]
    client.post(
        f"/admin/networks/devon-hubs/coordinators/{world.carol}/remove", data={"confirmed": "yes"}
    )
    with app.app_context():
        assert user(world.carol).networks == []
    again = client.post("/admin/networks", data={"name": "Devon Hubs"})
    assert "already exists" in again.get_data(as_text=True)


def test_users_add_creates_or_updates_and_prints_a_set_password_link(app, runner, world):
    result = runner.invoke(
        args=[
            "users",
            "add",
            "nina@example.org",
            "--role",
            "coordinator",
            "--network",
            "locality",
            "--network",
            "eden-project",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created nina@example.org (coordinator)" in result.output
    token = re.search(r"/account/password/(\S+)", result.output).group(1)
    with app.app_context():
        nina = accounts.find_user("nina@example.org")
        assert accounts.read_token("set-password", token).data == {"user": nina.id}
        assert {n.slug for n in nina.networks} == {"locality", "eden-project"}
    result = runner.invoke(
        args=["users", "add", "nina@example.org", "--role", "evaluator", "--password", "pw pw pw"]
    )
    assert "Updated nina@example.org (evaluator)" in result.output
    assert "/account/password/" not in result.output
    with app.app_context():
        assert accounts.authenticate("nina@example.org", "pw pw pw") is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["users", "add", "x@example.org", "--network", "nowhere", "--role", "coordinator"],
            "no network 'nowhere'",
        ),
        (
            ["users", "add", "x@example.org", "--role", "member", "--network", "locality"],
            "Only coordinators and admins",
        ),
        (["networks", "add", "Locality"], "already exists"),
        (
            ["networks", "remove-coordinator", "locality", "alice@example.org"],
            "does not coordinate",
        ),
    ],
)
def test_commands_refuse_bad_input_clearly(app, runner, world, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and message in result.output
    with app.app_context():
        assert accounts.find_user("x@example.org") is None


def test_networks_commands_list_add_and_remove_coordinators(app, runner, world):
    result = runner.invoke(
        args=["networks", "add", "Devon Hubs", "--coordinator", "carol@example.org"]
    )
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["networks", "list"]).output
    assert "devon-hubs: Devon Hubs (0 members)" in listing and "carol@example.org" in listing
    assert "locality: Locality" in listing and "other@example.org" in listing
    result = runner.invoke(
        args=["networks", "remove-coordinator", "devon-hubs", "carol@example.org"]
    )
    assert result.exit_code == 0
    with app.app_context():
        assert user(world.carol).networks == []


@pytest.mark.parametrize(
    ("network", "message"),
    [
        ("", "Choose a network."),
        ("plunkett-foundation", "is already a member of Plunkett Foundation"),
    ],
)
def test_a_bad_join_request_is_refused_with_a_message_and_changes_nothing(
    app, client, auth, world, network, message
):
    auth.login("alice@example.org", PASSWORD)
    response = client.post(
        "/networks", data={"business": "okehampton-community-shop", "network": network}
    )
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(JoinRequest)).first() is None
