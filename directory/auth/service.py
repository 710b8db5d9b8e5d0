"""Account use cases: registration, email verification, password reset and changes.

Every answer a stranger can see is the same whether or not an address has an account: the
account holder gets an email instead. Every link is a signed single-use token from
directory.accounts, built from BASE_URL.
"""

from __future__ import annotations

from flask import current_app, render_template
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from directory import accounts, mail
from directory.accounts import TokenError
from directory.businesses import service as business_service
from directory.extensions import db
from directory.links import external_url
from directory.models import User

PASSWORD_PURPOSES = ("reset-password", "set-password")


class EmailTaken(ValueError):
    """The new address of an email change belongs to another account by now."""


def send(template: str, to: str, **context) -> None:
    """Queue one email from templates/email/<template>.txt (subject on its first line)."""
    text = render_template(f"email/{template}.txt", **context)
    subject, _, body = text.strip().partition("\n")
    mail.enqueue(to, subject.strip(), body.strip() + "\n")


def _days(purpose: str) -> int:
    return max(1, round(accounts.lifetime(purpose).total_seconds() / 86400))


def reset_url(user: User) -> str:
    token = accounts.make_token("reset-password", user=user.id, stamp=accounts.password_stamp(user))
    return external_url("auth.choose_password", token=token)


def send_verification(user: User) -> None:
    token = accounts.make_token("verify-email", user=user.id, email=user.email)
    url = external_url("auth.verify_email", token=token)
    send("account_verify", user.email, user=user, url=url, days=_days("verify-email"))


def register(
    email: str, password: str, name: str, data: business_service.BusinessData
) -> User | None:
    """Create an unverified account and its unlisted business, and email the link to verify.

    Returns None when the address already has an account (its holder gets a notice instead),
    including when a simultaneous registration with the same address won the race: the caller
    shows the same answer either way.
    """
    existing = accounts.find_user(email)
    if existing is not None:
        # Cost what a new account costs, so the answer's timing does not tell either.
        generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        _send_account_exists(existing)
        db.session.commit()
        return None
    try:
        user = accounts.create_user(email, password, name=name, verified=False)
        db.session.flush()
        send_verification(user)
        data.email = data.email or user.email
        business_service.create_business(data, owner=user)  # commits all of it
    except IntegrityError:
        db.session.rollback()
        return None
    return user


def _send_account_exists(user: User) -> None:
    send(
        "account_exists",
        user.email,
        user=user,
        login_url=external_url("auth.login"),
        reset_url=external_url("auth.forgot_password"),
    )


def verify_email(token: str) -> User:
    """Follow a verification link: the address is proved, and an email change takes effect.

    Raises TokenError for a bad, expired or used link and EmailTaken when the new address
    belongs to another account by now.
    """
    found = accounts.read_token("verify-email", token)
    user = db.session.get(User, found.data.get("user"))
    email = str(found.data.get("email", ""))
    if user is None:
        raise TokenError("invalid")
    if found.data.get("change"):
        other = accounts.find_user(email)
        if other is not None and other.id != user.id:
            raise EmailTaken("Another account uses that email address now.")
        user.email = email
    elif user.email != email:
        raise TokenError("invalid")  # a registration link for an address since replaced
    accounts.spend_token("verify-email", token)
    accounts.mark_verified(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise EmailTaken("Another account uses that email address now.") from None
    business_service.directory_changed()
    return user


def request_password_reset(email: str) -> None:
    """Email a reset link if the address has an account; say nothing either way."""
    user = accounts.find_user(email)
    if user is not None:
        send(
            "password_reset",
            user.email,
            user=user,
            url=reset_url(user),
            minutes=round(accounts.lifetime("reset-password").total_seconds() / 60),
        )
        db.session.commit()


def read_password_token(token: str) -> tuple[str, User]:
    """The purpose and account of a reset or set-password link, without spending it."""
    error = TokenError("invalid")
    for purpose in PASSWORD_PURPOSES:
        try:
            found = accounts.read_token(purpose, token)
        except TokenError as exc:
            if exc.reason != "invalid":
                error = exc
            continue
        user = db.session.get(User, found.data.get("user"))
        if user is None:
            raise TokenError("invalid")
        stamp = found.data.get("stamp")
        if stamp is not None and stamp != accounts.password_stamp(user):
            raise TokenError("used")  # the password has changed since the link was sent
        return purpose, user
    raise error


def choose_password(token: str, password: str) -> User:
    """Set the password from a link; every session of the account ends. Raises TokenError."""
    purpose, user = read_password_token(token)
    accounts.spend_token(purpose, token)
    accounts.set_password(user, password)
    accounts.mark_verified(user)  # the link reached the address, which proves it
    db.session.commit()
    business_service.directory_changed()
    return user


def change_password(user: User, password: str) -> None:
    """A new password, chosen while signed in: the other sessions end, the owner is told."""
    accounts.set_password(user, password, keep_session=user.session_id)
    send("password_changed", user.email, user=user, reset_url=reset_url(user))
    db.session.commit()


def request_email_change(user: User, new_email: str) -> None:
    """Send a confirmation link to the new address and a notice to the current one."""
    new_email = accounts.normalise_email(new_email)
    token = accounts.make_token("verify-email", user=user.id, email=new_email, change=True)
    url = external_url("auth.verify_email", token=token)
    send("email_change_verify", new_email, user=user, url=url, days=_days("verify-email"))
    send(
        "email_change_notice", user.email, user=user, new_email=new_email, reset_url=reset_url(user)
    )
    db.session.commit()
