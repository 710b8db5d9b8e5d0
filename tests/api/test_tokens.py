"""API tokens: issued once, stored as a hash, listed with last use, revoked by their owner."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from directory.api import tokens
from directory.extensions import db
from directory.models import ApiToken, User


def test_cli_prints_a_token_once_and_stores_only_its_hash(app, runner, make_user):
    make_user("coord@example.org", role="coordinator")
    result = runner.invoke(args=["users", "token", "coord@example.org", "--name", "crm sync"])
    assert result.exit_code == 0
    secret = result.stdout.strip()
    assert secret.startswith("plk_") and len(secret) > 40
    with app.app_context():
        row = db.session.execute(db.select(ApiToken)).scalar_one()
        assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert row.name == "crm sync"
        assert secret not in str([getattr(row, c.key) for c in ApiToken.__table__.columns])


def test_cli_lists_and_revokes_tokens(app, runner, client, make_user):
    make_user("coord@example.org", role="coordinator")
    secret = runner.invoke(args=["users", "token", "coord@example.org"]).stdout.strip()
    listing = runner.invoke(args=["users", "tokens", "coord@example.org"]).stdout
    assert secret[:12] in listing and "never" in listing and "active" in listing
    token_id = listing.split()[0]
    result = runner.invoke(args=["users", "revoke-token", "coord@example.org", token_id])
    assert result.exit_code == 0
    assert "revoked" in runner.invoke(args=["users", "tokens", "coord@example.org"]).stdout
    response = client.get("/api/v1/vocabularies", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "args",
    [["users", "token", "nobody@example.org"], ["users", "revoke-token", "a@b.org", "1"]],
)
def test_cli_refuses_unknown_accounts(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and "No account" in result.stderr


def test_cli_cannot_revoke_someone_elses_token(app, runner, make_user):
    make_user("a@example.org")
    make_user("b@example.org")
    runner.invoke(args=["users", "token", "a@example.org"])
    result = runner.invoke(args=["users", "revoke-token", "b@example.org", "1"])
    assert result.exit_code == 1
    with app.app_context():
        assert db.session.get(ApiToken, 1).active


@pytest.mark.parametrize(
    "header",
    ["Bearer plk_wrong", "Bearer ", "Basic dXNlcjpwYXNz", "plk_no_scheme", "Bearer " + "x" * 500],
)
def test_bad_tokens_are_a_json_401_even_on_public_reads(client, world, header):
    response = client.get("/api/v1/businesses", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_records_its_last_use_at_most_once_a_minute(app, client, world):
    headers = world.bearer("owner")
    with app.app_context():
        row = tokens.find_active(world.secrets["owner"])
        assert row.last_used_at is None
    client.get("/api/v1/vocabularies", headers=headers)
    with app.app_context():
        first = tokens.find_active(world.secrets["owner"]).last_used_at
        assert first is not None
    client.get("/api/v1/vocabularies", headers=headers)
    with app.app_context():
        row = tokens.find_active(world.secrets["owner"])
        assert row.last_used_at == first
        row.last_used_at = first - timedelta(minutes=2)
        db.session.commit()
    client.get("/api/v1/vocabularies", headers=headers)
    with app.app_context():
        assert tokens.find_active(world.secrets["owner"]).last_used_at > first - timedelta(
            minutes=1
        )


def test_owner_creates_sees_last_use_and_revokes_tokens_on_the_page(app, client, auth, world):
    auth.login("owner@example.org")
    page = client.get("/account/api-tokens")
    assert page.status_code == 200 and "owner" in page.get_data(as_text=True)
    created = client.post("/account/api-tokens", data={"name": "website map"})
    html = created.get_data(as_text=True)
    assert created.headers["Cache-Control"] == "no-store"
    secret = html.split('<code id="new-token">')[1].split("</code>")[0]
    ok = client.get("/api/v1/vocabularies", headers={"Authorization": f"Bearer {secret}"})
    assert ok.status_code == 200
    html = client.get("/account/api-tokens").get_data(as_text=True)
    assert secret not in html and "website map" in html and secret[:12] in html
    with app.app_context():
        row = tokens.find_active(secret)
        assert row.last_used_at is not None
        token_id = row.id
    assert client.post(f"/account/api-tokens/{token_id}/revoke").status_code == 302
    response = client.get("/api/v1/vocabularies", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


def test_nobody_revokes_another_users_token_from_the_page(app, client, auth, world):
    auth.login("member@example.org")
    with app.app_context():
        owners_token = tokens.find_active(world.secrets["owner"]).id
    assert client.post(f"/account/api-tokens/{owners_token}/revoke").status_code == 404
    with app.app_context():
        assert tokens.find_active(world.secrets["owner"]) is not None


def test_token_page_needs_sign_in(client):
    response = client.get("/account/api-tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_deleting_an_account_deletes_its_tokens(app, world):
    from directory.auth import privacy

    with app.app_context():
        privacy.delete_account(db.session.get(User, world.member))
        assert tokens.find_active(world.secrets["member"]) is None
        assert db.session.execute(db.select(db.func.count()).select_from(ApiToken)).scalar() == 4
