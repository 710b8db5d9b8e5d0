"""Introductions: the state machine, who may act, races, contact privacy, the clock."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from directory import demo
from directory.extensions import db
from directory.introductions import clock, commands, permissions, queries
from directory.introductions import states as st
from directory.models import Business, Introduction, Network, OutboxMessage, Report, User, utcnow

PASSWORD = "correct horse battery"


@dataclass
class World:
    alice: int  # owns the requester
    bob: int  # owns the target (a willing mentor)
    carol: int  # member with her own business, not involved
    coord: int  # coordinator of the requester's network
    other_coord: int  # coordinator of an unrelated network
    admin: int
    shop: int  # requester business
    mentor: int  # target business
    bystander: int


@pytest.fixture
def world(app, make_user, make_business) -> World:
    with app.app_context():
        networks = demo.ensure_networks()
        db.session.commit()
        plunkett, locality = networks["plunkett-foundation"].id, networks["locality"].id
    ids = {
        "alice": make_user("alice@example.org", PASSWORD),
        "bob": make_user("bob@example.org", PASSWORD),
        "carol": make_user("carol@example.org", PASSWORD),
        "coord": make_user("coord@example.org", PASSWORD, role="coordinator"),
        "other_coord": make_user("other@example.org", PASSWORD, role="coordinator"),
        "admin": make_user("admin@example.org", PASSWORD, role="admin"),
    }
    with app.app_context():
        db.session.get(User, ids["coord"]).networks = [db.session.get(Network, plunkett)]
        db.session.get(User, ids["other_coord"]).networks = [db.session.get(Network, locality)]
        db.session.commit()
    ids["shop"] = make_business(
        owner=ids["alice"],
        name="Okehampton Community Shop",
        stage="starting",
        postcode="EX20 1AB",
        needs=["funding", "legal"],
        networks=["plunkett-foundation"],
        email="shop@example.org",
        phone="01837 111111",
    )
    ids["mentor"] = make_business(
        owner=ids["bob"],
        name="Chagford Community Stores",
        stage="mature",
        postcode="TQ13 8AA",
        offers=["funding", "legal"],
        willing_to_mentor=True,
        email="stores@example.org",
        phone="01647 222222",
    )
    ids["bystander"] = make_business(
        owner=ids["carol"], name="Tavistock Pub", sector="pub", postcode="PL19 0AA"
    )
    return World(**ids)


def user(user_id: int) -> User:
    return db.session.get(User, user_id)


def business(business_id: int) -> Business:
    return db.session.get(Business, business_id)


def make_intro(w: World, kind: str = "mentor") -> int:
    intro = commands.request_introduction(
        user(w.alice),
        business(w.shop),
        business(w.mentor),
        kind,
        "How did you raise community shares?",
    )
    return intro.id


def advance(w: World, intro_id: int, state: str) -> Introduction:
    """Drive an introduction to `state` along the normal path."""
    intro = db.session.get(Introduction, intro_id)
    path = {
        st.REQUESTED: [],
        st.APPROVED: [("approve", w.coord)],
        st.DECLINED: [("decline", w.coord)],
        st.ACCEPTED: [("approve", w.coord), ("accept", w.bob)],
        st.REJECTED: [("approve", w.coord), ("reject", w.bob)],
        st.WITHDRAWN: [("withdraw", w.alice)],
        st.EXPIRED: [("expire", None)],
        st.COMPLETED: [("approve", w.coord), ("accept", w.bob), ("complete", w.alice)],
    }[state]
    for action, actor in path:
        if action == "expire":
            clock.tick(now=utcnow() + timedelta(days=22))
        elif action == "accept":
            commands.accept(intro, user(actor))
        else:
            getattr(commands, action)(intro, user(actor), "a reason")
    db.session.refresh(intro)
    assert intro.state == state
    return intro


def outbox() -> list[OutboxMessage]:
    return db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()


# -- the state machine -----------------------------------------------------------------------

ACTORS = {
    "approve": "coord",
    "decline": "coord",
    "accept": "bob",
    "reject": "bob",
    "withdraw": "alice",
    "complete": "alice",
}


@pytest.mark.parametrize("state", list(st.STATES))
@pytest.mark.parametrize("action", list(ACTORS))
def test_every_transition_is_allowed_only_from_its_source_states(app, world, state, action):
    with app.app_context():
        intro = advance(world, make_intro(world), state)
        actor = user(getattr(world, ACTORS[action]))
        events_before = len(intro.events)
        if state in st.TRANSITIONS[action].sources:
            if action == "accept":
                commands.accept(intro, actor)
            else:
                getattr(commands, action)(intro, actor, "because")
            assert intro.state == st.TRANSITIONS[action].target
            assert len(intro.events) == events_before + 1
            assert intro.events[-1].actor_id == actor.id
        else:
            # Refused either way: not from this state, or not by this person in this state
            # (the target is not told of a request before approval).
            with pytest.raises((commands.AlreadyDecided, commands.NotAllowed)):
                if action == "accept":
                    commands.accept(intro, actor)
                else:
                    getattr(commands, action)(intro, actor, "because")
            db.session.refresh(intro)
            assert intro.state == state
            assert len(intro.events) == events_before


def test_every_state_is_reachable_and_transitions_live_in_one_table():
    targets = {t.target for t in st.TRANSITIONS.values()} | {st.REQUESTED}
    assert targets == set(st.STATES)


# -- who may do what -------------------------------------------------------------------------

ROLES = ["alice", "bob", "carol", "coord", "other_coord", "admin"]
EVERYONE_INVOLVED = {"alice", "bob", "coord", "admin"}
BEFORE_APPROVAL = EVERYONE_INVOLVED - {"bob"}
MATRIX = {
    # action: (roles allowed before a coordinator approves, roles allowed after)
    "view": (BEFORE_APPROVAL, EVERYONE_INVOLVED),
    "approve": ({"coord", "admin"}, {"coord", "admin"}),
    "decline": ({"coord", "admin"}, {"coord", "admin"}),
    "accept": (set(), {"bob"}),
    "reject": (set(), {"bob"}),
    "withdraw": ({"alice"}, {"alice"}),
    "complete": (BEFORE_APPROVAL, EVERYONE_INVOLVED),
    "outcome": (BEFORE_APPROVAL, EVERYONE_INVOLVED),
    "report": (BEFORE_APPROVAL, EVERYONE_INVOLVED),
}


@pytest.mark.parametrize("approved", [False, True])
def test_permission_matrix(app, world, approved):
    with app.app_context():
        intro = db.session.get(Introduction, make_intro(world))
        if approved:
            commands.approve(intro, user(world.coord))
        allowed = {
            action: {
                r for r in ROLES if permissions.allowed(user(getattr(world, r)), action, intro)
            }
            for action in MATRIX
        }
        assert allowed == {action: roles[approved] for action, roles in MATRIX.items()}


def test_coordinator_answers_for_a_business_without_an_account(app, world, make_business):
    unowned = make_business(
        name="Belstone Hall",
        sector="hub",
        stage="mature",
        postcode="EX20 1QZ",
        offers=["funding"],
        willing_to_mentor=True,
    )
    with app.app_context():
        intro = commands.request_introduction(
            user(world.alice), business(world.shop), business(unowned), "mentor", "Hello"
        )
        commands.approve(intro, user(world.coord))
        assert permissions.allowed(user(world.coord), "accept", intro)
        assert not permissions.allowed(user(world.bob), "accept", intro)
        commands.accept(intro, user(world.coord))
        assert intro.state == st.ACCEPTED


@pytest.mark.parametrize(
    ("url", "role", "status"),
    [
        ("/coordinator", "alice", 403),
        ("/coordinator", "coord", 200),
        ("/introductions/{id}", "carol", 403),
        ("/introductions/{id}", "other_coord", 403),
        ("/introductions/{id}", "bob", 403),  # the target, before any coordinator approved
        ("/introductions/{id}/outcome", "carol", 403),
    ],
)
def test_pages_refuse_people_who_are_not_involved(app, client, auth, world, url, role, status):
    with app.app_context():
        intro_id = make_intro(world)
        email = user(getattr(world, role)).email
    auth.login(email, PASSWORD)
    assert client.get(url.format(id=intro_id)).status_code == status


def test_posting_an_action_you_may_not_take_is_refused(app, client, auth, world):
    with app.app_context():
        intro_id = make_intro(world)
    auth.login("carol@example.org", PASSWORD)
    assert client.post(f"/coordinator/introductions/{intro_id}/approve").status_code == 403
    auth.logout()
    auth.login("alice@example.org", PASSWORD)
    assert client.post(f"/introductions/{intro_id}/accept").status_code == 403
    with app.app_context():
        assert db.session.get(Introduction, intro_id).state == st.REQUESTED


# -- rules for requests ----------------------------------------------------------------------


def test_request_stores_score_reasons_needs_and_routes_to_the_requesters_network(app, world):
    with app.app_context():
        intro = db.session.get(Introduction, make_intro(world))
        assert intro.network.slug == "plunkett-foundation"
        assert intro.score is not None and 0 < intro.score <= 1
        assert any("which you need" in r for r in intro.reasons)
        assert sorted(intro.needs_at_request) == ["funding", "legal"]
        assert [m.to_address for m in outbox()] == ["coord@example.org"]


def test_no_duplicate_open_request_in_either_direction(app, world):
    with app.app_context():
        make_intro(world)
        with pytest.raises(commands.RuleError, match="already an open introduction"):
            make_intro(world, kind="peer")
        with pytest.raises(commands.RuleError, match="already an open introduction"):
            commands.request_introduction(
                user(world.bob), business(world.mentor), business(world.shop), "peer", "Hi"
            )


def test_a_member_has_a_cap_on_open_requests(app, world, make_business):
    app.config["INTRO_MAX_OPEN_REQUESTS"] = 2
    others = [make_business(name=f"Peer {i}", postcode="EX20 1AB") for i in range(3)]
    with app.app_context():
        for other in others[:2]:
            commands.request_introduction(
                user(world.alice), business(world.shop), business(other), "peer", "Hi"
            )
        with pytest.raises(commands.RuleError, match="limit is 2"):
            commands.request_introduction(
                user(world.alice), business(world.shop), business(others[2]), "peer", "Hi"
            )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"willing_to_mentor": False}, "has not offered to mentor"),
        ({"accepting_requests": False}, "not taking new introductions"),
        ({"mentor_capacity": 0}, "no room for more introductions"),
    ],
)
def test_mentor_requests_respect_willingness_pause_and_capacity(app, world, change, message):
    with app.app_context():
        target = business(world.mentor)
        for key, value in change.items():
            setattr(target, key, value)
        db.session.commit()
        with pytest.raises(commands.RuleError, match=message):
            make_intro(world)
        assert db.session.execute(select(func.count()).select_from(Introduction)).scalar() == 0


def test_matching_stops_suggesting_a_mentor_at_capacity(app, world, runner):
    with app.app_context():
        business(world.mentor).mentor_capacity = 1
        db.session.commit()
    before = runner.invoke(args=["matching", "suggest", str(world.bystander), "--kind", "peer"])
    with app.app_context():
        make_intro(world)  # the mentor now has 1 open introduction: full
    from directory import matchmaking

    with app.app_context():
        suggestions = matchmaking.suggest_for(business(world.bystander), "mentor", limit=20)
    assert before.exit_code == 0
    assert world.mentor not in [s.id for s in suggestions]


def test_cannot_request_for_someone_elses_business(app, world):
    with app.app_context(), pytest.raises(commands.NotAllowed):
        commands.request_introduction(
            user(world.carol), business(world.shop), business(world.mentor), "peer", "Hi"
        )


# -- races -----------------------------------------------------------------------------------


def test_two_coordinators_deciding_at_once_exactly_one_wins(app, world):
    with app.app_context():
        intro_id = make_intro(world)
        messages_before = len(outbox())
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def decide(name: str, actor_id: int, action: str) -> None:
        with app.app_context():
            intro = db.session.get(Introduction, intro_id)
            barrier.wait()
            try:
                if action == "approve":
                    commands.approve(intro, user(actor_id), "note")
                else:
                    commands.decline(intro, user(actor_id), "no")
                results[name] = "won"
            except commands.AlreadyDecided:
                results[name] = "lost"
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=decide, args=("coord", world.coord, "approve")),
        threading.Thread(target=decide, args=("admin", world.admin, "decline")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == ["lost", "won"]
    with app.app_context():
        intro = db.session.get(Introduction, intro_id)
        assert intro.state in (st.APPROVED, st.DECLINED)
        assert [e.to_state for e in intro.events] == [st.REQUESTED, intro.state]
        new_messages = outbox()[messages_before:]
        expected = 2 if intro.state == st.APPROVED else 1  # target + requester, or requester
        assert len(new_messages) == expected


def test_the_loser_of_a_race_sees_it_was_already_decided(app, client, auth, world):
    with app.app_context():
        intro_id = make_intro(world)
        commands.decline(db.session.get(Introduction, intro_id), user(world.admin), "no")
    auth.login("coord@example.org", PASSWORD)
    page = client.post(
        f"/coordinator/introductions/{intro_id}/approve", data={"note": ""}, follow_redirects=True
    ).get_data(as_text=True)
    assert "This introduction was already declined by someone else." in page


# -- contact details -------------------------------------------------------------------------

SECRETS = ("shop@example.org", "01837 111111", "stores@example.org", "01647 222222")


def pages_seen(client, intro_id: int) -> str:
    urls = [
        f"/introductions/{intro_id}",
        "/introductions",
        "/businesses",
        "/businesses/chagford-community-stores",
        "/businesses/okehampton-community-shop",
        "/businesses/map.json",
        "/matches",
        "/coordinator",
    ]
    return "".join(client.get(u).get_data(as_text=True) for u in urls)


@pytest.mark.parametrize("state", [st.REQUESTED, st.APPROVED, st.DECLINED, st.REJECTED])
def test_contact_details_appear_nowhere_before_acceptance(
    app, client, auth, world, runner, tmp_path, state
):
    with app.app_context():
        intro_id = advance(world, make_intro(world), state).id
    for email in ("alice@example.org", "bob@example.org", "coord@example.org"):
        auth.login(email, PASSWORD)
        seen = pages_seen(client, intro_id)
        assert not [s for s in SECRETS if s in seen], email
        auth.logout()
    export = tmp_path / "export.csv"
    runner.invoke(args=["directory", "export", str(export)])
    assert not [s for s in SECRETS if s in export.read_text()]


def test_after_acceptance_both_sides_see_contacts_and_get_them_by_email(app, client, auth, world):
    with app.app_context():
        intro_id = advance(world, make_intro(world), st.ACCEPTED).id
        emails = {m.to_address: m.body for m in outbox() if m.subject.startswith("Introduction:")}
    assert "stores@example.org" in emails["alice@example.org"]
    assert "shop@example.org" in emails["bob@example.org"]
    for email in ("alice@example.org", "bob@example.org"):
        auth.login(email, PASSWORD)
        page = client.get(f"/introductions/{intro_id}").get_data(as_text=True)
        assert all(s in page for s in SECRETS)
        auth.logout()
    auth.login("carol@example.org", PASSWORD)
    assert client.get(f"/introductions/{intro_id}").status_code == 403


# -- the whole flow over HTTP ----------------------------------------------------------------


def test_request_approve_accept_outcome_over_http(app, client, auth, world):
    auth.login("alice@example.org", PASSWORD)
    form = client.get("/introductions/new?to=chagford-community-stores&kind=mentor")
    assert "Ask for an introduction to Chagford Community Stores" in form.get_data(as_text=True)
    empty = client.post(
        "/introductions/new?to=chagford-community-stores",
        data={"from_business": "okehampton-community-shop", "kind": "mentor", "message": ""},
    )
    assert "Write a short message" in empty.get_data(as_text=True)
    sent = client.post(
        "/introductions/new?to=chagford-community-stores",
        data={
            "from_business": "okehampton-community-shop",
            "kind": "mentor",
            "message": "We want to learn about share offers.",
        },
    )
    intro_path = sent.headers["Location"]
    intro_id = int(intro_path.rsplit("/", 1)[1])
    auth.logout()

    auth.login("coord@example.org", PASSWORD)
    queue = client.get("/coordinator").get_data(as_text=True)
    assert "We want to learn about share offers." in queue
    assert 'class="badge"' in queue
    client.post(
        f"/coordinator/introductions/{intro_id}/approve",
        data={"note": "Bob ran their share offer in 2019."},
    )
    auth.logout()

    auth.login("bob@example.org", PASSWORD)
    waiting = client.get("/introductions").get_data(as_text=True)
    assert "Okehampton Community Shop → Chagford Community Stores" in waiting
    client.post(f"/introductions/{intro_id}/accept")
    page = client.get(intro_path).get_data(as_text=True)
    assert "shop@example.org" in page and "Bob ran their share offer in 2019." in page
    auth.logout()

    auth.login("alice@example.org", PASSWORD)
    outcome_form = client.get(f"/introductions/{intro_id}/outcome").get_data(as_text=True)
    assert "checked" not in outcome_form  # nothing pre-ticked (issue #8)
    client.post(
        f"/introductions/{intro_id}/outcome",
        data={
            "met": "yes",
            "usefulness": "5",
            "helped_needs": ["funding"],
            "comment": "Very helpful",
        },
    )
    page = client.get(intro_path).get_data(as_text=True)
    assert "5 out of 5" in page and "Grants and fundraising" in page
    trail = page.split("History")[1]
    assert (
        trail.index("Waiting for a coordinator") < trail.index("Approved") < trail.index("Accepted")
    )


# -- the clock -------------------------------------------------------------------------------


def test_tick_reminds_once_expires_once_and_suggests_the_next_best(app, world, make_business):
    make_business(
        name="Sticklepath Stores",
        stage="established",
        postcode="EX20 2NW",
        offers=["funding"],
        willing_to_mentor=True,
    )
    with app.app_context():
        intro_id = make_intro(world)
        start = db.session.get(Introduction, intro_id).created_at
        assert clock.tick(now=start + timedelta(days=6)).reminded == 0
        assert clock.tick(now=start + timedelta(days=8)).reminded == 1
        assert clock.tick(now=start + timedelta(days=9)).reminded == 0
        reminders = [m for m in outbox() if m.subject.startswith("Reminder")]
        assert [m.to_address for m in reminders] == ["coord@example.org"]

        first = clock.tick(now=start + timedelta(days=22))
        second = clock.tick(now=start + timedelta(days=23))
        assert (first.expired, second.expired) == (1, 0)
        intro = db.session.get(Introduction, intro_id)
        assert intro.state == st.EXPIRED
        assert intro.events[-1].actor_id is None
        expiry = [m for m in outbox() if m.subject.endswith("expired")]
        assert len(expiry) == 1 and expiry[0].to_address == "alice@example.org"
        assert "Sticklepath Stores" in expiry[0].body


def test_tick_reminds_the_target_after_approval(app, world):
    with app.app_context():
        intro = advance(world, make_intro(world), st.APPROVED)
        clock.tick(now=intro.approved_at + timedelta(days=8))
        reminders = [m.to_address for m in outbox() if m.subject.startswith("Reminder")]
        assert reminders == ["bob@example.org"]


def test_follow_ups_go_at_30_and_90_days_once_each(app, world):
    with app.app_context():
        intro = advance(world, make_intro(world), st.ACCEPTED)
        accepted = intro.accepted_at
        counts = [
            clock.tick(now=accepted + timedelta(days=d)).followed_up for d in (29, 31, 32, 91, 92)
        ]
        assert counts == [0, 1, 0, 1, 0]
        follow_ups = [m for m in outbox() if m.subject.startswith("How did")]
        assert sorted(m.to_address for m in follow_ups) == [
            "alice@example.org",
            "alice@example.org",
            "bob@example.org",
            "bob@example.org",
        ]
        assert "grants and fundraising, legal structure and compliance" in follow_ups[0].body


def test_tick_cli_is_safe_to_run_repeatedly(app, world, runner):
    with app.app_context():
        make_intro(world)
    first = runner.invoke(args=["introductions", "tick"])
    again = runner.invoke(args=["introductions", "tick"])
    assert first.exit_code == 0 and again.exit_code == 0
    assert "0 reminded, 0 expired, 0 followed up" in again.output


# -- reports and badges ----------------------------------------------------------------------


def test_reports_reach_the_coordinators_queue_and_can_be_resolved(app, client, auth, world):
    with app.app_context():
        intro_id = advance(world, make_intro(world), st.APPROVED).id
    auth.login("bob@example.org", PASSWORD)
    client.post(f"/introductions/{intro_id}/report", data={"reason": "Rude message"})
    client.post("/businesses/okehampton-community-shop/report", data={"reason": "Wrong town"})
    auth.logout()
    auth.login("coord@example.org", PASSWORD)
    queue = client.get("/coordinator").get_data(as_text=True)
    assert "Rude message" in queue and "Wrong town" in queue
    with app.app_context():
        report_id = db.session.execute(select(Report.id).order_by(Report.id)).scalars().first()
    client.post(f"/coordinator/reports/{report_id}/resolve", data={"reason": "Spoke to them"})
    assert "Rude message" not in client.get("/coordinator").get_data(as_text=True)


def test_badge_counts_pending_actions(app, world):
    with app.app_context():
        intro = db.session.get(Introduction, make_intro(world))
        assert queries.pending_actions(user(world.coord)) == 1
        assert queries.pending_actions(user(world.other_coord)) == 0
        assert queries.pending_actions(user(world.bob)) == 0
        commands.approve(intro, user(world.coord))
        assert queries.pending_actions(user(world.coord)) == 0
        assert queries.pending_actions(user(world.bob)) == 1


def test_coordinator_sees_introductions_in_progress_and_records_an_outcome(
    app, client, auth, world
):
    with app.app_context():
        intro_id = advance(world, make_intro(world), st.ACCEPTED).id
    auth.login("other@example.org", PASSWORD)
    assert "Okehampton Community Shop → Chagford" not in client.get("/coordinator").get_data(
        as_text=True
    )
    auth.logout()
    auth.login("coord@example.org", PASSWORD)
    queue = client.get("/coordinator").get_data(as_text=True)
    assert f'href="/introductions/{intro_id}/outcome"' in queue
    client.post(
        f"/introductions/{intro_id}/outcome",
        data={"met": "yes", "usefulness": "4", "comment": "They met at the AGM"},
    )
    with app.app_context():
        outcome = db.session.get(Introduction, intro_id).outcomes[0]
        assert (outcome.business, outcome.usefulness, outcome.comment) == (
            None,
            4,
            "They met at the AGM",
        )


def test_deleting_an_account_keeps_the_other_sides_introduction_anonymised(
    app, client, auth, world
):
    with app.app_context():
        intro_id = advance(world, make_intro(world), st.ACCEPTED).id
    auth.login("alice@example.org", PASSWORD)
    client.post("/account/delete", data={"del-password": PASSWORD})
    with app.app_context():
        assert db.session.get(User, world.alice) is None
        intro = db.session.get(Introduction, intro_id)
        assert intro.requester.name == "A deleted organisation"
        assert db.session.get(Business, world.mentor) is not None
    auth.login("bob@example.org", PASSWORD)
    page = client.get("/introductions").get_data(as_text=True)
    assert "Okehampton Community Shop" not in page
    assert "A deleted organisation" in page
