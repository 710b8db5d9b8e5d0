"""A small world for the evidence pages: two networks, one accepted introduction with a shared
story, and a user of every role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from directory import demo
from directory.evidence import outcomes
from directory.extensions import db
from directory.introductions import commands as workflow
from directory.models import Business, Network, User

PASSWORD = "correct horse battery"
ROLES = ("member", "coordinator", "other_coordinator", "admin", "evaluator")


@dataclass
class World:
    users: dict[str, int]
    shop: int
    mentor: int
    pub: int
    intro: int


def email(role: str) -> str:
    return f"{role.replace('_', '-')}@example.org"


@pytest.fixture
def world(app, make_user, make_business) -> World:
    with app.app_context():
        demo.ensure_networks()
        db.session.commit()
    users = {
        "member": make_user(email("member"), PASSWORD),
        "mentor_owner": make_user(email("mentor_owner"), PASSWORD),
        "carol": make_user(email("carol"), PASSWORD),
        "coordinator": make_user(email("coordinator"), PASSWORD, role="coordinator"),
        "other_coordinator": make_user(email("other_coordinator"), PASSWORD, role="coordinator"),
        "admin": make_user(email("admin"), PASSWORD, role="admin"),
        "evaluator": make_user(email("evaluator"), PASSWORD, role="evaluator"),
    }
    shop = make_business(
        owner=users["member"],
        name="Okehampton Community Shop",
        stage="starting",
        postcode="EX20 1AB",
        needs=["funding", "legal"],
        networks=["plunkett-foundation"],
        email="shop@example.org",
        phone="01837 111111",
    )
    mentor = make_business(
        owner=users["mentor_owner"],
        name="Chagford Community Stores",
        stage="mature",
        postcode="TQ13 8AA",
        offers=["funding", "legal"],
        willing_to_mentor=True,
        networks=["plunkett-foundation"],
        named_in_evidence=True,
        email="stores@example.org",
    )
    pub = make_business(
        owner=users["carol"],
        name="Tavistock Pub",
        sector="pub",
        postcode="PL19 0AA",
        networks=["locality"],
        email="pub@example.org",
    )
    with app.app_context():
        nets = {n.slug: n for n in db.session.execute(db.select(Network)).scalars()}
        db.session.get(User, users["coordinator"]).networks = [nets["plunkett-foundation"]]
        db.session.get(User, users["other_coordinator"]).networks = [nets["locality"]]
        db.session.commit()
        get = db.session.get
        intro = workflow.request_introduction(
            get(User, users["member"]),
            get(Business, shop),
            get(Business, mentor),
            "mentor",
            "We want to learn about share offers.",
        )
        workflow.approve(intro, get(User, users["coordinator"]))
        workflow.accept(intro, get(User, users["mentor_owner"]))
        outcomes.record_outcome(
            intro,
            get(User, users["member"]),
            outcomes.OutcomeAnswers(
                met=True,
                usefulness=5,
                helped_needs=["funding"],
                learned=True,
                difference_kinds=["money"],
                story="We raised our share offer target.",
                share_story=True,
                comment="Private: call Sam on 07700 900123",
            ),
        )
        intro_id = intro.id
    return World(users=users, shop=shop, mentor=mentor, pub=pub, intro=intro_id)
