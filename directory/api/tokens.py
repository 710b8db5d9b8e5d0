"""API tokens as use cases: issue once, find by secret, record last use, revoke.

A token is a random secret shown to its owner once; the database keeps its sha256, which is
enough to recognise it and useless to an attacker who reads the table. Random secrets rather
than signed ones (directory.accounts) because an API token must be revocable one by one and
must not expire under a client that runs unattended.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from directory.extensions import db
from directory.models import ApiToken, User, utcnow

PREFIX = "plk_"
# Writing the last use on every request would turn every read into a write.
TOUCH_EVERY = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the secret (shown once, never stored)."""
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name.strip()[:80], token_hash=_digest(secret), prefix=secret[:12]
    )
    db.session.add(token)
    db.session.commit()
    return token, secret


def find_active(secret: str) -> ApiToken | None:
    """The live token with this secret, or None (unknown, revoked, or malformed)."""
    if not secret or len(secret) > 200:
        return None
    token = db.session.execute(
        db.select(ApiToken).where(ApiToken.token_hash == _digest(secret))
    ).scalar_one_or_none()
    if token is None or not token.active:
        return None
    return token


def touch(token: ApiToken) -> None:
    """Record a use, at most once a minute per token."""
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
        db.session.commit()


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.execute(
            db.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id)
        ).scalars()
    )


def owned_token(user: User, token_id: int) -> ApiToken | None:
    token = db.session.get(ApiToken, token_id)
    return token if token is not None and token.user_id == user.id else None


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
