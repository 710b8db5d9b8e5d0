"""The demo's 18-month history: plausible, consistent with the workflow, and quiet."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from directory import demo, demo_history
from directory.extensions import db
from directory.introductions import clock as workflow
from directory.introductions import states as st
from directory.models import Introduction, IntroductionEvent, OutboxMessage, Outcome, utcnow


def test_demo_history_spans_18_months_with_every_kind_of_ending(app):
    with app.app_context():
        demo.load(n=120, seed=5, password="demo-password-1")
        intros = db.session.execute(select(Introduction)).scalars().all()
        assert len(intros) >= 20
        oldest = min(i.created_at for i in intros)
        assert utcnow() - oldest > timedelta(days=365)
        states = Counter(i.state for i in intros)
        assert states[st.ACCEPTED] + states[st.COMPLETED] > len(intros) / 3
        assert {st.DECLINED, st.EXPIRED} & set(states)
        assert db.session.execute(select(func.count(Outcome.id))).scalar() > 0
        # every introduction's audit trail starts with the request and ends in its state
        for intro in intros:
            events = intro.events
            assert events[0].to_state == st.REQUESTED and events[-1].to_state == intro.state
            assert [e.at for e in events] == sorted(e.at for e in events)
            assert (intro.accepted_at is not None) == any(e.to_state == st.ACCEPTED for e in events)
        assert db.session.execute(select(func.count(IntroductionEvent.id))).scalar() >= len(intros)


def test_first_tick_after_the_demo_emails_nobody_about_the_past(app):
    with app.app_context():
        demo.load(n=120, seed=5, password="demo-password-1")
        before = db.session.execute(select(func.count(OutboxMessage.id))).scalar()
        report = workflow.tick()
        assert (report.reminded, report.expired, report.followed_up) == (0, 0, 0)
        assert db.session.execute(select(func.count(OutboxMessage.id))).scalar() == before


def test_demo_dashboard_has_something_to_show(app, client):
    with app.app_context():
        accounts = demo.load(n=120, seed=5, password="demo-password-1")
    client.post("/login", data={"email": accounts.admin[0], "password": accounts.admin[1]})
    data = client.get("/evidence.json").get_json()
    assert data["funnel"]["requested"] > 0 and data["funnel"]["outcome_recorded"] > 0
    assert any(row["count"] for row in data["value"]["ladder"])
    assert client.get("/evidence").status_code == 200


def test_demo_decisions_are_credited_to_a_coordinator_of_the_network_routed_to(app):
    with app.app_context():
        demo.load(n=120, seed=5, password="demo-password-1")
        decisions = db.session.execute(
            select(IntroductionEvent).where(
                IntroductionEvent.to_state.in_((st.APPROVED, st.DECLINED))
            )
        ).scalars()
        deciders = Counter()
        for event in decisions:
            network = event.introduction.network
            if network is None:
                assert event.actor.is_admin
            else:
                assert event.actor.role == "coordinator" and network in event.actor.networks
            deciders[event.actor.email] += 1
        assert len([who for who in deciders if who.startswith("coordinator")]) > 1


def test_more_history_can_be_added_to_an_existing_one(app):
    with app.app_context():
        demo.load(n=120, seed=5, password="demo-password-1")
        before = db.session.execute(select(func.count(Introduction.id))).scalar()
        for seed in (6, 7, 8):  # each run draws pairs that may already be open
            assert demo_history.generate(count=200, seed=seed) > 0
        assert db.session.execute(select(func.count(Introduction.id))).scalar() > before + 500
