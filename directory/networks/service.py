"""Networks as use cases: join requests, coordinators, accounts set up by the admins.

Only an approved membership routes introduction requests, so an owner asks to join and the
network's coordinator decides; an admin's or coordinator's import sets membership directly.
"""

from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import func, select

from directory import accounts
from directory.businesses import service as business_service
from directory.extensions import db
from directory.introductions import notify, routing
from directory.introductions.commands import NotAllowed, RuleError
from directory.introductions.permissions import coordinates_network, owns
from directory.models import Business, JoinRequest, Network, User, utcnow
from directory.models.networks import APPROVED, PENDING, REFUSED


def find_network(slug: str) -> Network | None:
    return db.session.execute(select(Network).where(Network.slug == slug)).scalar_one_or_none()


def all_networks() -> list[Network]:
    return list(db.session.execute(select(Network).order_by(Network.name)).scalars())


def member_counts() -> dict[int, int]:
    from directory.models import business_networks

    rows = db.session.execute(
        select(business_networks.c.network_id, func.count()).group_by(
            business_networks.c.network_id
        )
    )
    return dict(rows.all())


# -- joining -----------------------------------------------------------------------------------


def may_decide_join(user: User | None, join: JoinRequest) -> bool:
    """The network's coordinators (or an admin), never for their own business."""
    return coordinates_network(user, join.network_id) and not owns(user, join.business)


def pending_join(business: Business, network: Network) -> JoinRequest | None:
    return db.session.execute(
        select(JoinRequest).where(
            JoinRequest.business_id == business.id,
            JoinRequest.network_id == network.id,
            JoinRequest.status == PENDING,
        )
    ).scalar_one_or_none()


def ask_to_join(user: User, business: Business, network: Network, message: str = "") -> JoinRequest:
    if not owns(user, business):
        raise NotAllowed("You can only ask for your own business to join a network.")
    if network in business.networks:
        raise RuleError(f"{business.name} is already a member of {network.name}.")
    if pending_join(business, network) is not None:
        raise RuleError(f"{business.name} has already asked to join {network.name}.")
    join = JoinRequest(
        business=business, network=network, requested_by=user, message=(message or "").strip()
    )
    db.session.add(join)
    notify.send(
        "join_request",
        routing.reviewer_emails(network if network.coordinators else None, business),
        None,
        join=join,
    )
    db.session.commit()
    return join


def decide_join(join: JoinRequest, actor: User, approve: bool, note: str = "") -> None:
    if not may_decide_join(actor, join):
        raise NotAllowed("Only the network's coordinators decide who joins it.")
    if join.status != PENDING:
        raise RuleError("This request was already decided.")
    join.status = APPROVED if approve else REFUSED
    join.note = (note or "").strip()
    join.decided_by_id = actor.id
    join.decided_at = utcnow()
    if approve and join.network not in join.business.networks:
        join.business.networks.append(join.network)
    notify.send("join_decided", routing.owner_email(join.business), None, join=join)
    db.session.commit()
    business_service.directory_changed()


def pending_joins(user: User) -> list[JoinRequest]:
    stmt = select(JoinRequest).where(JoinRequest.status == PENDING)
    if not user.is_admin:
        stmt = stmt.where(JoinRequest.network_id.in_([n.id for n in user.networks]))
    rows = db.session.execute(stmt.order_by(JoinRequest.created_at)).scalars()
    return [j for j in rows if may_decide_join(user, j)]


def joins_of(user: User) -> list[JoinRequest]:
    ids = [b.id for b in user.businesses]
    return list(
        db.session.execute(
            select(JoinRequest)
            .where(JoinRequest.business_id.in_(ids))
            .order_by(JoinRequest.created_at.desc())
        ).scalars()
    )


# -- coordinators and accounts (admins, CLI) -------------------------------------------------


def add_network(slug: str, name: str, description: str = "") -> Network:
    slug, name = business_service.slugify(slug or name), name.strip()
    if not name:
        raise RuleError("Give the network a name.")
    if find_network(slug) is not None:
        raise RuleError(f"A network with the slug {slug!r} already exists.")
    if db.session.execute(select(Network).where(Network.name == name)).first():
        raise RuleError(f"A network named {name!r} already exists.")
    network = Network(slug=slug, name=name, description=description.strip())
    db.session.add(network)
    db.session.commit()
    return network


def add_coordinator(network: Network, user: User) -> None:
    """Make a person a coordinator of a network (an admin keeps their role)."""
    if user.role not in ("coordinator", "admin"):
        user.role = "coordinator"
    if network not in user.networks:
        user.networks.append(network)
    db.session.commit()


def remove_coordinator(network: Network, user: User) -> None:
    if network in user.networks:
        user.networks.remove(network)
    db.session.commit()


def set_password_link(user: User) -> str:
    """A one-time link to choose a password (the accounts pages answer it)."""
    token = accounts.make_token("set-password", user=user.id)
    base = (current_app.config.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    return f"{base}/account/password/{token}"


def add_user(
    email: str, role: str, networks: list[Network], password: str | None = None
) -> tuple[User, bool]:
    """Create or update an account with a role and the networks it coordinates."""
    if role not in User.ROLES:
        raise RuleError(f"Unknown role {role!r}: choose one of {', '.join(User.ROLES)}.")
    if networks and role not in ("coordinator", "admin"):
        raise RuleError("Only coordinators and admins coordinate networks.")
    user = accounts.find_user(email)
    created = user is None
    if user is None:
        user = accounts.create_user(email, password or secrets.token_urlsafe(24), role=role)
    else:
        user.role = role
        if password:
            user.set_password(password, method=current_app.config["PASSWORD_HASH_METHOD"])
    for network in networks:
        if network not in user.networks:
            user.networks.append(network)
    db.session.commit()
    return user, created
