"""What changes an introduction's state: request, decide, answer, withdraw, complete, report.

Every change of state goes through `move`, a conditional UPDATE that only succeeds from an
allowed state: when two coordinators decide the same request at once, exactly one wins and
the other is told it was already decided; the loser's emails are never written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from directory import matchmaking
from directory.extensions import db
from directory.introductions import notify, permissions, queries, routing
from directory.introductions import states as st
from directory.models import Business, Introduction, IntroductionEvent, Report, User, utcnow

DEFAULTS = {
    "INTRO_MAX_OPEN_REQUESTS": 5,
    "INTRO_REMINDER_DAYS": 7,
    "INTRO_EXPIRY_DAYS": 21,
    "INTRO_FOLLOWUP_DAYS": (30, 90),
}


class RuleError(ValueError):
    """The request breaks a rule; the message says which, for the person who asked."""


class NotAllowed(PermissionError):
    """This person may not take this action on this introduction."""


class AlreadyDecided(RuntimeError):
    """Someone else moved the introduction first."""

    def __init__(self, state: str):
        super().__init__(f"This introduction was already {state} by someone else.")
        self.state = state


class DuplicateRequest(RuleError):
    """An introduction between the two businesses is already open; `existing` links to it."""

    def __init__(self, existing: Introduction | None, requester: Business, target: Business):
        super().__init__(
            f"There is already an open introduction between {requester.name} and {target.name}."
        )
        self.existing = existing


def setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])


def check_can_request(actor: User, requester: Business, target: Business, kind: str) -> None:
    """Every rule about whether this request may be made, before any message is written."""
    if not permissions.owns(actor, requester):
        raise NotAllowed("You can only ask for introductions for your own businesses.")
    if kind not in ("peer", "mentor"):
        raise RuleError("Choose peer or mentor.")
    if requester.id == target.id or (target.owner_id and target.owner_id == requester.owner_id):
        raise RuleError("You cannot ask for an introduction to your own business.")
    existing = queries.open_between(requester, target)
    if existing is not None:
        raise DuplicateRequest(existing, requester, target)
    if not target.accepting_requests:
        raise RuleError(f"{target.name} is not taking new introductions at the moment.")
    if kind == "mentor":
        if not target.willing_to_mentor:
            raise RuleError(f"{target.name} has not offered to mentor. Ask as a peer instead.")
        load = queries.open_counts([target.id]).get(target.id, 0)
        if target.mentor_capacity is not None and load >= target.mentor_capacity:
            raise RuleError(f"{target.name} has no room for more introductions right now.")
    limit = setting("INTRO_MAX_OPEN_REQUESTS")
    mine = db.session.execute(
        select(func.count())
        .select_from(Introduction)
        .where(Introduction.created_by_id == actor.id, Introduction.state.in_(st.PENDING))
    ).scalar()
    if mine >= limit:
        raise RuleError(
            f"You already have {mine} requests waiting for an answer (the limit is "
            f"{limit}). Wait for answers or withdraw one."
        )


def _match(requester: Business, target: Business, kind: str):
    """The score and reasons the requester saw, if the target is among their suggestions."""
    for suggestion in matchmaking.suggest_for(requester, kind, limit=200):
        if suggestion.id == target.id:
            return suggestion
    return None


def request_introduction(
    actor: User, requester: Business, target: Business, kind: str, message: str
) -> Introduction:
    check_can_request(actor, requester, target, kind)
    message = (message or "").strip()
    if not message:
        raise RuleError("Write a short message: what you hope to learn.")
    suggestion = _match(requester, target, kind)
    intro = Introduction(
        requester=requester,
        target=target,
        created_by=actor,
        kind=kind,
        message=message,
        pair_key=queries.pair_key(requester.id, target.id),
        network=routing.route(requester, target),
        state=st.REQUESTED,
        score=suggestion.score if suggestion else None,
        reasons=list(suggestion.reasons) if suggestion else [],
        needs_at_request=list(requester.needs),
    )
    intro.events.append(
        IntroductionEvent(actor=actor, from_state=None, to_state=st.REQUESTED, note=message)
    )
    db.session.add(intro)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise DuplicateRequest(queries.open_between(requester, target), requester, target) from None
    notify.send("request", routing.reviewer_emails(intro.network, requester, target), intro)
    db.session.commit()
    after_change(intro)
    return intro


def move(
    intro: Introduction,
    action: str,
    actor: User | None,
    note: str = "",
    now: datetime | None = None,
    via: str = "",
    **values,
) -> None:
    """Apply one transition atomically, or raise AlreadyDecided.

    `actor` None is Peerlink itself (the clock) or the target through its emailed invitation.
    """
    transition = st.TRANSITIONS[action]
    if actor is not None and not permissions.allowed(actor, action, intro):
        raise NotAllowed(f"You cannot {action} this introduction.")
    note = (note or "").strip()
    if transition.needs_reason and not note:
        raise RuleError("Give a reason: the requester will see it.")
    if actor is not None and transition.actor == st.TARGET and intro.target.owner_id is None:
        via = "on-behalf"
    now = now or utcnow()
    result = db.session.execute(
        update(Introduction)
        .where(Introduction.id == intro.id, Introduction.state.in_(transition.sources))
        .values(state=transition.target, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult
        db.session.rollback()
        db.session.refresh(intro)
        raise AlreadyDecided(intro.state)
    db.session.add(
        IntroductionEvent(
            introduction_id=intro.id,
            actor=actor,
            from_state=intro.state,
            to_state=transition.target,
            note=note,
            at=now,
            via=via,
        )
    )
    db.session.flush()
    db.session.refresh(intro)


def approve(intro: Introduction, actor: User, note: str = "") -> None:
    note = (note or "").strip()
    move(intro, "approve", actor, note, coordinator_note=note, approved_at=utcnow())
    target = intro.target
    if target.owner_id:
        notify.send("approved_target", routing.owner_email(target), intro)
    elif target.email:
        notify.invite(intro)
    else:
        emails = routing.reviewer_emails(intro.network, intro.requester, target)
        notify.send("approved_unowned", emails, intro)
    notify.send("approved_requester", routing.owner_email(intro.requester), intro)
    db.session.commit()
    after_change(intro)


def decline(intro: Introduction, actor: User, reason: str = "") -> None:
    move(intro, "decline", actor, reason, decline_reason=(reason or "").strip(), closed_at=utcnow())
    notify.send(
        "declined",
        routing.owner_email(intro.requester),
        intro,
        alternatives=queries.next_best(intro),
    )
    db.session.commit()
    after_change(intro)


def accept(intro: Introduction, actor: User | None, note: str = "", via: str = "") -> None:
    move(intro, "accept", actor, note, via=via, accepted_at=utcnow(), reminded_at=None)
    for me, other, reasons in (
        (intro.requester, intro.target, intro.reasons),
        (intro.target, intro.requester, notify.reasons_for_target(intro)),
    ):
        notify.send("accepted", routing.owner_email(me), intro, me=me, other=other, reasons=reasons)
    db.session.commit()
    after_change(intro)


def reject(intro: Introduction, actor: User | None, note: str = "", via: str = "") -> None:
    move(intro, "reject", actor, note, via=via, closed_at=utcnow())
    notify.send("rejected", routing.owner_email(intro.requester), intro)
    db.session.commit()
    after_change(intro)


def withdraw(intro: Introduction, actor: User, note: str = "") -> None:
    told = permissions.target_is_told(intro)
    move(intro, "withdraw", actor, note, closed_at=utcnow())
    if told:
        notify.send("withdrawn", routing.owner_email(intro.target), intro)
    db.session.commit()
    after_change(intro)


def complete(intro: Introduction, actor: User | None, note: str = "") -> None:
    move(intro, "complete", actor, note, closed_at=utcnow())
    db.session.commit()
    after_change(intro)


COMMANDS: dict[str, Callable[..., None]] = {
    "approve": approve,
    "decline": decline,
    "accept": accept,
    "reject": reject,
    "withdraw": withdraw,
    "complete": complete,
}


def run(action: str, intro: Introduction, actor: User, note: str = "") -> None:
    """Take a person's action from a page (the same rules as calling the command directly)."""
    COMMANDS[action](intro, actor, note)


