"""Who is calling and what they may do: one function per rule, used by every API view.

A call is authenticated by a bearer token (`Authorization: Bearer plk_...`) or, for reads only,
by the signed-in session. Writes take a token only: they are exempt from CSRF, so a cookie must
never be enough to change data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from directory.api import tokens
from directory.api.problems import ApiError
from directory.models import ApiToken, Business, User


@dataclass(frozen=True)
class Caller:
    user: User | None
    token: ApiToken | None


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        return None
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "Use the header Authorization: Bearer <token>.")
    return secret.strip()


def caller() -> Caller:
    """The token's owner, else the signed-in user, else anonymous; a bad token is a 401."""
    if "api_caller" in g:
        return g.api_caller
    secret = bearer_secret()
    if secret is not None:
        token = tokens.find_active(secret)
        if token is None:
            raise ApiError(401, "This API token is not valid or has been revoked.")
        tokens.touch(token)
        found = Caller(token.user, token)
    elif current_user.is_authenticated:
        found = Caller(current_user._get_current_object(), None)
    else:
        found = Caller(None, None)
    g.api_caller = found
    return found


def token_caller() -> Caller:
    """Writes need a token (never a cookie)."""
    found = caller()
    if found.token is None:
        raise ApiError(401)
    return found


def rate_limit_key() -> str:
    """Limits count per token when one is sent, else per address."""
    try:
        found = caller()
    except ApiError:
        return f"addr:{get_remote_address()}"
    if found.token is not None:
        return f"token:{found.token.id}"
    return f"addr:{get_remote_address()}"


def coordinated_slugs(user: User) -> set[str]:
    return {n.slug for n in user.networks} if user.is_coordinator else set()


def may_see_matches(user: User | None, business: Business) -> bool:
    """The owner, an admin, or a coordinator of one of the business's networks."""
    if user is None:
        return False
    if user.is_admin or (business.owner_id is not None and business.owner_id == user.id):
        return True
    return bool(coordinated_slugs(user) & {n.slug for n in business.networks})


def may_edit(user: User, business: Business) -> bool:
    """Admins edit any business; a coordinator those in a network they coordinate."""
    if user.is_admin:
        return True
    return user.is_coordinator and bool(
        coordinated_slugs(user) & {n.slug for n in business.networks}
    )


def network_change_problem(user: User, before: Iterable[str], after: Iterable[str]) -> str | None:
    """Why this change of networks is not allowed, or None.

    A coordinator may add or remove only networks they coordinate, and the business must stay
    in at least one of them (else they would lose it). Admins may do anything.
    """
    if user.is_admin:
        return None
    if not user.is_coordinator:
        return "Only coordinators and admins may do that."
    mine = coordinated_slugs(user)
    before, after = set(before), set(after)
    foreign = sorted((before ^ after) - mine)
    if foreign:
        return f"You do not coordinate: {', '.join(foreign)}."
    if not after & mine:
        return "Include at least one network you coordinate."
    return None
