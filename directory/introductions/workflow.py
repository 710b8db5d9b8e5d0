"""Introductions as use cases: request, review, accept, follow up, expire.

Every change of state goes through `_move`, a conditional UPDATE that only succeeds from an
allowed state: when two coordinators decide the same request at once, exactly one wins and
the other is told it was already decided; the loser's emails are never written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from directory import matchmaking
from directory.extensions import db
from directory.introductions import notify
from directory.introductions import states as st
from directory.models import (
    Business,
    Introduction,
    IntroductionEvent,
    Network,
    Outcome,
    Report,
    User,
    utcnow,
)
from matching.vocab import TOPICS

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


def setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])


# -- who may do what -------------------------------------------------------------------------


def coordinates(user: User | None, intro: Introduction) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return user.role == "coordinator" and intro.network_id in {n.id for n in user.networks}


def owns(user: User | None, business: Business) -> bool:
    return bool(user and user.is_authenticated and business.owner_id == user.id)


def is_party(user: User | None, intro: Introduction) -> bool:
    return owns(user, intro.requester) or owns(user, intro.target)


def allowed(user: User | None, action: str, intro: Introduction) -> bool:
    """The permission matrix: whether `user` may take `action` now (state aside)."""
    if action == "view":
        return is_party(user, intro) or coordinates(user, intro)
    if action in ("outcome", "report"):
        return is_party(user, intro) or coordinates(user, intro)
    transition = st.TRANSITIONS[action]
    if transition.actor == st.COORDINATOR:
        return coordinates(user, intro)
    if transition.actor == st.TARGET:
        # A business listed by its network without an account: its coordinator answers for it.
        if intro.target.owner_id is None:
            return coordinates(user, intro)
        return owns(user, intro.target)
    if transition.actor == st.PARTY:
        return is_party(user, intro)
    if transition.actor == st.PARTY_OR_COORDINATOR:
        return is_party(user, intro) or coordinates(user, intro)
    return False  # system only


def available_actions(user: User | None, intro: Introduction) -> list[str]:
    return [
        action
        for action, t in st.TRANSITIONS.items()
        if intro.state in t.sources and t.actor != st.SYSTEM and allowed(user, action, intro)
    ]


def contacts_visible(user: User | None, intro: Introduction) -> bool:
    """Contact details only once approved and accepted, and only to those involved."""
    return intro.state in st.CONTACTS_SHARED and (is_party(user, intro) or coordinates(user, intro))


# -- reading ---------------------------------------------------------------------------------


def open_counts(ids=None) -> dict[int, int]:
    """Open introductions per business, on either side (mentor load for matching)."""
    counts: dict[int, int] = {}
    for column in (Introduction.requester_id, Introduction.target_id):
        stmt = select(column, func.count()).where(Introduction.state.in_(st.OPEN))
        if ids is not None:
            stmt = stmt.where(column.in_(list(ids)))
        for business_id, n in db.session.execute(stmt.group_by(column)):
            counts[business_id] = counts.get(business_id, 0) + n
    return counts


def _queue(user: User):
    """The pending requests this coordinator may decide."""
    stmt = select(Introduction).where(Introduction.state == st.REQUESTED)
    if not user.is_admin:
        stmt = stmt.where(Introduction.network_id.in_([n.id for n in user.networks]))
    return stmt


def review_queue(user: User) -> list[Introduction]:
    """Pending requests this coordinator may decide, oldest first."""
    stmt = _queue(user).order_by(Introduction.created_at, Introduction.id)
    return list(db.session.execute(stmt).scalars())


def in_progress(user: User, limit: int = 50) -> list[Introduction]:
    """Approved and accepted introductions of this coordinator's networks, latest first."""
    stmt = select(Introduction).where(Introduction.state.in_([st.APPROVED, st.ACCEPTED]))
    if not user.is_admin:
        stmt = stmt.where(Introduction.network_id.in_([n.id for n in user.networks]))
    stmt = stmt.order_by(Introduction.updated_at.desc(), Introduction.id.desc()).limit(limit)
    return list(db.session.execute(stmt).scalars())


