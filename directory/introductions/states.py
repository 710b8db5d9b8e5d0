"""The introduction state machine: named states and every transition, declared once.

A transition carries everything the rest of the app needs to know about it: the states it
leaves, the state it reaches, who may take it, the button a person presses, the question asked
before it (if any) and what they are told afterwards. Routes, views, templates and commands
read this table; adding a transition is one line here and one command in commands.py.
"""

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
# States after which the requester is shown other businesses to ask instead.
ENDED_WITHOUT_MEETING = frozenset({DECLINED, EXPIRED, REJECTED})

# Who may act: the reviewing coordinator (or an admin) with no stake in either business, the
# target business (its owner; its coordinator on its behalf when it has no account), the
# requester, either side or a coordinator, or the system (the `introductions tick` command).
COORDINATOR = "coordinator"
TARGET = "target"
REQUESTER = "requester"
PARTY_OR_COORDINATOR = "party or coordinator"
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actor: str
    button: str = ""
    done: str = ""
    confirm: str = ""
    needs_reason: bool = False
    secondary: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "approve",
            frozenset({REQUESTED}),
            APPROVED,
            COORDINATOR,
            button="Approve",
            done="You approved {intro}.",
        ),
        Transition(
            "decline",
            frozenset({REQUESTED}),
            DECLINED,
            COORDINATOR,
            button="Decline",
            done="You declined {intro}.",
            needs_reason=True,
            secondary=True,
        ),
        Transition(
            "accept",
            frozenset({APPROVED}),
            ACCEPTED,
            TARGET,
            button="Accept the introduction",
            done="The introduction is accepted. Contact details are now shared.",
        ),
        Transition(
            "reject",
            frozenset({APPROVED}),
            REJECTED,
            TARGET,
            button="Decline",
            done="The introduction was declined.",
            secondary=True,
        ),
        Transition(
            "withdraw",
            PENDING,
            WITHDRAWN,
            REQUESTER,
            button="Withdraw the request",
            done="Your request was withdrawn.",
            confirm="Withdraw this request? This cannot be undone.",
            secondary=True,
        ),
        Transition("expire", PENDING, EXPIRED, SYSTEM),
        Transition(
            "complete",
            frozenset({ACCEPTED}),
            COMPLETED,
            PARTY_OR_COORDINATOR,
            button="Mark as completed",
            done="The introduction is marked as completed.",
        ),
    )
}

# Actions taken on the introduction's own page; the coordinator's decisions are taken from
# the queue, with a note or reason.
PAGE_ACTIONS = tuple(a for a, t in TRANSITIONS.items() if t.actor not in (COORDINATOR, SYSTEM))
QUEUE_ACTIONS = tuple(a for a, t in TRANSITIONS.items() if t.actor == COORDINATOR)
