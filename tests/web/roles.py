"""One small directory with a person in every role, for tests that visit every route.

The permission matrix and the route fuzzer both need an app with an introduction, a report
and an email in it, and a signed-in client for each role; they share this.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import delete
from werkzeug.routing import AnyConverter, IntegerConverter

from directory import accounts, create_app, demo, mail, places
from directory.api import tokens as api_tokens
from directory.businesses import service as business_service
from directory.extensions import db
from directory.introductions import commands as workflow
from directory.models import Network, OutboxMessage, User
from directory.networks import claims
from directory.networks import service as network_service
from tests.conftest import FAST_HASH, _reset_postgresql

# For <any(...)> actions: the one the owner or the right coordinator may take right now.
PREFERRED_ACTIONS = ("withdraw", "approve")
ROLES = ("anonymous", "owner", "member", "coordinator", "other_coordinator", "admin", "evaluator")


@dataclass
class World:
    users: dict[str, int]  # role -> user id (no entry for anonymous)
    slug: str  # the owner's business, routed to the coordinator's network
    target_slug: str  # a willing mentor owned by someone with no other role
    intro_id: int  # the owner's request to a mentor, waiting for the coordinator
    report_id: int
    message_id: int
    business_id: int  # the owner's business (API routes take ids)
    token_id: int  # an API token of the owner
    unowned_slug: str  # an imported business nobody has claimed yet
    claim_id: int  # the member's claim of it, waiting for the coordinator
    join_id: int  # the member's request to join the coordinator's network


def make_app(backend: str, tmp_path) -> Flask:
    if backend == "postgresql":
        url = os.environ["TEST_DATABASE_URL"]
        _reset_postgresql(url)
    else:
        url = f"sqlite:///{tmp_path / 'world.sqlite'}"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": FAST_HASH,
            "SECRET_KEY": "test",
            "MAP_TILE_URL": "",
            "RATELIMIT_ENABLED": False,
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    with app.app_context():
        upgrade()
    return app


def dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _business(name: str, owner: User, postcode: str, **fields) -> int:
    data = business_service.BusinessData(
        name=name,
        sector=fields.pop("sector", "shop"),
        stage=fields.pop("stage", "growing"),
        place=places.resolve_place(postcode, None),
        **fields,
    )
    return business_service.create_business(data, owner=owner).id


def build_world(app: Flask) -> World:
    """Empty every table, then: the people, two businesses, an introduction, a report."""
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()
        networks = demo.ensure_networks()
        users = {}
        for role in ROLES[1:]:
            kind = "coordinator" if "coordinator" in role else role
            kind = kind if kind in User.ROLES else "member"
            users[role] = accounts.create_user(f"{role}@example.org", "pw", name=role, role=kind)
        users["mentor"] = accounts.create_user("mentor@example.org", "pw", name="mentor")
        users["coordinator"].networks = [networks["plunkett-foundation"]]
        users["other_coordinator"].networks = [networks["locality"]]
        db.session.commit()
        shop = _business(
            "Okehampton Community Shop",
            users["owner"],
            "EX20 1AB",
            networks=["plunkett-foundation"],
            needs=["funding"],
            email="shop@example.org",
        )
        _business(
            "Chagford Stores",
            users["mentor"],
            "TQ13 8AA",
            stage="mature",
            offers=["funding"],
            willing_to_mentor=True,
        )
        _business("Tavistock Pub", users["member"], "PL19 0AA", sector="pub")
        shop_row = db.session.get(business_service.Business, shop)
        target = db.session.execute(
            db.select(business_service.Business).where(
                business_service.Business.name == "Chagford Stores"
            )
        ).scalar_one()
        intro = workflow.request_introduction(
            users["owner"], shop_row, target, "mentor", "How did you raise shares?"
        )
        report = workflow.report_problem(users["member"], "Out of date profile", business=shop_row)
        token = api_tokens.issue_token(users["owner"], "crm sync")[0]
        unowned = db.session.get(
            business_service.Business,
            _business("Unclaimed Co-op", None, "EX20 2AA", networks=["plunkett-foundation"]),
        )
        pub = db.session.execute(
            db.select(business_service.Business).where(
                business_service.Business.name == "Tavistock Pub"
            )
        ).scalar_one()
        claim = claims.claim_with_evidence(users["member"], unowned, "I run it: see our minutes.")
        join = network_service.ask_to_join(
            users["member"], pub, networks["plunkett-foundation"], "We are a community pub."
        )
        message = mail.enqueue("someone@example.org", "Hello", "A message")
        db.session.commit()
        if message is None:
            message = db.session.execute(db.select(OutboxMessage)).scalars().first()
        assert db.session.get(Network, networks["plunkett-foundation"].id) is not None
        return World(
            users={role: users[role].id for role in ROLES[1:]},
            slug=shop_row.slug,
            target_slug=target.slug,
            intro_id=intro.id,
            report_id=report.id,
            message_id=message.id,
            business_id=shop_row.id,
            token_id=token.id,
            unowned_slug=unowned.slug,
            claim_id=claim.id,
            join_id=join.id,
        )


def current_world(app: Flask) -> World:
    """The app's world, rebuilt only after a request may have changed it (see spent)."""
    world = app.extensions.get("test_world")
    if world is None:
        world = app.extensions["test_world"] = build_world(app)
    return world


def spent(app: Flask, method: str, response) -> None:
    """After a request that may have changed something (a POST that was not refused)."""
    if method != "GET" and response.status_code < 400:
        app.extensions.pop("test_world", None)


def url_args(rule, world: World) -> dict:
    """Values for a rule's arguments, by converter and name, pointing into the world."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            preferred = [a for a in PREFERRED_ACTIONS if a in converter.items]
            values[name] = preferred[0] if preferred else sorted(converter.items)[0]
        elif isinstance(converter, IntegerConverter):
            ids = {"intro_id": world.intro_id, "report_id": world.report_id}
            ids["message_id"] = world.message_id
            ids["business_id"] = world.business_id
            ids["token_id"] = world.token_id
            ids["claim_id"] = world.claim_id
            ids["join_id"] = world.join_id
            ids["user_id"] = world.users["coordinator"]
            assert name in ids, f"tests/web/roles.py: say which row <int:{name}> points at"
            values[name] = ids[name]
        elif name == "slug" and rule.rule.startswith("/admin/networks/"):
            values[name] = "plunkett-foundation"
        elif name == "slug" and rule.rule.endswith("/claim"):
            values[name] = world.unowned_slug
        elif name == "slug":
            values[name] = world.slug
        elif name == "filename":
            values[name] = "css/app.css"
        elif name == "token":
            values[name] = "not-a-real-token"
        elif name == "exchange":
            values[name] = "want"
        elif name == "topic":
            values[name] = "funding"
        else:
            raise AssertionError(f"tests/web/roles.py: give a value for <{name}> in {rule.rule}")
    return values


def client_for(app: Flask, world: World, role: str):
    """A test client signed in as `role` (without a password round trip)."""
    client = app.test_client()
    if role != "anonymous":
        with app.app_context():
            user = accounts.start_session(db.session.get(User, world.users[role]))
            db.session.commit()
            session_id = user.session_id
        with client.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
    return client
