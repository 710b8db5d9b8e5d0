"""The introduction state machine: named states and every allowed transition, in one place."""

from __future__ import annotations

from dataclasses import dataclass

REQUESTED = "requested"
APPROVED = "approved"
DECLINED = "declined"
ACCEPTED = "accepted"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
EXPIRED = "expired"
COMPLETED = "completed"

STATES = {
    REQUESTED: "Waiting for a coordinator",
    APPROVED: "Approved, waiting for the other business",
    DECLINED: "Declined by a coordinator",
    ACCEPTED: "Accepted: contact details shared",
    REJECTED: "Declined by the other business",
    WITHDRAWN: "Withdrawn",
    EXPIRED: "Expired without an answer",
    COMPLETED: "Completed",
}
PENDING = frozenset({REQUESTED, APPROVED})
OPEN = frozenset({REQUESTED, APPROVED, ACCEPTED})
CONTACTS_SHARED = frozenset({ACCEPTED, COMPLETED})

# Who may act: the network's coordinators (or an admin), the target business's owner,
# either side's owner, or the system (the `introductions tick` command).
COORDINATOR = "coordinator"
TARGET = "target"
PARTY = "party"
PARTY_OR_COORDINATOR = "party or coordinator"
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actor: str
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("approve", frozenset({REQUESTED}), APPROVED, COORDINATOR),
        Transition("decline", frozenset({REQUESTED}), DECLINED, COORDINATOR, needs_reason=True),
        Transition("accept", frozenset({APPROVED}), ACCEPTED, TARGET),
        Transition("reject", frozenset({APPROVED}), REJECTED, TARGET),
        Transition("withdraw", PENDING, WITHDRAWN, PARTY),
        Transition("expire", PENDING, EXPIRED, SYSTEM),
        Transition("complete", frozenset({ACCEPTED}), COMPLETED, PARTY_OR_COORDINATOR),
    )
}
