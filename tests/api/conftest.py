"""A small directory with two networks, their coordinators, an admin, an owner and tokens."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from directory.api import tokens
from directory.extensions import db
from directory.models import Business, Network, User


@dataclass
class World:
    owner: int
    coordinator: int
    other_coordinator: int
    admin: int
    member: int
    shop: int  # owned, in the Devon network
    mentor: int  # in the Devon network
    peer: int
    far: int  # in the northern network
    unlisted: int
    secrets: dict[str, str]

    def bearer(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secrets[who]}"}


@pytest.fixture
def world(app, make_user, make_business) -> World:
    with app.app_context():
        devon = Network(slug="devon", name="Devon Community Shops")
        north = Network(slug="north", name="Northern Food Network")
        db.session.add_all([devon, north])
        db.session.commit()
        devon_id, north_id = devon.id, north.id
    owner = make_user("owner@example.org")
    coordinator = make_user("coord@example.org", role="coordinator")
    other = make_user("other@example.org", role="coordinator")
    admin = make_user("admin@example.org", role="admin")
    member = make_user("member@example.org")
    ids = dict(
        shop=make_business(
            owner=owner,
            name="Okehampton Community Shop",
            sector="shop",
            stage="starting",
            postcode="EX20 1AB",
            needs=["funding", "legal"],
            legal_form="cbs",
            website="https://okeshop.example.org",
            email="hello@okeshop.example.org",
            phone="01837 000000",
            networks=["devon"],
        ),
        mentor=make_business(
            name="Chagford Community Stores",
            sector="shop",
            stage="mature",
            postcode="TQ13 8AA",
            offers=["funding", "legal"],
            willing_to_mentor=True,
            networks=["devon"],
        ),
        peer=make_business(
            name="Hatherleigh Community Shop",
            sector="shop",
            stage="growing",
            postcode="EX20 3JB",
            needs=["funding"],
        ),
        far=make_business(
            name="Alnwick Food Co-op",
            sector="cafe-food",
            stage="starting",
            postcode="NE66 1AA",
            networks=["north"],
        ),
        unlisted=make_business(name="Hidden Pub", sector="pub", postcode="EX20 1AB"),
    )
    with app.app_context():
        db.session.get(Business, ids["unlisted"]).listed = False
        db.session.get(User, coordinator).networks = [db.session.get(Network, devon_id)]
        db.session.get(User, other).networks = [db.session.get(Network, north_id)]
        db.session.commit()
        secrets = {
            name: tokens.issue_token(db.session.get(User, uid), name)[1]
            for name, uid in [
                ("owner", owner),
                ("coordinator", coordinator),
                ("other_coordinator", other),
                ("admin", admin),
                ("member", member),
            ]
        }
    return World(owner, coordinator, other, admin, member, secrets=secrets, **ids)
