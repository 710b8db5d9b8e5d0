"""Who sees which evidence, and how organisations are hidden from those who may not see names.

Coordinators see their own networks, admins everything, evaluators everything read-only and
anonymised, members a small panel about their own networks.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app

from directory.models import User


def sees_dashboard(user: User | None) -> bool:
    return bool(
        user and user.is_authenticated and user.role in ("coordinator", "admin", "evaluator")
    )


def anonymised(user: User | None) -> bool:
    """Evaluators never see names or contacts unless an organisation agreed to be named."""
    return not (user and user.is_authenticated and user.role in ("coordinator", "admin"))


def network_scope(user: User) -> set[int] | None:
    """The networks whose evidence this user may read; None means every network."""
    if user.role in ("admin", "evaluator"):
        return None
    if user.role == "coordinator":
        return {n.id for n in user.networks}
    return {n.id for b in user.businesses for n in b.networks}


def pseudonym(kind: str, row_id: int) -> str:
    """A stable, unguessable stand-in for an id: the same in every export, keyed by SECRET_KEY so
    nobody without the key can turn it back into the id."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"{kind}:{row_id}".encode(), hashlib.sha256).hexdigest()
    return f"{kind[0]}-{digest[:12]}"
