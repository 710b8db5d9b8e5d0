"""Accounts: users, sign-in, and signed single-use tokens for links sent by email.

One token mechanism serves every link Peerlink emails: email verification, password reset and
set-password links, invitations to organisations without an account, and profile claims. A
token is signed with the app's secret and a salt per purpose (a reset link cannot be replayed as
an invitation), carries its own expiry, and is spent by recording its id in `used_token`, whose
primary key makes a second use fail even when two requests race.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from directory.extensions import db
from directory.models import UsedToken, User

# Purposes and their default lifetimes; each can be changed with the config key beside it.
TOKEN_LIFETIMES: dict[str, tuple[str, timedelta]] = {
    "verify-email": ("EMAIL_VERIFY_MAX_AGE", timedelta(days=7)),
    "reset-password": ("PASSWORD_RESET_MAX_AGE", timedelta(hours=1)),
    "set-password": ("SET_PASSWORD_MAX_AGE", timedelta(days=7)),
    "invitation": ("INVITATION_MAX_AGE", timedelta(days=14)),
    "claim": ("CLAIM_MAX_AGE", timedelta(days=7)),
}


class TokenError(ValueError):
    """A link that cannot be used; `reason` is "invalid", "expired" or "used"."""

    MESSAGES = {
        "invalid": "This link is not valid. Check that you copied all of it from the email.",
        "expired": "This link has expired. Ask for a new one.",
        "used": "This link has already been used.",
    }

    def __init__(self, reason: str):
        super().__init__(self.MESSAGES[reason])
        self.reason = reason


@dataclass(frozen=True)
class Token:
    """A verified token: its purpose, its id and the data it was made with."""

    purpose: str
    jti: str
    data: dict[str, Any]


def lifetime(purpose: str) -> timedelta:
    key, default = TOKEN_LIFETIMES[purpose]
    value = current_app.config.get(key, default)
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in TOKEN_LIFETIMES:
        raise KeyError(f"unknown token purpose {purpose!r}")
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"peerlink:{purpose}")


def make_token(purpose: str, **data: Any) -> str:
    """A signed link token for `purpose` carrying `data` (ids, an email address)."""
    payload = {"jti": secrets.token_urlsafe(16), "data": data}
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str) -> Token:
    """Check a token without spending it (to show a page before the person confirms)."""
    try:
        payload = _serializer(purpose).loads(
            token or "", max_age=int(lifetime(purpose).total_seconds())
        )
    except SignatureExpired:
        raise TokenError("expired") from None
    except BadSignature:
        raise TokenError("invalid") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        raise TokenError("invalid")
    jti = str(payload.get("jti", ""))
    if not jti or db.session.get(UsedToken, jti) is not None:
        raise TokenError("used" if jti else "invalid")
    return Token(purpose=purpose, jti=jti, data=payload["data"])


def spend_token(purpose: str, token: str) -> Token:
    """Check a token and mark it used in the current transaction; the caller commits.

    Two requests racing with the same token cannot both succeed: the second insert of the same
    id fails, and it is told the link was used.
    """
    found = read_token(purpose, token)
    db.session.add(UsedToken(jti=found.jti, purpose=purpose))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise TokenError("used") from None
    return found


# -- users -------------------------------------------------------------------------------------


def create_user(email: str, password: str, name: str = "", role: str = "member") -> User:
    user = User(email=email.strip().lower(), name=name.strip(), role=role)
    user.set_password(password, method=current_app.config["PASSWORD_HASH_METHOD"])
    db.session.add(user)
    return user


def find_user(email: str) -> User | None:
    return db.session.execute(
        db.select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()


def authenticate(email: str, password: str) -> User | None:
    user = find_user(email)
    if user is None or not user.check_password(password):
        return None
    return user


def delete_account(user: User) -> None:
    """Delete a member and every business they own (profiles, topics, memberships)."""
    from directory.businesses.service import directory_changed

    for business in list(user.businesses):
        db.session.delete(business)
    db.session.delete(user)
    db.session.commit()
    directory_changed()
