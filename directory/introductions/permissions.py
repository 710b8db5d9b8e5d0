"""Who may do what with an introduction: one function per rule.

Views, templates, commands and the coordinator's queue all ask these functions, so a rule such
as "a coordinator never decides a request in which they own either business" holds everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from directory.introductions import states as st
from directory.models import Business, Introduction, User

if TYPE_CHECKING:
    from typing_extensions import TypeIs


def _signed_in(user: User | None) -> TypeIs[User]:
    return bool(user is not None and user.is_authenticated)


def owns(user: User | None, business: Business) -> bool:
    """The business's owner (an admin edits any profile but owns none of them)."""
    return _signed_in(user) and business.owner_id == user.id


def coordinates_network(user: User | None, network_id: int | None) -> bool:
    """An admin, or a coordinator of this network."""
    if not _signed_in(user):
        return False
    if user.is_admin:
        return True
    return (
        network_id is not None
        and user.role == "coordinator"
        and network_id in {n.id for n in user.networks}
    )


def sees_contacts_of(user: User | None, business: Business) -> bool:
    """Coordinators of a business's networks (and admins) may reach it; nobody else may."""
    if not _signed_in(user):
        return False
    if owns(user, business) or user.is_admin:
        return True
    return any(coordinates_network(user, n.id) for n in business.networks)


def has_stake(user: User | None, intro: Introduction) -> bool:
    """Owns either business: such a person never reviews or answers for the other side."""
    return owns(user, intro.requester) or owns(user, intro.target)


def reviews(user: User | None, intro: Introduction) -> bool:
    """Coordinates the reviewing network (the admins review what has no network)."""
    if not _signed_in(user):
        return False
    if intro.network_id is None:
        return user.is_admin
    return coordinates_network(user, intro.network_id)


def may_decide(user: User | None, intro: Introduction) -> bool:
    """A reviewer with no stake in either business."""
    return reviews(user, intro) and not has_stake(user, intro)


def is_requester(user: User | None, intro: Introduction) -> bool:
    return owns(user, intro.requester)


def target_is_told(intro: Introduction) -> bool:
    """The target hears of a request only once a coordinator has approved it."""
    return intro.approved_at is not None


def is_target(user: User | None, intro: Introduction) -> bool:
    """The target's owner, once the request has been approved."""
    return owns(user, intro.target) and target_is_told(intro)


def is_party(user: User | None, intro: Introduction) -> bool:
    return is_requester(user, intro) or is_target(user, intro)


def answers_for_target(user: User | None, intro: Introduction) -> bool:
    """The target's owner; for a business without an account, a coordinator on its behalf."""
    if intro.target.owner_id is None:
        return may_decide(user, intro)
    return is_target(user, intro)


def may_view(user: User | None, intro: Introduction) -> bool:
    return is_party(user, intro) or reviews(user, intro)


def allowed(user: User | None, action: str, intro: Introduction) -> bool:
    """Whether `user` may take `action` on `intro` (its state aside)."""
    if action in ("view", "outcome", "report"):
        return may_view(user, intro)
    actor = st.TRANSITIONS[action].actor
    if actor == st.COORDINATOR:
        return may_decide(user, intro)
    if actor == st.TARGET:
        return answers_for_target(user, intro)
    if actor == st.REQUESTER:
        return is_requester(user, intro)
    if actor == st.PARTY_OR_COORDINATOR:
        return is_party(user, intro) or reviews(user, intro)
    return False  # the system's


def available_actions(user: User | None, intro: Introduction) -> list[str]:
    """The actions this person may take now: what their page offers."""
    return [
        action
        for action, t in st.TRANSITIONS.items()
        if intro.state in t.sources and t.actor != st.SYSTEM and allowed(user, action, intro)
    ]


def contacts_visible(user: User | None, intro: Introduction) -> bool:
    """Contact details only once accepted, and only to those involved."""
    return intro.state in st.CONTACTS_SHARED and may_view(user, intro)


def may_resolve(user: User | None, network_ids: set[int]) -> bool:
    """Reports about these networks: their coordinators, or the admins (for all reports)."""
    if not _signed_in(user) or not user.is_coordinator:
        return False
    return user.is_admin or bool(network_ids & {n.id for n in user.networks})
