"""Shared pieces of the networks tests: a business without an account, and helpers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory.extensions import db
from directory.introductions import commands
from directory.models import Business, Introduction, Network
from tests.web.test_introductions import PASSWORD, World, business, user


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
