"""Evidence rows read from the database as columns, and what says whether they changed.

Core selects of only the columns the figures need, in a few queries; timestamps and JSON are
read as text, so that neither driver builds a Python object per value, and parsed in bulk.
Each loader reads every row, or only those a change log names.
"""

from __future__ import annotations

import functools
import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from sqlalchemy import String, case, cast, func, or_, select, true

from directory.evidence.columns import (
    NO_ID,
    TOPIC_CODES,
    Answers,
    Intros,
    Orgs,
    Pairs,
    concat,
    flags,
    ids,
    objects,
    rows_of,
    sort_by_id,
    times,
)
from directory.extensions import db
from directory.models import (
    Business,
    BusinessTopic,
    EvidenceChange,
    EvidenceState,
    Introduction,
    MatchingChange,
    MatchingState,
    Network,
    Outcome,
    SuggestionView,
    business_networks,
)

# Ids in one IN list at most.
IN_LIST_MOST = 1000
# Profile fields whose presence makes a profile complete (each counts the same): seven columns
# of the business row, then having needs, offers and a network.
COMPLETENESS_FIELDS = 10


@dataclass(frozen=True)
class Stamp:
    directory: int
    evidence: int
    last_view: int
    evidence_pruned_up_to: int = 0


def read_stamp() -> Stamp:
    """What the evidence rows depend on, in one query of primary-key reads."""
    values = (
        select(MatchingState.version).where(MatchingState.id == 1),
        select(EvidenceState.version).where(EvidenceState.id == 1),
        select(func.max(SuggestionView.id)),
        select(EvidenceState.pruned_up_to).where(EvidenceState.id == 1),
    )
    row = _execute(select(*(v.scalar_subquery() for v in values))).one()
    return Stamp(*(value or 0 for value in row))


