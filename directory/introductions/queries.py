"""What each page lists: a member's introductions, a coordinator's queue, the badge, history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from directory import matchmaking
from directory.extensions import db
from directory.introductions import permissions
from directory.introductions import states as st
from directory.models import Business, Introduction, IntroductionEvent, Report, User


def open_counts(ids=None) -> dict[int, int]:
    """Open introductions per business, on either side (mentor load for matching).

    Many ids (a whole directory) are kept in Python: PostgreSQL takes at most 65,535 bound
    parameters, and the businesses with open introductions are few.
    """
    wanted = None if ids is None else set(ids)
    counts: dict[int, int] = {}
    for column in (Introduction.requester_id, Introduction.target_id):
        stmt = select(column, func.count()).where(Introduction.state.in_(st.OPEN))
        if wanted is not None and len(wanted) <= 1000:
            stmt = stmt.where(column.in_(sorted(wanted)))
        for business_id, n in db.session.execute(stmt.group_by(column)):
            if wanted is None or business_id in wanted:
                counts[business_id] = counts.get(business_id, 0) + n
    return counts


def _reviewable(user: User, *states: str):
    """Introductions in these states that this person reviews and has no stake in."""
    requester, target = aliased(Business), aliased(Business)
    stmt = (
        select(Introduction)
        .join(requester, Introduction.requester_id == requester.id)
        .join(target, Introduction.target_id == target.id)
        .where(Introduction.state.in_(states))
        .where(
            or_(requester.owner_id.is_(None), requester.owner_id != user.id),
            or_(target.owner_id.is_(None), target.owner_id != user.id),
        )
    )
    if not user.is_admin:
        stmt = stmt.where(Introduction.network_id.in_([n.id for n in user.networks]))
    return stmt


def review_queue(user: User) -> list[Introduction]:
    """Pending requests this coordinator may decide, oldest first."""
    stmt = _reviewable(user, st.REQUESTED).order_by(Introduction.created_at, Introduction.id)
    return list(db.session.execute(stmt).scalars())


def awaiting_answer_for_unowned(user: User) -> list[Introduction]:
    """Approved requests to businesses without an account: the coordinator may record answers."""
    target = aliased(Business)
    stmt = (
        _reviewable(user, st.APPROVED)
        .join(target, Introduction.target_id == target.id)
        .where(target.owner_id.is_(None))
        .order_by(Introduction.approved_at, Introduction.id)
    )
    return list(db.session.execute(stmt).scalars())


def in_progress(user: User, limit: int = 50) -> list[Introduction]:
    """Approved and accepted introductions of this coordinator's networks, latest first."""
    stmt = select(Introduction).where(Introduction.state.in_([st.APPROVED, st.ACCEPTED]))
    if not user.is_admin:
        stmt = stmt.where(Introduction.network_id.in_([n.id for n in user.networks]))
    stmt = stmt.order_by(Introduction.updated_at.desc(), Introduction.id.desc()).limit(limit)
    return list(db.session.execute(stmt).scalars())


def report_networks(report: Report) -> set[int]:
    if report.introduction is not None and report.introduction.network_id:
        return {report.introduction.network_id}
    if report.business is not None:
        return {n.id for n in report.business.networks}
    return set()


def open_reports(user: User) -> list[Report]:
    """Unresolved reports this person may resolve (one rule: permissions.may_resolve)."""
    stmt = select(Report).where(Report.resolved_at.is_(None)).order_by(Report.created_at)
    reports = db.session.execute(stmt).scalars().all()
    return [r for r in reports if permissions.may_resolve(user, report_networks(r))]


def for_member(user: User) -> dict[str, list[Introduction]]:
    """A member's introductions, grouped by what they need to do.

    Requests to their businesses appear only once a coordinator has approved them.
    """
    groups: dict[str, list[Introduction]] = {k: [] for k in ("waiting", "requested", "active")}
    groups["past"] = []
    ids = [b.id for b in user.businesses]
    if not ids:
        return groups
    rows = db.session.execute(
        select(Introduction)
        .where(
            or_(
                Introduction.requester_id.in_(ids),
                and_(Introduction.target_id.in_(ids), Introduction.approved_at.is_not(None)),
            )
        )
        .order_by(Introduction.updated_at.desc())
    ).scalars()
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
        ).scalar_one()
    if user.is_coordinator:
        from directory.networks import claims, service  # they build on introductions

        queued = select(func.count()).select_from(_reviewable(user, st.REQUESTED).subquery())
        count += db.session.execute(queued).scalar_one() + len(open_reports(user))
        count += len(service.pending_joins(user)) + len(claims.pending_claims(user))
    return count


def pair_key(a: int, b: int) -> str:
    return f"{min(a, b)}:{max(a, b)}"


def open_between(a: Business, b: Business) -> Introduction | None:
    """The open introduction between two businesses, whoever asked."""
    return db.session.execute(
        select(Introduction).where(
            Introduction.pair_key == pair_key(a.id, b.id), Introduction.state.in_(st.OPEN)
        )
    ).scalar_one_or_none()


def open_with(user: User, target: Business) -> Introduction | None:
    """An open introduction between any of this member's businesses and `target`."""
    for mine in user.businesses if user.is_authenticated else []:
        if mine.id != target.id and (found := open_between(mine, target)) is not None:
            return found
    return None


def next_best(intro: Introduction, limit: int = 3) -> list:
    """The requester's best suggestions now that are open to requests, other than this one."""
    busy = set(
        db.session.execute(
            select(Introduction.target_id).where(
                Introduction.requester_id == intro.requester_id,
                Introduction.state.in_(st.OPEN),
            )
        ).scalars()
    )
    found = []
    for suggestion in matchmaking.suggest_for(intro.requester, intro.kind, limit=limit + 10):
        if suggestion.id == intro.target_id or suggestion.id in busy:
            continue
        business = db.session.get(Business, suggestion.id)
        if business is not None and business.accepting_requests and business.listed:
            found.append(suggestion)
        if len(found) == limit:
            break
    return found


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    state: str
    who: str
    note: str


def _who(event: IntroductionEvent, intro: Introduction) -> str:
    """Names a business or a role, never an account's email address."""
    if event.via == "invitation":
        return f"{intro.target.name} (from the emailed invitation)"
    if event.actor is None:
        return "Peerlink (automatic)"
    if event.via == "on-behalf":
        coordinator = event.actor.name or "a coordinator"
        return f"{coordinator}, on behalf of {intro.target.name}"
    if event.actor_id == intro.requester.owner_id:
        return intro.requester.name
    if event.actor_id == intro.target.owner_id:
        return intro.target.name
    return event.actor.name or ("an admin" if event.actor.is_admin else "a coordinator")


def history(intro: Introduction) -> list[HistoryLine]:
    return [HistoryLine(e.at, st.STATES[e.to_state], _who(e, intro), e.note) for e in intro.events]
