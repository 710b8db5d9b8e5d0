"""A member's rights over their data: download all of it, or delete their account.

Deleting removes the person: their account, every email sent to them or about their
businesses, and the words of the problem reports they wrote. What the other side of an
introduction needs for its own history stays, anonymised: a business that took part in
introductions becomes "A deleted organisation" (sector, stage and region kept for statistics),
and the other side is told by email.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_

from directory.accounts import end_sessions
from directory.auth.service import send
from directory.businesses import service as business_service
from directory.extensions import db
from directory.introductions import states as st
from directory.links import external_url
from directory.models import (
    Business,
    Introduction,
    IntroductionEvent,
    OutboxMessage,
    Report,
    User,
    utcnow,
)

DELETED_NAME = "A deleted organisation"
REMOVED_BODY = "(Removed: the account this email concerned has been deleted.)"


# -- download ----------------------------------------------------------------------------------


def export(user: User) -> dict[str, Any]:
    """Everything Peerlink holds about the member and their businesses, as plain data."""
    ids = [b.id for b in user.businesses]
    return {
        "account": {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "created_at": user.created_at,
            "email_verified_at": user.email_verified_at,
            "coordinates_networks": [n.name for n in user.networks],
        },
        "businesses": [_business(b) for b in user.businesses],
        "introductions": [_introduction(i) for i in _introductions(user, ids)],
        "reports": [_report(r) for r in _reports(user)],
        "emails": [_email(m) for m in _emails(user)],
    }


def _business(b: Business) -> dict[str, Any]:
    columns = {c.key: getattr(b, c.key) for c in Business.__table__.columns}
    return {
        **columns,
        "other_sectors": b.other_sectors,
        "needs": b.needs,
        "offers": b.offers,
        "networks": [n.name for n in b.networks],
    }


def _introductions(user: User, ids: list[int]) -> list[Introduction]:
    return list(
        db.session.execute(
            db.select(Introduction)
            .where(
                or_(
                    Introduction.requester_id.in_(ids),
                    Introduction.target_id.in_(ids),
                    Introduction.created_by_id == user.id,
                )
            )
            .order_by(Introduction.id)
        ).scalars()
    )


def _introduction(i: Introduction) -> dict[str, Any]:
    return {
        "id": i.id,
        "requester": i.requester.name,
        "target": i.target.name,
        "kind": i.kind,
        "state": i.state,
        "message": i.message,
        "reasons": i.reasons,
        "created_at": i.created_at,
        "events": [
            {"at": e.at, "from": e.from_state, "to": e.to_state, "note": e.note} for e in i.events
        ],
        "outcomes": [
            {
                "business": o.business.name if o.business else None,
                "met": o.met,
                "usefulness": o.usefulness,
                "helped_needs": o.helped_needs,
                "comment": o.comment,
                "created_at": o.created_at,
            }
            for o in i.outcomes
        ],
    }


def _reports(user: User) -> list[Report]:
    query = db.select(Report).where(Report.reporter_id == user.id).order_by(Report.id)
    return list(db.session.execute(query).scalars())


def _report(r: Report) -> dict[str, Any]:
    return {
        "id": r.id,
        "introduction": r.introduction_id,
        "business": r.business.name if r.business else None,
        "reason": r.reason,
        "created_at": r.created_at,
        "resolved_at": r.resolved_at,
    }


def _addresses(user: User) -> set[str]:
    return {user.email.lower()} | {b.email.lower() for b in user.businesses if b.email}


def _emails(user: User) -> list[OutboxMessage]:
    query = (
        db.select(OutboxMessage)
        .where(OutboxMessage.to_address.in_(_addresses(user)))
        .order_by(OutboxMessage.id)
    )
    return list(db.session.execute(query).scalars())


def _email(m: OutboxMessage) -> dict[str, Any]:
    return {
        "to": m.to_address,
        "subject": m.subject,
        "body": m.body,
        "status": m.status,
        "created_at": m.created_at,
        "sent_at": m.sent_at,
    }


# -- deletion ----------------------------------------------------------------------------------


def delete_account(user: User) -> None:
    """Delete the member's personal data and keep the other side's history anonymised.

    One transaction: emails to them or naming their businesses, their reports' words, their
    businesses (deleted, or kept as tombstones when they took part in introductions), their
    sessions and their account. The other sides are told after the scrubbing, so those
    notices are not scrubbed.
    """
    businesses = list(user.businesses)
    names = [b.name for b in businesses]
    reasons = [r.reason for r in _reports(user) if r.reason]
    _scrub_emails(_addresses(user), names + reasons)
    for report in _reports(user):
        report.reason = ""
    notices: dict[int, Business] = {}
    for business in businesses:
        introductions = _introductions_of(business.id)
        if introductions:
            notices.update(_close_and_collect(business, introductions, user))
            _tombstone(business)
        else:
            db.session.delete(business)
    end_sessions(user)
    db.session.delete(user)
    db.session.flush()
    for other in notices.values():
        _notify_other_side(other)
    db.session.commit()
    business_service.directory_changed()


def _scrub_emails(addresses: set[str], phrases: list[str]) -> None:
    db.session.execute(db.delete(OutboxMessage).where(OutboxMessage.to_address.in_(addresses)))
    phrases = [p for p in phrases if p]
    if phrases:
        db.session.execute(
            db.update(OutboxMessage)
            .where(or_(*(OutboxMessage.body.contains(p) for p in phrases)))
            .values(body=REMOVED_BODY)
        )


def _introductions_of(business_id: int) -> list[Introduction]:
    query = db.select(Introduction).where(
        or_(Introduction.requester_id == business_id, Introduction.target_id == business_id)
    )
    return list(db.session.execute(query).scalars())


def _close_and_collect(
    business: Business, introductions: list[Introduction], user: User
) -> dict[int, Business]:
    """Withdraw the open introductions and collect the other sides to tell (once each)."""
    notices = {}
    now = utcnow()
    for intro in introductions:
        other = intro.target if intro.requester_id == business.id else intro.requester
        if intro.state in st.OPEN:
            intro.events.append(
                IntroductionEvent(
                    from_state=intro.state,
                    to_state=st.WITHDRAWN,
                    note="The other organisation deleted its account.",
                    at=now,
                )
            )
            intro.state = st.WITHDRAWN
            intro.closed_at = now
        if other.owner_id != user.id:
            notices[other.id] = other
    return notices


def _tombstone(business: Business) -> None:
    """Keep the row the other side's history points at, with nothing that identifies anyone."""
    business.listed = False
    business.name = DELETED_NAME
    business.slug = f"deleted-organisation-{business.id}"
    for column in ("description", "town", "website", "email", "phone"):
        setattr(business, column, "")
    business.postcode = business.outcode = business.legal_form = business.founded_year = None
    business.latitude = round(business.latitude, 1)  # about 10 km: the region, not the place
    business.longitude = round(business.longitude, 1)
    business.needs = []
    business.offers = []
    business.willing_to_mentor = False
    business.accepting_requests = False
    business.mentor_capacity = None
    business.owner = None


def _notify_other_side(other: Business) -> None:
    address = other.owner.email if other.owner else other.email
    if address:
        url = external_url("introductions.index")
        send("partner_deleted", address, business=other, url=url)
