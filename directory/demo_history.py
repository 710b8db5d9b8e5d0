"""A plausible 18-month history of introductions for the demo, so evidence means something.

Requests grow month by month; coordinators decide within days; most approved introductions are
accepted; some expire; a little over half of the accepted ones get an outcome form with answers
up the value-creation ladder, and some authors share a story. Reminders and follow-ups that
would already have happened are marked as sent, so the first `introductions tick` emails nobody
about the past. Organisations with an account are left out, so the demo accounts start clean.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from directory.evidence import freshness as evidence_freshness
from directory.evidence.ladder import DIFFERENCE_KINDS
from directory.extensions import db
from directory.introductions import states as st
from directory.matches import freshness as directory_freshness
from directory.models import (
    Business,
    BusinessTopic,
    Introduction,
    IntroductionEvent,
    Outcome,
    SuggestionView,
    User,
    business_networks,
    network_coordinators,
    utcnow,
)
from matching.vocab import TOPICS

MONTHS = 18
STORIES = [
    "Their treasurer walked us through a community share offer; we raised {money} in six weeks.",
    "We copied their volunteer rota and now open two more days a week.",
    "A visit to their shop changed how our committee sees the business: we now plan for growth.",
    "They shared their grant applications; our next bid to the lottery was successful.",
    "We now buy together with them and save about {money} a year on stock.",
    "Their advice on the lease saved us months of negotiation with the landlord.",
    "Our board now reports social impact the way they do, and our funder noticed.",
    "Two of their volunteers trained ours on the till system in an afternoon.",
]
MESSAGES = {
    "mentor": "We are working on {need} and would value an hour with someone who has done it.",
    "peer": "We are a {sector} like you and would like to compare notes on {need}.",
}


def _orgs():
    rows = db.session.execute(
        select(Business.id, Business.sector, Business.willing_to_mentor).where(
            Business.listed.is_(True), Business.owner_id.is_(None)
        )
    ).all()
    networks = defaultdict(set)
    for b, n in db.session.execute(select(business_networks)):
        networks[b].add(n)
    topics = defaultdict(list)
    for b, kind, topic in db.session.execute(
        select(BusinessTopic.business_id, BusinessTopic.kind, BusinessTopic.topic)
    ):
        topics[b, kind].append(topic)
    return rows, networks, topics


def generate(count: int | None = None, seed: int = 1, now: datetime | None = None) -> int:
    """Add `count` introductions (default: one per six organisations) with their events,
    outcomes and suggestion views; returns how many were added."""
    rng = random.Random(seed)
    now = now or utcnow()
    start = now - timedelta(days=round(MONTHS * 30.4))
    rows, networks, topics = _orgs()
    if len(rows) < 2:
        return 0
    count = count if count is not None else max(20, len(rows) // 6)
    deciders = _deciders()
    _spread_registrations(rng, rows, start, now)

    by_offer = defaultdict(list)
    by_sector = defaultdict(list)
    for b, sector, mentor in rows:
        by_sector[sector].append(b)
        if mentor:
            for topic in topics[b, "offer"]:
                by_offer[topic].append(b)
    sector_of = {b: sector for b, sector, _ in rows}
    seekers = [b for b, _, _ in rows if topics[b, "need"]] or [b for b, _, _ in rows]

    intros, plans = [], []
    open_pairs = set(  # at most one open introduction per pair, with earlier runs' too
        db.session.execute(
            select(Introduction.pair_key).where(Introduction.state.in_(st.OPEN))
        ).scalars()
    )
    span = (now - start).total_seconds()
    for _ in range(count):
        created = start + timedelta(seconds=span * rng.random() ** 0.7)  # more lately
        requester = rng.choice(seekers)
        needs = topics[requester, "need"]
        need = rng.choice(needs) if needs else rng.choice(list(TOPICS))
        mentors = [m for m in by_offer.get(need, ()) if m != requester]
        if mentors and rng.random() < 0.6:
            kind, target = "mentor", rng.choice(mentors)
        else:
            peers = [p for p in by_sector[sector_of[requester]] if p != requester]
            kind, target = "peer", rng.choice(peers or [b for b, _, _ in rows if b != requester])
        pair = f"{min(requester, target)}:{max(requester, target)}"
        plan = _lifecycle(rng, created, now)
        if plan["state"] in st.OPEN:
            if pair in open_pairs:
                continue
            open_pairs.add(pair)
        shared = networks[requester] & networks[target]
        network = min(shared or networks[requester] or networks[target] or {None}, key=str)
        message = MESSAGES[kind].format(need=TOPICS[need].lower(), sector=sector_of[requester])
        intros.append(
            {
                "requester_id": requester,
                "target_id": target,
                "network_id": network,
                "pair_key": pair,
                "kind": kind,
                "message": message,
                "reasons": [],
                "needs_at_request": needs,
                "coordinator_note": "",
                "decline_reason": "Not the right match at the moment." if plan["declined"] else "",
                "created_at": created,
                "updated_at": plan["updated_at"],
                **{k: plan[k] for k in ("state", "approved_at", "accepted_at", "closed_at")},
                "reminded_at": plan["reminded_at"],
                "followups_sent": plan["followups_sent"],
            }
        )
        plans.append(plan)
    ids = (
        db.session.execute(
            insert(Introduction.__table__).returning(
                Introduction.__table__.c.id, sort_by_parameter_order=True
            ),
            intros,
        )
        .scalars()
        .all()
    )

    events, outcomes = [], []
    for n, (intro_id, row, plan) in enumerate(zip(ids, intros, plans, strict=True)):
        decider = deciders(row["network_id"], n)
        for from_state, to_state, at in plan["events"]:
            events.append(
                {
                    "introduction_id": intro_id,
                    "actor_id": decider if to_state in (st.APPROVED, st.DECLINED) else None,
                    "from_state": from_state,
                    "to_state": to_state,
                    "note": "",
                    "at": at,
                }
            )
        if row["accepted_at"] is not None:
            outcomes += _outcomes(rng, intro_id, row, now)
    if events:
        db.session.execute(insert(IntroductionEvent.__table__), events)
    if outcomes:
        db.session.execute(insert(Outcome.__table__), outcomes)
    views = [
        {
            "business_id": rng.choice(seekers),
            "viewed_at": start + timedelta(seconds=span * rng.random() ** 0.7),
        }
        for _ in range(count * 4)
    ]
    db.session.execute(insert(SuggestionView.__table__), views)
    # Core inserts skip the session events that keep the matching index and evidence current:
    # say what changed, in the same transaction.
    directory_freshness.bump(
        db.session(), {b for b, _, _ in rows} | {i[side] for i in intros for side in SIDES}
    )
    evidence_freshness.bump(db.session(), {o["introduction_id"] for o in outcomes})
    db.session.commit()
    return len(ids)


SIDES = ("requester_id", "target_id")


def _deciders() -> Callable[[int | None, int], int | None]:
    """Who approved or declined a request: a coordinator of the network it was routed to
    (taking turns when a network has several), an admin when it has none."""
    admin_id = db.session.execute(
        select(User.id).where(User.role == "admin").order_by(User.id)
    ).scalar()
    coordinators: defaultdict[int, list[int]] = defaultdict(list)
    for network_id, user_id in db.session.execute(
        select(network_coordinators.c.network_id, network_coordinators.c.user_id)
        .join(User, User.id == network_coordinators.c.user_id)
        .where(User.role == "coordinator")
        .order_by(network_coordinators.c.user_id)
    ):
        coordinators[network_id].append(user_id)

    def decider(network_id: int | None, n: int) -> int | None:
        chosen = coordinators.get(network_id) if network_id is not None else None
        return chosen[n % len(chosen)] if chosen else admin_id

    return decider


def _lifecycle(rng: random.Random, created: datetime, now: datetime) -> dict:
    """Where one introduction has got to by `now`, with the times of each step."""
    plan: dict[str, Any] = {
        "state": st.REQUESTED,
        "approved_at": None,
        "accepted_at": None,
        "closed_at": None,
        "declined": False,
        "reminded_at": None,
        "followups_sent": 0,
        "events": [(None, st.REQUESTED, created)],
    }

    def move(state: str, at: datetime, **values) -> bool:
        if at > now:
            return False
        plan["events"].append((plan["state"], state, at))
        plan.update(state=state, **values)
        return True

    decided = created + timedelta(days=rng.uniform(0.2, 12))
    roll = rng.random()
    if roll < 0.06:
        move(st.EXPIRED, created + timedelta(days=21), closed_at=created + timedelta(days=21))
    elif roll < 0.14:
        move(st.DECLINED, decided, closed_at=decided, declined=True)
    elif move(st.APPROVED, decided, approved_at=decided):
        answered = decided + timedelta(days=rng.uniform(0.5, 15))
        roll = rng.random()
        if roll < 0.08:
            move(st.REJECTED, answered, closed_at=answered)
        elif roll < 0.16:
            expiry = created + timedelta(days=21)
            move(st.EXPIRED, expiry, closed_at=expiry)
        elif move(st.ACCEPTED, answered, accepted_at=answered):
            done = answered + timedelta(days=rng.uniform(45, 200))
            if rng.random() < 0.5:
                move(st.COMPLETED, done, closed_at=done)
            age = (now - answered).days
            plan["followups_sent"] = 2 if age >= 90 else (1 if age >= 30 else 0)
    if plan["state"] in st.PENDING:
        waiting = plan["approved_at"] or created
        if (now - created).days >= 21:
            move(st.EXPIRED, created + timedelta(days=21), closed_at=created + timedelta(days=21))
        elif (now - waiting).days >= 7:
            plan["reminded_at"] = waiting + timedelta(days=7)
    plan["updated_at"] = plan["events"][-1][2]
    return plan


def _outcomes(rng: random.Random, intro_id: int, row: dict, now: datetime) -> list[dict]:
    answers = []
    for side in ("requester_id", "target_id"):
        days = rng.choice((30, 30, 90))
        at = row["accepted_at"] + timedelta(days=days + rng.uniform(0, 10))
        if at > now or rng.random() > (0.55 if side == "requester_id" else 0.3):
            continue
        met = rng.random() < 0.9
        useful = rng.choices((1, 2, 3, 4, 5), (2, 4, 14, 40, 40))[0] if met else None
        learned = met and rng.random() < (0.75 if (useful or 0) >= 4 else 0.3)
        applied = learned and rng.random() < (0.55 if days == 90 else 0.35)
        kinds = (
            rng.sample(list(DIFFERENCE_KINDS), rng.choice((1, 1, 2)))
            if applied and rng.random() < 0.6
            else []
        )
        reframed = applied and rng.random() < 0.25
        story = ""
        if (applied or learned) and rng.random() < 0.45:
            story = rng.choice(STORIES).format(money=f"£{rng.randint(2, 60) * 500:,}")
        answers.append(
            {
                "introduction_id": intro_id,
                "business_id": row[side],
                "recorded_by_id": None,
                "met": met,
                "usefulness": useful,
                "helped_needs": [n for n in row["needs_at_request"] if rng.random() < 0.5]
                if met
                else [],
                "comment": "",
                "created_at": at,
                "follow_up_days": days,
                "learned": learned if met else None,
                "applied": applied if met else None,
                "difference_kinds": kinds,
                "reframed": reframed if met else None,
                "story": story,
                "share_story": bool(story) and rng.random() < 0.7,
            }
        )
    return answers


def _spread_registrations(rng: random.Random, rows, start: datetime, now: datetime) -> None:
    """Most organisations were imported before the history starts; the rest joined since.
    About a third agreed to be named in evidence."""
    span = (now - start).total_seconds()
    table = Business.__table__
    db.session.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(created_at=bindparam("created"), named_in_evidence=bindparam("named")),
        [
            {
                "b_id": b,
                "created": start - timedelta(days=rng.uniform(1, 400))
                if rng.random() < 0.7
                else start + timedelta(seconds=span * rng.random()),
                "named": rng.random() < 0.3,
            }
            for b, _, _ in rows
        ],
    )
