"""Accounts: users, sign-in, and signed single-use tokens for links sent by email.

One token mechanism serves every link Peerlink emails: email verification, password reset and
set-password links, invitations to organisations without an account, and profile claims. A
token is signed with the app's secret and a salt per purpose (a reset link cannot be replayed as
an invitation), carries its own expiry, and is spent by recording its id in `used_token`, whose
primary key makes a second use fail even when two requests race.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

from flask import current_app
from flask_login import login_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from directory.extensions import db
from directory.models import UsedToken, User, UserSession, utcnow

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


def create_user(
    email: str, password: str, name: str = "", role: str = "member", verified: bool = True
) -> User:
    """A new account. Accounts made by the CLI or the demo loader are verified; registration
    passes verified=False and the owner proves the address by following the emailed link."""
    user = User(email=normalise_email(email), name=name.strip(), role=role)
    user.set_password(password, method=current_app.config["PASSWORD_HASH_METHOD"])
    if verified:
        user.email_verified_at = utcnow()
    db.session.add(user)
    return user


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return db.session.execute(
        db.select(User).where(func.lower(User.email) == normalise_email(email))
    ).scalar_one_or_none()


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def authenticate(email: str, password: str) -> User | None:
    """The account with this email and password, or None.

    An unknown email costs one hash check too (against a dummy hash made with the same method),
    so the answer's timing does not tell whether an account exists.
    """
    user = find_user(email)
    stored = user.password_hash if user else _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"])
    matches = check_password_hash(stored, password or "")
    return user if user is not None and matches else None


def check_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password or "")


def set_password(user: User, password: str, keep_session: str | None = None) -> None:
    """Change the password and end every other sign-in of the account; the caller commits."""
    user.set_password(password, method=current_app.config["PASSWORD_HASH_METHOD"])
    end_sessions(user, keep=keep_session)


def password_stamp(user: User) -> str:
    """A short fingerprint of the password hash, so a reset link dies when the password changes."""
    return hmac.new(
        current_app.config["SECRET_KEY"].encode(), user.password_hash.encode(), hashlib.sha256
    ).hexdigest()[:16]


def mark_verified(user: User) -> None:
    """The owner has proved the address: their businesses join the public directory."""
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    for business in user.businesses:
        business.listed = True


# -- sessions ----------------------------------------------------------------------------------


def sign_in(user: User, remember: bool = False) -> None:
    """Start a new session for the user and sign them in with it (commits).

    The session and remember cookies carry the session's random id, not the user's, so they
    differ on every sign-in and stop working as soon as the session row is deleted.
    """
    start_session(user)
    db.session.commit()
    login_user(user, remember=remember)


def start_session(user: User) -> User:
    """Record a new sign-in with a random id (the caller commits); old ones are swept."""
    db.session.execute(
        db.delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.created_at < utcnow() - session_lifetime()
        )
    )
    row = UserSession(id=secrets.token_urlsafe(32), user_id=user.id)
    db.session.add(row)
    user.session_id = row.id
    return user


def load_session(session_id: str) -> User | None:
    """Flask-Login's user loader: the user of a live session, or None (revoked or too old)."""
    row = db.session.get(UserSession, session_id) if session_id else None
    if row is None:
        return None
    if row.created_at < utcnow() - session_lifetime():
        return None
    user = row.user
    user.session_id = row.id
    return user


def session_lifetime() -> timedelta:
    value = current_app.config["REMEMBER_COOKIE_DURATION"]
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


def end_session(session_id: str | None) -> None:
    if session_id:
        db.session.execute(db.delete(UserSession).where(UserSession.id == session_id))


def end_sessions(user: User, keep: str | None = None) -> None:
    """Sign the account out everywhere (except the session `keep`): copied cookies stop working."""
    query = db.delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        query = query.where(UserSession.id != keep)
    db.session.execute(query)
