# ruff: noqa: F811  (pytest fixtures imported from the introductions and mail tests)
"""Real networks: truthful routing, conflicts of interest, the target's view, invitations to
businesses without an account, claims, join requests, and the admin commands."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from directory import accounts
from directory.extensions import db
from directory.introductions import commands, permissions, queries
from directory.introductions import states as st
from directory.models import Business, Claim, Introduction, JoinRequest, Network, Report
from tests.web.test_introductions import (  # noqa: F401  (fixtures)
    PASSWORD,
    World,
    advance,
    business,
    make_intro,
    outbox,
    user,
    world,
)
from tests.web.test_mail import received, sink, smtp_app  # noqa: F401  (fixtures)


def network(slug: str) -> Network:
    return db.session.execute(select(Network).where(Network.slug == slug)).scalar_one()


def set_networks(business_id: int, *slugs: str) -> None:
    db.session.get(Business, business_id).networks = [network(s) for s in slugs]
    db.session.commit()


def ask(client, auth, w: World, target_slug="chagford-community-stores"):
    auth.login("alice@example.org", PASSWORD)
    return client.post(
        f"/introductions/new?to={target_slug}",
        data={"from_business": "okehampton-community-shop", "kind": "peer", "message": "Hi"},
        follow_redirects=True,
    )


def last_intro() -> Introduction:
    return db.session.execute(select(Introduction).order_by(Introduction.id.desc())).scalar()


# -- routing -----------------------------------------------------------------------------------
# In the world: coord coordinates plunkett-foundation, other_coord locality, and the shop is in
# plunkett-foundation. Each case sets the memberships, then checks who reviews and what the
# requester is told.

ROUTES = [
    # (requester's networks, target's networks, reviewing network or None, told)
    (["plunkett-foundation", "locality"], ["locality"], "locality", "the coordinators of Locality"),
    (
        ["plunkett-foundation"],
        ["locality"],
        "plunkett-foundation",
        "the coordinators of Plunkett Foundation",
    ),
    (["eden-project"], ["locality"], "locality", "the coordinators of Locality"),
    (["eden-project"], ["project-dirt"], None, "the Peerlink team"),
    ([], [], None, "the Peerlink team"),
]


@pytest.mark.parametrize(("mine", "theirs", "reviewer", "told"), ROUTES)
def test_requests_go_to_the_first_network_with_a_coordinator_and_the_requester_is_told(
    app, client, auth, world, mine, theirs, reviewer, told
):
    with app.app_context():
        set_networks(world.shop, *mine)
        set_networks(world.mentor, *theirs)
    page = ask(client, auth, world).get_data(as_text=True)
    assert f"has gone to {told}" in page
    with app.app_context():
        intro = last_intro()
        assert (intro.network.slug if intro.network else None) == reviewer
        to = {m.to_address for m in outbox() if m.subject.startswith("Introduction request")}
        expected = {"coord@example.org"} if reviewer == "plunkett-foundation" else set()
        expected = expected or (
            {"other@example.org"} if reviewer == "locality" else {"admin@example.org"}
        )
        assert to == expected


def test_a_coordinator_never_reviews_a_request_about_their_own_business(app, world):
    with app.app_context():
        # The plunkett coordinator owns the target; the only other route is the admins.
        db.session.get(Business, world.mentor).owner_id = world.coord
        db.session.commit()
        set_networks(world.mentor, "plunkett-foundation")
        intro = db.session.get(Introduction, make_intro(world))
        assert intro.network is None
        coord, admin = user(world.coord), user(world.admin)
        assert not permissions.allowed(coord, "approve", intro)
        assert intro not in queries.review_queue(coord)
        assert intro in queries.review_queue(admin)
        with pytest.raises(commands.NotAllowed):
            commands.approve(intro, coord)
        assert {m.to_address for m in outbox()} == {"admin@example.org"}


def test_with_a_second_coordinator_the_request_stays_in_the_network(app, world, make_user):
    second = make_user("second@example.org", PASSWORD, role="coordinator")
    with app.app_context():
        user(second).networks = [network("plunkett-foundation")]
        db.session.get(Business, world.shop).owner_id = world.coord  # coord asks for her shop
        db.session.commit()
        intro = commands.request_introduction(
            user(world.coord), business(world.shop), business(world.mentor), "peer", "Hello"
        )
        assert intro.network.slug == "plunkett-foundation"
        assert not permissions.allowed(user(world.coord), "approve", intro)
        assert permissions.allowed(user(second), "approve", intro)
        assert {m.to_address for m in outbox()} == {"second@example.org"}


# -- the target's view and the requester's -------------------------------------------------------


def test_the_target_sees_nothing_before_approval_and_cannot_withdraw(app, client, auth, world):
    with app.app_context():
        intro_id = make_intro(world)
    auth.login("bob@example.org", PASSWORD)
    assert client.get(f"/introductions/{intro_id}").status_code == 403
    listing = client.get("/introductions").get_data(as_text=True)
    assert "Okehampton" not in listing
    assert client.post(f"/introductions/{intro_id}/withdraw").status_code == 403
    with app.app_context():
        intro = advance(world, intro_id, st.APPROVED)
        assert not permissions.allowed(user(world.bob), "withdraw", intro)
    page = client.get(f"/introductions/{intro_id}").get_data(as_text=True)
    assert "How did you raise community shares?" in page and "Withdraw" not in page
    assert client.post(f"/introductions/{intro_id}/withdraw").status_code == 403
    auth.logout()
    auth.login("alice@example.org", PASSWORD)
    page = client.get(f"/introductions/{intro_id}").get_data(as_text=True)
    assert 'data-confirm="Withdraw this request?' in page


def test_history_never_shows_an_account_email_to_another_party(app, client, auth, world):
    with app.app_context():
        for uid in (world.alice, world.bob, world.coord):
            user(uid).name = ""
        db.session.commit()
        intro_id = advance(world, make_intro(world), st.APPROVED).id
    auth.login("bob@example.org", PASSWORD)
    page = client.get(f"/introductions/{intro_id}").get_data(as_text=True)
    assert "alice@example.org" not in page and "coord@example.org" not in page
    assert "Okehampton Community Shop" in page and "a coordinator" in page


def test_an_open_introduction_is_shown_before_any_message_is_typed(app, client, auth, world):
    with app.app_context():
        intro_id = make_intro(world)
    auth.login("alice@example.org", PASSWORD)
    profile = client.get("/businesses/chagford-community-stores").get_data(as_text=True)
    assert "Introduction open" in profile and f"/introductions/{intro_id}" in profile
    response = client.get("/introductions/new?to=chagford-community-stores")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/introductions/{intro_id}")


@pytest.mark.parametrize("url", ["/introductions/{id}/report", "/businesses/{slug}/report"])
def test_a_reason_of_only_spaces_is_refused_clearly_and_changes_nothing(
    app, client, auth, world, url
):
    with app.app_context():
        intro_id = make_intro(world)
    auth.login("alice@example.org", PASSWORD)
    path = url.format(id=intro_id, slug="chagford-community-stores")
    response = client.post(path, data={"reason": "   "})
    assert response.status_code == 200
    assert "Tell us what the problem is." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(Report)).first() is None


def test_a_decline_with_only_spaces_is_refused_and_the_request_stays(app, client, auth, world):
    with app.app_context():
        intro_id = make_intro(world)
    auth.login("coord@example.org", PASSWORD)
    response = client.post(
        f"/coordinator/introductions/{intro_id}/decline",
        data={"reason": "   "},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Give a reason" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Introduction, intro_id).state == st.REQUESTED


def test_a_declined_requester_sees_other_businesses_open_to_requests(
    app, client, auth, world, make_business
):
    for name, accepting in (("Lydford Stores", True), ("Belstone Stores", False)):
        make_business(
            name=name,
            stage="mature",
            postcode="EX20 4AA",
            offers=["funding", "legal"],
            willing_to_mentor=True,
            accepting_requests=accepting,
        )
    with app.app_context():
        intro_id = advance(world, make_intro(world), st.DECLINED).id
    auth.login("alice@example.org", PASSWORD)
    page = client.get(f"/introductions/{intro_id}").get_data(as_text=True)
    assert "Others you could ask" in page and "Lydford Stores" in page
    assert "Belstone Stores" not in page
    assert "Contact details are shared when" not in page


# -- organisations without an account -------------------------------------------------------------


@pytest.fixture
def unowned(world, make_business):
    return make_business(
        name="Belstone Village Hall",
        sector="hub",
        stage="mature",
        postcode="EX20 1QZ",
        offers=["funding"],
        willing_to_mentor=True,
        email="hall@belstone.example",
        phone="01837 333333",
        website="https://belstone.example",
        networks=["plunkett-foundation"],
    )


def request_to(w: World, target_id: int) -> Introduction:
    return commands.request_introduction(
        user(w.alice), business(w.shop), business(target_id), "mentor", "Could we visit?"
    )


def test_an_unowned_business_accepts_from_its_emailed_invitation(
    smtp_app, client, auth, world, unowned, received
):
    with smtp_app.app_context():
        intro = request_to(world, unowned)
        commands.approve(intro, user(world.coord), "They are lovely")
        intro_id = intro.id
    invitation = next(m for to, m in received if to == ["hall@belstone.example"])
    body = invitation.get_content()
    assert "Could we visit?" in body and "They are lovely" in body
    assert "which you offer" in body and "which you need" not in body
    link = re.search(r"http\S+/invitation/\S+", body).group(0)
    path = "/invitation/" + link.rsplit("/invitation/", 1)[1]
    page = client.get(path)
    assert page.status_code == 200
    assert "Claim this profile" in page.get_data(as_text=True)
    done = client.post(path, data={"answer": "accept"})
    assert done.status_code == 200 and "shop@example.org" in done.get_data(as_text=True)
    with smtp_app.app_context():
        intro = db.session.get(Introduction, intro_id)
        assert intro.state == st.ACCEPTED
        assert intro.events[-1].via == "invitation" and intro.events[-1].actor_id is None
    shared = [m for to, m in received if m["Subject"].startswith("Introduction:")]
    assert {tuple(to) for to, _ in [(to, m) for to, m in received if m in shared]} == {
        ("alice@example.org",),
        ("hall@belstone.example",),
    }
    to_hall = next(m for to, m in received if to == ["hall@belstone.example"] and m in shared)
    assert "shop@example.org" in to_hall.get_content()
    again = client.post(path, data={"answer": "reject"})
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)


def invitation_path(app, intro_id: int, target_id: int) -> str:
    with app.app_context():
        return "/invitation/" + accounts.make_token(
            "invitation", intro=intro_id, business=target_id
        )


@pytest.mark.parametrize(
    ("spoil", "status", "words"),
    [
        ("forged", 410, "not valid"),
        ("expired", 410, "expired"),
        ("other business", 410, "not valid"),
        ("withdrawn", 409, "no longer waiting"),
    ],
)
def test_a_bad_invitation_link_gets_a_clear_page_and_changes_nothing(
    app, client, world, unowned, spoil, status, words
):
    with app.app_context():
        intro = request_to(world, unowned)
        commands.approve(intro, user(world.coord))
        intro_id = intro.id
    path = invitation_path(app, intro_id, world.mentor if spoil == "other business" else unowned)
    if spoil == "forged":
        path = path[:-4] + ("AAAA" if not path.endswith("AAAA") else "BBBB")
    if spoil == "expired":
        app.config["INVITATION_MAX_AGE"] = timedelta(seconds=-1)
    if spoil == "withdrawn":
        with app.app_context():
            commands.withdraw(db.session.get(Introduction, intro_id), user(world.alice))
    for response in (client.get(path), client.post(path, data={"answer": "accept"})):
        assert response.status_code == status
        assert words in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Introduction, intro_id).state in (st.APPROVED, st.WITHDRAWN)


def test_without_a_contact_email_the_coordinator_reaches_it_and_answers_on_its_behalf(
    app, client, auth, world, unowned
):
    with app.app_context():
        db.session.get(Business, unowned).email = ""
        db.session.commit()
        intro = request_to(world, unowned)
        intro_id = intro.id
    auth.login("coord@example.org", PASSWORD)
    queue = client.get("/coordinator").get_data(as_text=True)
    assert "no contact email" in queue and "01837 333333" in queue
    client.post(f"/coordinator/introductions/{intro_id}/approve", data={"note": ""})
    with app.app_context():
        mails = [m for m in outbox() if m.subject.startswith("Please reach")]
        assert [m.to_address for m in mails] == ["coord@example.org"]
        assert "01837 333333" in mails[0].body
    page = client.get(f"/introductions/{intro_id}").get_data(as_text=True)
    assert "01837 333333" in page and "for them" in page
    client.post(f"/introductions/{intro_id}/accept", data={"reason": "Said yes on the phone"})
    page = client.get(f"/introductions/{intro_id}").get_data(as_text=True)
    assert "on behalf of Belstone Village Hall" in page
    with app.app_context():
        assert db.session.get(Introduction, intro_id).events[-1].via == "on-behalf"
    auth.logout()
    auth.login("carol@example.org", PASSWORD)
    assert "01837 333333" not in client.get("/businesses/belstone-village-hall").get_data(
        as_text=True
    )


def test_only_coordinators_of_a_business_network_may_see_its_contacts(app, world, unowned):
    with app.app_context():
        hall = business(unowned)
        seen = {
            name: permissions.sees_contacts_of(user(getattr(world, name)), hall)
            for name in ("alice", "bob", "carol", "coord", "other_coord", "admin")
        }
        assert seen == {
            "alice": False,
            "bob": False,
            "carol": False,
            "coord": True,
            "other_coord": False,
            "admin": True,
        }


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
    client.post(f"/admin/networks/devon-hubs/coordinators/{world.carol}/remove")
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
