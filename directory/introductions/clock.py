"""What the clock does: reminders, expiry and follow-ups, each exactly once.

Run from cron (`flask --app wsgi introductions tick`) as often as wanted. Each step claims its
introduction with a conditional UPDATE, so two ticks running at once never send twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from directory.extensions import db
from directory.introductions import commands, notify, queries, routing
from directory.introductions import states as st
from directory.models import Introduction, utcnow


@dataclass
class TickReport:
    reminded: int = 0
    expired: int = 0
    followed_up: int = 0


def _select(*conditions) -> list[Introduction]:
    return list(
        db.session.execute(
            select(Introduction).where(*conditions).order_by(Introduction.id)
        ).scalars()
    )


def _claim(intro: Introduction, *conditions, **values) -> bool:
    """Mark one step done for this introduction, unless another tick did it first."""
    # An UPDATE gives a CursorResult, which has rowcount; execute() is typed as Result.
    claimed = db.session.execute(  # type: ignore[attr-defined]
        update(Introduction)
        .where(Introduction.id == intro.id, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
    return claimed == 1


def expire(now: datetime) -> int:
    before = now - timedelta(days=commands.setting("INTRO_EXPIRY_DAYS"))
    n = 0
    for intro in _select(Introduction.state.in_(st.PENDING), Introduction.created_at <= before):
        try:
            commands.move(intro, "expire", None, "No answer in time.", now=now, closed_at=now)
        except commands.AlreadyDecided:
            continue
        best = queries.next_best(intro, limit=1)
        notify.send(
            "expired",
            routing.owner_email(intro.requester),
            intro,
            next_best=best[0] if best else None,
        )
        db.session.commit()
        commands.after_change(intro)
        n += 1
    return n


def remind(now: datetime) -> int:
    before = now - timedelta(days=commands.setting("INTRO_REMINDER_DAYS"))
    waiting_since = func.coalesce(Introduction.approved_at, Introduction.created_at)
    n = 0
    for intro in _select(
        Introduction.state.in_(st.PENDING),
        Introduction.reminded_at.is_(None),
        waiting_since <= before,
    ):
        if not _claim(
            intro,
            Introduction.reminded_at.is_(None),
            Introduction.state == intro.state,
            reminded_at=now,
        ):
            continue
        if intro.state == st.REQUESTED or intro.target.owner_id is None:
            addresses = routing.reviewer_emails(intro.network, intro.requester, intro.target)
        else:
            addresses = [routing.owner_email(intro.target)]
        notify.send("reminder", addresses, intro)
        db.session.commit()
        n += 1
    return n


def follow_up(now: datetime) -> int:
    n = 0
    for step, days in enumerate(commands.setting("INTRO_FOLLOWUP_DAYS"), start=1):
        due = now - timedelta(days=days)
        for intro in _select(
            Introduction.state.in_(st.CONTACTS_SHARED),
            Introduction.accepted_at <= due,
            Introduction.followups_sent < step,
        ):
            if not _claim(intro, Introduction.followups_sent < step, followups_sent=step):
                continue
            for side, other in ((intro.requester, intro.target), (intro.target, intro.requester)):
                notify.send("follow_up", routing.owner_email(side), intro, other=other, days=days)
            db.session.commit()
            n += 1
    return n


def tick(now: datetime | None = None) -> TickReport:
    """Expire first (an expired request needs no reminder), then remind, then follow up."""
    now = now or utcnow()
    return TickReport(expired=expire(now), reminded=remind(now), followed_up=follow_up(now))
