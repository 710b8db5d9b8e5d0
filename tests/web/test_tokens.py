"""Signed single-use link tokens: one mechanism for every link Peerlink emails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer

from directory import accounts
from directory.extensions import db


def test_token_round_trip_carries_its_data(app):
    with app.app_context():
        token = accounts.make_token("invitation", introduction=7, email="a@b.org")
        found = accounts.read_token("invitation", token)
        assert found.data == {"introduction": 7, "email": "a@b.org"}
        assert found.purpose == "invitation"


def test_token_is_spent_once_and_then_refused(app):
    with app.app_context():
        token = accounts.make_token("reset-password", user=1)
        accounts.spend_token("reset-password", token)
        db.session.commit()
        with pytest.raises(accounts.TokenError) as again:
            accounts.spend_token("reset-password", token)
        assert again.value.reason == "used"
        with pytest.raises(accounts.TokenError):
            accounts.read_token("reset-password", token)


@pytest.mark.parametrize("other", ["verify-email", "invitation", "claim", "set-password"])
def test_token_of_one_purpose_is_invalid_for_another(app, other):
    with app.app_context():
        token = accounts.make_token("reset-password", user=1)
        with pytest.raises(accounts.TokenError) as error:
            accounts.read_token(other, token)
        assert error.value.reason == "invalid"


@pytest.mark.parametrize("forged", ["", "abc", "x" * 300, "eyJqdGkiOiJ4In0.AAAA.BBBB", "\x00"])
def test_forged_tokens_are_invalid(app, forged):
    with app.app_context():
        with pytest.raises(accounts.TokenError) as error:
            accounts.read_token("invitation", forged)
        assert error.value.reason == "invalid"


def test_token_signed_with_another_secret_is_invalid(app):
    with app.app_context():
        other = URLSafeTimedSerializer("not the secret", salt="peerlink:invitation")
        token = other.dumps({"jti": "abc", "data": {}})
        with pytest.raises(accounts.TokenError):
            accounts.read_token("invitation", token)


def test_token_expires_after_its_configured_lifetime(app):
    app.config["INVITATION_MAX_AGE"] = timedelta(seconds=-1)
    with app.app_context():
        token = accounts.make_token("invitation", introduction=1)
        with pytest.raises(accounts.TokenError) as error:
            accounts.read_token("invitation", token)
        assert error.value.reason == "expired"
        assert "expired" in str(error.value)