def open_reports(user: User) -> list[Report]:
    stmt = select(Report).where(Report.resolved_at.is_(None)).order_by(Report.created_at)
    reports = db.session.execute(stmt).scalars().all()
    if user.is_admin:
        return list(reports)
    mine = {n.id for n in user.networks}
    return [r for r in reports if _report_networks(r) & mine]


def _report_networks(report: Report) -> set[int]:
    if report.introduction is not None and report.introduction.network_id:
        return {report.introduction.network_id}
    if report.business is not None:
        return {n.id for n in report.business.networks}
    return set()


def for_member(user: User) -> dict[str, list[Introduction]]:
    """A member's introductions, grouped by what they need to do."""
    ids = [b.id for b in user.businesses]
    if not ids:
        return {"waiting": [], "requested": [], "active": [], "past": []}
    rows = (
        db.session.execute(
            select(Introduction)
            .where(or_(Introduction.requester_id.in_(ids), Introduction.target_id.in_(ids)))
            .order_by(Introduction.updated_at.desc())
        )
        .scalars()
        .all()
    )
    groups: dict[str, list[Introduction]] = {
        "waiting": [],
        "requested": [],
        "active": [],
        "past": [],
    }
    for intro in rows:
        if intro.state == st.APPROVED and intro.target_id in ids:
            groups["waiting"].append(intro)
        elif intro.state in st.PENDING:
            groups["requested"].append(intro)
        elif intro.state == st.ACCEPTED:
            groups["active"].append(intro)
        else:
            groups["past"].append(intro)
    return groups


def pending_actions(user: User) -> int:
    """The badge: things waiting for this person."""
    if not user.is_authenticated:
        return 0
    count = 0
    ids = [b.id for b in user.businesses]
    if ids:
        count += db.session.execute(
            select(func.count())
            .select_from(Introduction)
            .where(Introduction.state == st.APPROVED, Introduction.target_id.in_(ids))
        ).scalar()
    if user.is_coordinator:
        queued = select(func.count()).select_from(_queue(user).subquery())
        count += db.session.execute(queued).scalar() + len(open_reports(user))
    return count


# -- acting ----------------------------------------------------------------------------------


def _pair_key(a: int, b: int) -> str:
    return f"{min(a, b)}:{max(a, b)}"


def _route(requester: Business, target: Business) -> Network | None:
    """A network they share, else the requester's, else the target's; None means admins."""
    mine = {n.id: n for n in requester.networks}
    theirs = {n.id: n for n in target.networks}
    for pool in (
        [mine[i] for i in mine if i in theirs],
        list(mine.values()),
        list(theirs.values()),
    ):
        if pool:
            return sorted(pool, key=lambda n: n.name)[0]
    return None


def _match(requester: Business, target: Business, kind: str):
    """The score and reasons the requester saw, if the target is among their suggestions."""
    for suggestion in matchmaking.suggest_for(requester, kind, limit=200):
        if suggestion.id == target.id:
            return suggestion
    return None


