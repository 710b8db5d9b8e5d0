"""Who reviews a request, and the addresses Peerlink writes to.

A request goes to a coordinator of a network both businesses belong to, else of the
requester's network, else of the target's, else to the admins ("the Peerlink team"). A network
counts only if it has a coordinator who owns neither business: a coordinator never reviews a
request about their own business.
"""

from __future__ import annotations

from sqlalchemy import select

from directory.extensions import db
from directory.models import Business, Network, User

PEERLINK_TEAM = "the Peerlink team"


def _free_coordinators(network: Network, parties: tuple[Business, ...]) -> list[User]:
    owners = {b.owner_id for b in parties if b.owner_id is not None}
    return [u for u in network.coordinators if u.role == "coordinator" and u.id not in owners]


def route(requester: Business, target: Business) -> Network | None:
    """The reviewing network; None means the admins."""
    mine = {n.id: n for n in requester.networks}
    theirs = {n.id: n for n in target.networks}
    for pool in (
        [n for i, n in mine.items() if i in theirs],
        list(mine.values()),
        list(theirs.values()),
    ):
        for network in sorted(pool, key=lambda n: n.name):
            if _free_coordinators(network, (requester, target)):
                return network
    return None


def reviewer_name(network: Network | None) -> str:
    """What the requester is told: which network reviews, or the Peerlink team."""
    return f"the coordinators of {network.name}" if network else PEERLINK_TEAM


def admins() -> list[User]:
    return list(db.session.execute(select(User).where(User.role == "admin")).scalars())


def reviewer_emails(network: Network | None, *parties: Business) -> list[str]:
    """The network's coordinators with no stake in the businesses; else the admins."""
    users = _free_coordinators(network, parties) if network is not None else []
    if not users:
        owners = {b.owner_id for b in parties}
        users = [u for u in admins() if u.id not in owners] or admins()
    return sorted({u.email for u in users})


def owner_email(business: Business) -> str:
    """Where a business is written to: its owner, else its own contact address (may be '')."""
    return business.owner.email if business.owner else business.email
