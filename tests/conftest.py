"""Fixtures the flaskr way: an app on a fresh database built by the real migrations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from directory import accounts, create_app, places
from directory.businesses import service as business_service
from directory.extensions import db
from directory.models import User

SHARED_DATA = Path(
    os.environ.get("PEERLINK_SHARED_DATA")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data"
)
FAST_HASH = "pbkdf2:sha256:1000"

BACKENDS = ["sqlite"]
if os.environ.get("TEST_DATABASE_URL"):
    BACKENDS.append("postgresql")


def _reset_postgresql(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    if request.param == "postgresql":
        url = os.environ["TEST_DATABASE_URL"]
        _reset_postgresql(url)
        return url
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": FAST_HASH,
            "SECRET_KEY": "test",
            "MAP_TILE_URL": "",
        }
    )
    app.instance_path = str(tmp_path / "instance")
    os.makedirs(app.instance_path, exist_ok=True)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_business(app):
    """Factory: a business saved through the same service the forms use."""
    counter = iter(range(1, 10_000))

    def make(owner=None, **fields):
        n = next(counter)
        with app.app_context():
            place = places.resolve_place(
                fields.pop("postcode", "EX20 1AB"), fields.pop("town", None)
            )
            data = business_service.BusinessData(
                name=fields.pop("name", f"Test Business {n}"),
                sector=fields.pop("sector", "shop"),
                stage=fields.pop("stage", "growing"),
                place=place,
                **fields,
            )
            owner_row = db.session.get(User, owner) if isinstance(owner, int) else owner
            business = business_service.create_business(data, owner=owner_row)
            return business.id

    return make


@pytest.fixture
def make_user(app):
    def make(email="member@example.org", password="correct horse battery", role="member"):
        with app.app_context():
            user = accounts.create_user(email, password, name="Test User", role=role)
            db.session.commit()
            return user.id

    return make


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email="member@example.org", password="correct horse battery"):
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


UNREACHABLE = {
    "sqlite": "sqlite:///{tmp}/no-such-folder/peerlink.sqlite",
    # A port in this project's range where nothing listens.
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5139/peerlink?connect_timeout=2",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def broken_app(request, tmp_path):
    """The app with its database out of reach (a missing folder, a port nobody listens on)."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": UNREACHABLE[request.param].format(tmp=tmp_path),
            "MAP_TILE_URL": "",
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()