def request_introduction(
    actor: User, requester: Business, target: Business, kind: str, message: str
) -> Introduction:
    if not owns(actor, requester):
        raise NotAllowed("You can only ask for introductions for your own businesses.")
    if kind not in ("peer", "mentor"):
        raise RuleError("Choose peer or mentor.")
    if requester.id == target.id or (target.owner_id and target.owner_id == requester.owner_id):
        raise RuleError("You cannot ask for an introduction to your own business.")
    if not target.accepting_requests:
        raise RuleError(f"{target.name} is not taking new introductions at the moment.")
    if kind == "mentor":
        if not target.willing_to_mentor:
            raise RuleError(f"{target.name} has not offered to mentor. Ask as a peer instead.")
        load = open_counts([target.id]).get(target.id, 0)
        if target.mentor_capacity is not None and load >= target.mentor_capacity:
            raise RuleError(f"{target.name} has no room for more introductions right now.")
    message = (message or "").strip()
    if not message:
        raise RuleError("Write a short message: what you hope to learn.")
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
    duplicate = RuleError(
        f"There is already an open introduction between {requester.name} and {target.name}."
    )
    pair = _pair_key(requester.id, target.id)
    if db.session.execute(
        select(Introduction.id).where(
            Introduction.pair_key == pair, Introduction.state.in_(st.OPEN)
        )
    ).first():
        raise duplicate
    suggestion = _match(requester, target, kind)
    intro = Introduction(
        requester=requester,
        target=target,
        created_by=actor,
        kind=kind,
        message=message,
        pair_key=pair,
        network=_route(requester, target),
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
        raise duplicate from None
    notify.send("request", _coordinator_emails(intro.network), intro)
    db.session.commit()
    _after_change(intro)
    return intro


def _move(
    intro: Introduction,
    action: str,
    actor: User | None,
    note: str = "",
    now: datetime | None = None,
    **values,
) -> None:
    """Apply one transition atomically, or raise AlreadyDecided."""
    transition = st.TRANSITIONS[action]
    if actor is not None and not allowed(actor, action, intro):
        raise NotAllowed(f"You cannot {action} this introduction.")
    if transition.needs_reason and not note.strip():
        raise RuleError("Give a reason: the requester will see it.")
    now = now or utcnow()
    result = db.session.execute(
        update(Introduction)
        .where(Introduction.id == intro.id, Introduction.state.in_(transition.sources))
        .values(state=transition.target, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        db.session.refresh(intro)
        raise AlreadyDecided(intro.state)
    db.session.add(
        IntroductionEvent(
            introduction_id=intro.id,
            actor=actor,
            from_state=intro.state,
            to_state=transition.target,
            note=note.strip(),
            at=now,
        )
    )
    db.session.flush()
    db.session.refresh(intro)


def approve(intro: Introduction, actor: User, note: str = "") -> None:
    _move(
        intro,
        "approve",
        actor,
        note,
        coordinator_note=note.strip(),
        approved_at=utcnow(),
        reminded_at=None,
    )
    if intro.target.owner_id:
        notify.send("approved_target", _owner_email(intro.target), intro)
    else:
        notify.send("approved_unowned", _coordinator_emails(intro.network), intro)
    notify.send("approved_requester", _owner_email(intro.requester), intro)
    db.session.commit()
    _after_change(intro)


def decline(intro: Introduction, actor: User, reason: str) -> None:
    _move(intro, "decline", actor, reason, decline_reason=reason.strip(), closed_at=utcnow())
    notify.send("declined", _owner_email(intro.requester), intro)
    db.session.commit()
    _after_change(intro)


def accept(intro: Introduction, actor: User) -> None:
    _move(intro, "accept", actor, accepted_at=utcnow(), reminded_at=None)
    for me, other in ((intro.requester, intro.target), (intro.target, intro.requester)):
        notify.send("accepted", _owner_email(me), intro, me=me, other=other)
    db.session.commit()
    _after_change(intro)


def reject(intro: Introduction, actor: User, reason: str = "") -> None:
    _move(intro, "reject", actor, reason, closed_at=utcnow())
    notify.send("rejected", _owner_email(intro.requester), intro)
    db.session.commit()
    _after_change(intro)


def withdraw(intro: Introduction, actor: User, reason: str = "") -> None:
    was = intro.state
    _move(intro, "withdraw", actor, reason, closed_at=utcnow())
    other = intro.target if owns(actor, intro.requester) else intro.requester
    if was == st.APPROVED or other is intro.requester:
        notify.send("withdrawn", _owner_email(other), intro)
    db.session.commit()
    _after_change(intro)


def complete(intro: Introduction, actor: User | None, note: str = "") -> None:
    _move(intro, "complete", actor, note, closed_at=utcnow())
    db.session.commit()
    _after_change(intro)


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


def report_problem(
    actor: User, reason: str, intro: Introduction | None = None, business: Business | None = None
) -> Report:
    reason = (reason or "").strip()
    if not reason:
        raise RuleError("Tell the coordinators what the problem is.")
    if intro is not None and not allowed(actor, "report", intro):
        raise NotAllowed("You can only report introductions you are part of.")
    report = Report(reporter=actor, introduction=intro, business=business, reason=reason)
    db.session.add(report)
    if intro is not None:
        subject = f"{intro.requester.name} → {intro.target.name}"
        network = intro.network
    else:
        subject = f"the profile of {business.name}" if business else "Peerlink"
        network = _route(business, business) if business else None
    notify.send("report", _coordinator_emails(network), None, subject=subject, reason=reason)
    db.session.commit()
    return report


def resolve_report(report: Report, actor: User, resolution: str = "") -> None:
    if not actor.is_coordinator:
        raise NotAllowed("Only coordinators resolve reports.")
    report.resolved_at = utcnow()
    report.resolved_by_id = actor.id
    report.resolution = resolution.strip()
    db.session.commit()


# -- the clock: reminders, expiry, follow-ups -----------------------------------------------


@dataclass
class TickReport:
    reminded: int = 0
    expired: int = 0
    followed_up: int = 0


def tick(now: datetime | None = None) -> TickReport:
    """Run from cron as often as wanted: each reminder, expiry and follow-up happens once."""
    now = now or utcnow()
    report = TickReport()
    remind_before = now - timedelta(days=setting("INTRO_REMINDER_DAYS"))
    expire_before = now - timedelta(days=setting("INTRO_EXPIRY_DAYS"))

    for intro in _select(
        Introduction.state.in_(st.PENDING), Introduction.created_at <= expire_before
    ):
        try:
            _move(intro, "expire", None, "No answer in time.", now=now, closed_at=now)
        except AlreadyDecided:
            continue
        notify.send("expired", _owner_email(intro.requester), intro, next_best=_next_best(intro))
        db.session.commit()
        _after_change(intro)
        report.expired += 1

    waiting_since = func.coalesce(Introduction.approved_at, Introduction.created_at)
    for intro in _select(
        Introduction.state.in_(st.PENDING),
        Introduction.reminded_at.is_(None),
        waiting_since <= remind_before,
    ):
        claimed = db.session.execute(
            update(Introduction)
            .where(
                Introduction.id == intro.id,
                Introduction.reminded_at.is_(None),
                Introduction.state == intro.state,
            )
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            db.session.rollback()
            continue
        if intro.state == st.REQUESTED or intro.target.owner_id is None:
            addresses = _coordinator_emails(intro.network)
        else:
            addresses = [_owner_email(intro.target)]
        notify.send("reminder", addresses, intro)
        db.session.commit()
        report.reminded += 1

    for step, days in enumerate(setting("INTRO_FOLLOWUP_DAYS"), start=1):
        due = now - timedelta(days=days)
        for intro in _select(
            Introduction.state.in_(st.CONTACTS_SHARED),
            Introduction.accepted_at <= due,
            Introduction.followups_sent < step,
        ):
            claimed = db.session.execute(
                update(Introduction)
                .where(Introduction.id == intro.id, Introduction.followups_sent < step)
                .values(followups_sent=step)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed != 1:
                db.session.rollback()
                continue
            for side, other in ((intro.requester, intro.target), (intro.target, intro.requester)):
                notify.send("follow_up", _owner_email(side), intro, other=other, days=days)
            db.session.commit()
            report.followed_up += 1
    return report


def _select(*conditions) -> list[Introduction]:
    return list(
        db.session.execute(
            select(Introduction).where(*conditions).order_by(Introduction.id)
        ).scalars()
    )


def _next_best(intro: Introduction):
    """The requester's best suggestion now, other than the one that did not answer."""
    busy = {
        i.target_id
        for i in _select(
            Introduction.requester_id == intro.requester_id, Introduction.state.in_(st.OPEN)
        )
    }
    for suggestion in matchmaking.suggest_for(intro.requester, intro.kind, limit=10):
        if suggestion.id != intro.target_id and suggestion.id not in busy:
            return suggestion
    return None


def _after_change(intro: Introduction) -> None:
    matchmaking.refresh_load([intro.requester_id, intro.target_id])


# -- addresses and words ---------------------------------------------------------------------


def _owner_email(business: Business) -> str:
    return business.owner.email if business.owner else business.email


def _coordinator_emails(network: Network | None) -> list[str]:
    """The network's coordinators; the admins when there is no network or no coordinator."""
    if network is not None and network.coordinators:
        users = network.coordinators
    else:
        users = db.session.execute(select(User).where(User.role == "admin")).scalars().all()
    return sorted({u.email for u in users})
