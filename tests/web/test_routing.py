# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""Who reviews a request, what the requester is told, and what each side sees."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory.extensions import db
from directory.introductions import commands, permissions, queries
from directory.introductions import states as st
from directory.models import Business, Introduction, Report
from tests.web.networks_world import ask, last_intro, network, set_networks
from tests.web.test_introductions import (  # noqa: F401  (pytest fixtures)
    PASSWORD,
    advance,
    business,
    make_intro,
    outbox,
    user,
    world,
)

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
    matches = client.get("/matches?business=okehampton-community-shop").get_data(as_text=True)
    assert 'Introduction open<span class="visually-hidden"> with Chagford' in matches
    assert 'Request an introduction<span class="visually-hidden"> to Chagford' not in matches
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
    with app.app_context():
        [declined] = [m for m in outbox() if m.subject.startswith("Your request to meet")]
        assert "Lydford Stores" in declined.body and "Belstone Stores" not in declined.body
