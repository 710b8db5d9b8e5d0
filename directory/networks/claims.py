"""Claiming a profile nobody owns: by its email, or with evidence a coordinator checks.

An imported organisation has no owner; until someone proves it is theirs the profile is marked
unclaimed, and only the admins edit it. A claim either proves control of the profile's contact
email (a signed link sent there) or goes to a coordinator of the business's network (else the
admins) with the evidence the claimant gives. The claimant sees pending and refused claims.
"""

from __future__ import annotations

from sqlalchemy import select

from directory import accounts
from directory.businesses import service as business_service
from directory.extensions import db
from directory.introductions import notify, routing
from directory.introductions.commands import NotAllowed, RuleError
from directory.introductions.permissions import coordinates_network
from directory.links import external_url
from directory.models import Business, Claim, User, utcnow
from directory.models.networks import APPROVED, PENDING, REFUSED


def claimable(business: Business) -> bool:
    return business.owner_id is None


def pending_claim(user: User, business: Business) -> Claim | None:
    return db.session.execute(
        select(Claim).where(
            Claim.user_id == user.id, Claim.business_id == business.id, Claim.status == PENDING
        )
    ).scalar_one_or_none()


def _start(user: User, business: Business, method: str, evidence: str = "") -> Claim:
    if not claimable(business):
        raise RuleError(f"{business.name} already has an owner.")
    if pending_claim(user, business) is not None:
        raise RuleError(f"You have already claimed {business.name}; the claim is pending.")
    claim = Claim(business=business, user=user, method=method, evidence=evidence)
    db.session.add(claim)
    db.session.flush()
    return claim


def claim_by_email(user: User, business: Business) -> Claim:
    """Send a signed link to the profile's contact address; following it proves the claim."""
    if not business.email:
        raise RuleError(f"{business.name} has no contact email: give evidence instead.")
    claim = _start(user, business, "email")
    token = accounts.make_token("claim", claim=claim.id, business=business.id)
    notify.send(
        "claim_email",
        business.email,
        None,
        claim=claim,
        confirm=external_url("networks.confirm_claim", token=token),
        days=accounts.lifetime("claim").days,
    )
    db.session.commit()
    return claim


def claim_with_evidence(user: User, business: Business, evidence: str) -> Claim:
    """Ask the business's network coordinator (else the admins) to confirm."""
    evidence = (evidence or "").strip()
    if not evidence:
        raise RuleError("Tell the coordinator how you are connected to this organisation.")
    claim = _start(user, business, "evidence", evidence)
    notify.send(
        "claim_review", routing.reviewer_emails(reviewing_network(business)), None, claim=claim
    )
    db.session.commit()
    return claim


def reviewing_network(business: Business):
    return routing.route(business, business)


def _grant(claim: Claim, decided_by: User | None, note: str = "") -> None:
    business = claim.business
    business.owner = claim.user
    claim.status, claim.note, claim.decided_at = APPROVED, note, utcnow()
    claim.decided_by_id = decided_by.id if decided_by else None
    others = select(Claim).where(
        Claim.business_id == business.id, Claim.status == PENDING, Claim.id != claim.id
    )
    for other in db.session.execute(others).scalars():
        other.status, other.decided_at = REFUSED, utcnow()
        other.note = "Someone else proved this organisation is theirs."


def confirm_by_email(token: str, user: User) -> Claim:
    """The claimant followed the link sent to the profile's address: the profile is theirs."""
    found = accounts.read_token("claim", token)
    claim = db.session.get(Claim, found.data.get("claim"))
    if claim is None or claim.business_id != found.data.get("business"):
        raise accounts.TokenError("invalid")
    if claim.user_id != user.id:
        raise NotAllowed("Sign in with the account that made the claim, then follow the link.")
    if claim.status != PENDING or not claimable(claim.business):
        raise RuleError("This claim was already decided.")
    accounts.spend_token("claim", token)
    _grant(claim, None)
    db.session.commit()
    business_service.directory_changed()
    return claim


def may_decide(user: User | None, claim: Claim) -> bool:
    """Coordinators of the business's networks, or the admins; never the claimant."""
    if user is None or not user.is_authenticated or user.id == claim.user_id:
        return False
    networks = claim.business.networks
    return user.is_admin or any(coordinates_network(user, n.id) for n in networks)


def decide(claim: Claim, actor: User, approve: bool, note: str = "") -> None:
    if not may_decide(actor, claim):
        raise NotAllowed("Only the business's network coordinators or an admin decide claims.")
    if claim.status != PENDING:
        raise RuleError("This claim was already decided.")
    note = (note or "").strip()
    if approve:
        if not claimable(claim.business):
            raise RuleError(f"{claim.business.name} already has an owner.")
        _grant(claim, actor, note)
    else:
        if not note:
            raise RuleError("Give a reason: the claimant will see it.")
        claim.status, claim.note, claim.decided_at = REFUSED, note, utcnow()
        claim.decided_by_id = actor.id
    notify.send("claim_decided", claim.user.email, None, claim=claim)
    db.session.commit()
    business_service.directory_changed()


def pending_claims(user: User) -> list[Claim]:
    rows = db.session.execute(
        select(Claim).where(Claim.status == PENDING, Claim.method == "evidence")
    ).scalars()
    return [c for c in rows if may_decide(user, c)]


def claims_of(user: User) -> list[Claim]:
    return list(
        db.session.execute(
            select(Claim).where(Claim.user_id == user.id).order_by(Claim.created_at.desc())
        ).scalars()
    )
