"""Error pages are ours even when the database is gone: styled, 503 with Retry-After."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from directory.extensions import db


def _signed_in(client) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = "1"
        session["_fresh"] = True


@pytest.mark.parametrize(
    ("path", "signed_in"),
    [
        ("/", False),
        ("/", True),
        ("/businesses", False),
        ("/businesses", True),
        ("/businesses/some-shop", False),
        ("/account", True),  # a visitor is sent to sign in, which needs no database
        ("/introductions", True),
    ],
)
def test_pages_answer_503_with_retry_after_when_the_database_is_down(broken_app, signed_in, path):
    client = broken_app.test_client()
    if signed_in:
        _signed_in(client)
    response = client.get(path)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.mimetype == "text/html"
    assert b"unavailable for a moment" in response.data
    assert b"css/app.css" in response.data  # our styled page, not the server's bare one


@pytest.mark.parametrize("path", ["/healthz", "/businesses/map.json"])
def test_json_endpoints_answer_503_json_when_the_database_is_down(broken_app, path):
    response = broken_app.test_client().get(path)
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    body = response.json
    assert body.get("status") == "unavailable" or body["error"]["status"] == 503


def test_a_signed_in_users_404_page_renders_without_the_database(broken_app):
    client = broken_app.test_client()
    _signed_in(client)
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"We could not find that page" in response.data
    assert b"Sign in" in response.data  # drawn as for a visitor, since nobody could be looked up


def _point_at_nothing(dialect, _record, cargs, cparams) -> None:
    """Every new connection goes to a missing SQLite folder or a PostgreSQL port nobody holds."""
    if dialect.name == "sqlite":
        cargs[:] = ["/nonexistent-folder/peerlink.sqlite"]
    else:
        cparams.update(host="127.0.0.1", port=5139, connect_timeout=2)


def test_the_database_failing_mid_session_gives_the_503_page(app, client, make_user, auth):
    make_user()
    auth.login()
    assert client.get("/account").status_code == 200
    with app.app_context():
        event.listen(db.engine, "do_connect", _point_at_nothing)
        db.engine.dispose()
    response = client.get("/account")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert b"unavailable for a moment" in response.data
    assert client.get("/healthz").status_code == 503
    with app.app_context():
        event.remove(db.engine, "do_connect", _point_at_nothing)
        db.engine.dispose()
    assert client.get("/account").status_code == 200
