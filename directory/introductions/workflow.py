"""Outcomes: how an introduction went, recorded by either side or a coordinator.

The rest of the workflow lives beside this module: permissions.py (who may do what),
queries.py (what a page lists), commands.py (what changes state), clock.py (what the clock
does), routing.py (who reviews) and states.py (the transitions, declared once).
"""

from __future__ import annotations

from dataclasses import dataclass

from directory.extensions import db
from directory.introductions import states as st
from directory.introductions.commands import NotAllowed, RuleError
from directory.introductions.permissions import allowed, owns
from directory.models import Introduction, Outcome, User
from matching.vocab import TOPICS


@dataclass
class OutcomeData:
    met: bool | None
    usefulness: int | None
    helped_needs: list[str]
    comment: str


def record_outcome(intro: Introduction, actor: User, data: OutcomeData) -> Outcome:
    if not allowed(actor, "outcome", intro):
        raise NotAllowed("You cannot record an outcome for this introduction.")
    if intro.state not in st.CONTACTS_SHARED:
        raise RuleError("Outcomes can be recorded once the introduction has been accepted.")
    if data.usefulness is not None and not 1 <= data.usefulness <= 5:
        raise RuleError("Usefulness is from 1 to 5.")
    side = (
        intro.requester
        if owns(actor, intro.requester)
        else (intro.target if owns(actor, intro.target) else None)
    )
    outcome = Outcome(
        introduction=intro,
        business=side,
        recorded_by=actor,
        met=data.met,
        usefulness=data.usefulness,
        comment=data.comment.strip(),
        helped_needs=[t for t in data.helped_needs if t in TOPICS],
    )
    db.session.add(outcome)
    db.session.commit()
    return outcome