@contextmanager
def bulk_read() -> Iterator[None]:
    """Pause the cyclic garbage collector while rows become columns: the load makes a
    hundred thousand short-lived tuples and lists, none of them in a cycle, and without the
    pause the collector scans the whole heap several times over (it more than doubled the
    load's time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _execute(stmt):
    return db.session.connection().execute(stmt)


def _text(column):
    """Timestamps and JSON as text: parsed in bulk instead of one Python object per value."""
    return cast(column, String)


def _lists(texts: list[str | None]) -> list[tuple]:
    """JSON lists, parsed in one call."""
    parsed = json.loads("[" + ",".join(t or "null" for t in texts) + "]")
    return [tuple(value or ()) for value in parsed]


def _filled():
    """How many of the business row's completeness fields are filled in, counted by the
    database (a field counts when it is not empty)."""
    present = (
        func.length(Business.description) > 0,
        Business.legal_form != "",
        Business.founded_year != 0,
        Business.postcode != "",
        func.length(Business.website) > 0,
        func.length(Business.email) > 0,
        func.length(Business.phone) > 0,
    )
    counts = [case((p, 1), else_=0) for p in present]
    total = counts[0]
    for count in counts[1:]:
        total = total + count
    return total


def _columns(rows, width: int) -> list[tuple]:
    return list(zip(*rows, strict=True)) if rows else [()] * width


def load_orgs(changed: list[int] | None = None) -> Orgs:
    """Every organisation, or only these (by id)."""

    def only(stmt, column):
        return stmt if changed is None else stmt.where(column.in_(changed))

    rows = _execute(
        only(
            select(
                Business.id,
                Business.name,
                Business.sector,
                Business.stage,
                Business.region,
                Business.outcode,
                Business.latitude,
                Business.longitude,
                _text(Business.created_at),
                Business.owner_id.is_not(None),
                Business.listed,
                Business.named_in_evidence,
                Business.willing_to_mentor,
                _filled(),
            ),
            Business.id,
        ).order_by(Business.id)
    ).all()
    (id_, name, sector, stage, region, outcode, lat, lon, created, claimed, listed, named,
     mentor, filled) = _columns(rows, 14)  # fmt: skip
    org_ids = np.array(id_, dtype=np.int64)

    def pairs(business_ids, values: np.ndarray) -> Pairs:
        row = rows_of(org_ids, np.array(business_ids, dtype=np.int64))
        return Pairs(row[row != NO_ID], values[row != NO_ID])

    members = _columns(
        _execute(
            only(
                select(business_networks.c.business_id, business_networks.c.network_id),
                business_networks.c.business_id,
            )
        ).all(),
        2,
    )
    topics = _columns(
        _execute(
            only(
                select(BusinessTopic.business_id, BusinessTopic.kind, BusinessTopic.topic),
                BusinessTopic.business_id,
            )
        ).all(),
        3,
    )
    kinds = objects(topics[1])
    topic_ids, topic_codes = np.array(topics[0], dtype=np.int64), TOPIC_CODES.codes(topics[2])
    needs, offers = (
        pairs(topic_ids[kinds == kind], topic_codes[kinds == kind]) for kind in ("need", "offer")
    )
    networks = pairs(members[0], np.array(members[1], dtype=np.int64))
    n = len(org_ids)
    present = (
        np.array(filled, dtype=np.int64)
        + needs.any_per_row(n)
        + offers.any_per_row(n)
        + networks.any_per_row(n)
    )
    return Orgs(
        id=org_ids,
        name=objects(name),
        sector=objects(sector),
        stage=objects(stage),
        region=objects(region),
        district=objects(d or "" for d in outcode),
        latitude=np.array(lat, dtype=float),
        longitude=np.array(lon, dtype=float),
        created=times(created),
        claimed=flags(claimed),
        listed=flags(listed),
        named=flags(named),
        mentor=flags(mentor),
        completeness=present / COMPLETENESS_FIELDS,
        networks=networks,
        needs=needs,
        offers=offers,
    )


def load_intros(changed: list[int] | None = None) -> Intros:
    """Every introduction, or only those with one of these businesses on either side (each
    side by its own index: an OR of two lists, not of two subqueries, which PostgreSQL would
    answer with a scan of the whole table)."""
    touching = (
        true()
        if changed is None
        else or_(Introduction.requester_id.in_(changed), Introduction.target_id.in_(changed))
    )
    rows = _execute(
        select(
            Introduction.id,
            Introduction.requester_id,
            Introduction.target_id,
            Introduction.network_id,
            Introduction.kind,
            Introduction.state,
            _text(Introduction.created_at),
            _text(Introduction.approved_at),
            _text(Introduction.accepted_at),
            _text(Introduction.closed_at),
            _text(Introduction.needs_at_request),
        )
        .where(touching)
        .order_by(Introduction.id)
    ).all()
    (id_, requester, target, network, kind, state, requested, approved, accepted, closed,
     needs) = _columns(rows, 11)  # fmt: skip
    asked = _lists(list(needs))
    return Intros(
        id=np.array(id_, dtype=np.int64),
        requester=np.array(requester, dtype=np.int64),
        target=np.array(target, dtype=np.int64),
        network=ids(network),
        kind=objects(kind),
        state=objects(state),
        requested=times(requested),
        approved=times(approved),
        accepted=times(accepted),
        closed=times(closed),
        needs=objects(asked),
        asked=Pairs.of(asked, TOPIC_CODES).unique(),
    )


def load_answers(introductions: list[int] | None = None) -> Answers:
    """Every outcome answer, or only those for these introductions (by id, a thousand at a
    time: SQLite takes at most 32,766 values in one statement)."""
    if introductions is not None and len(introductions) > IN_LIST_MOST:
        parts = [
            load_answers(introductions[start : start + IN_LIST_MOST])
            for start in range(0, len(introductions), IN_LIST_MOST)
        ]
        return sort_by_id(functools.reduce(concat, parts))
    stmt = select(
        Outcome.id,
        Outcome.introduction_id,
        Outcome.business_id,
        Outcome.met,
        Outcome.usefulness,
        _text(Outcome.helped_needs),
        Outcome.learned,
        Outcome.applied,
        _text(Outcome.difference_kinds),
        Outcome.reframed,
        Outcome.story,
        Outcome.share_story,
        _text(Outcome.created_at),
    ).order_by(Outcome.id)
    if introductions is not None:
        stmt = stmt.where(Outcome.introduction_id.in_(introductions))
    rows = _execute(stmt).all()
    (id_, intro, business, met, useful, helped, learned, applied, differences, reframed, story,
     share, created) = _columns(rows, 13)  # fmt: skip
    return Answers(
        id=np.array(id_, dtype=np.int64),
        introduction=np.array(intro, dtype=np.int64),
        business=ids(business),
        met=objects(_answer(met)),
        usefulness=objects(useful),
        helped=objects(_lists(list(helped))),
        learned=objects(_answer(learned)),
        applied=objects(_answer(applied)),
        differences=objects(_lists(list(differences))),
        reframed=objects(_answer(reframed)),
        story=objects(s or "" for s in story),
        share=flags(share),
        created=times(created),
    )


def _answer(values) -> list[bool | None]:
    """Yes/no answers as True, False or None whatever the driver returns (SQLite: 1 and 0)."""
    return [None if v is None else bool(v) for v in values]


def load_networks() -> tuple[dict[int, str], dict[str, int]]:
    rows = _execute(select(Network.id, Network.name, Network.slug)).all()
    return {i: name for i, name, _ in rows}, {slug: i for i, _, slug in rows}


def changed_businesses(since: int, until: int) -> np.ndarray | None:
    """The ids of the businesses the directory versions (since, until] changed, from the
    change log; None when the log no longer reaches back that far (it is pruned on refits)."""
    oldest = _execute(select(func.min(MatchingChange.version))).scalar()
    if oldest is None or oldest > since + 1:
        return None
    logged = select(MatchingChange.business_id).where(
        MatchingChange.version > since, MatchingChange.version <= until
    )
    return np.array(_execute(logged.distinct()).scalars().all(), dtype=np.int64)


def changed_answers(since: int, until: int) -> np.ndarray:
    """The ids of the introductions whose answers the evidence versions (since, until]
    changed (the caller checks the log still reaches back that far)."""
    logged = select(EvidenceChange.introduction_id).where(
        EvidenceChange.version > since, EvidenceChange.version <= until
    )
    return np.array(_execute(logged.distinct()).scalars().all(), dtype=np.int64)


def load_views(after: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Suggestion views with an id above this one: their ids, businesses and times."""
    rows = _execute(
        select(SuggestionView.id, SuggestionView.business_id, _text(SuggestionView.viewed_at))
        .where(SuggestionView.id > after)
        .order_by(SuggestionView.id)
    ).all()
    view_ids, business, viewed = _columns(rows, 3)
    return (
        np.array(view_ids, dtype=np.int64),
        np.array(business, dtype=np.int64),
        times(list(viewed)),
    )