def report_problem(
    actor: User, reason: str, intro: Introduction | None = None, business: Business | None = None
) -> Report:
    reason = (reason or "").strip()
    if not reason:
        raise RuleError("Tell the coordinators what the problem is.")
    if intro is not None and not permissions.allowed(actor, "report", intro):
        raise NotAllowed("You can only report introductions you are part of.")
    report = Report(reporter=actor, introduction=intro, business=business, reason=reason)
    db.session.add(report)
    if intro is not None:
        subject = f"{intro.requester.name} → {intro.target.name}"
        emails = routing.reviewer_emails(intro.network, intro.requester, intro.target)
    else:
        subject = f"the profile of {business.name}" if business else "Peerlink"
        network = routing.route(business, business) if business else None
        emails = routing.reviewer_emails(network, *([business] if business else []))
    notify.send("report", emails, None, subject=subject, reason=reason)
    db.session.commit()
    return report


def resolve_report(report: Report, actor: User, resolution: str = "") -> None:
    if not permissions.may_resolve(actor, queries.report_networks(report)):
        raise NotAllowed("Only the coordinators concerned resolve this report.")
    report.resolved_at = utcnow()
    report.resolved_by_id = actor.id
    report.resolution = (resolution or "").strip()
    db.session.commit()


def after_change(intro: Introduction) -> None:
    matchmaking.refresh_load([intro.requester_id, intro.target_id])
