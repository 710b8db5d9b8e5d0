"""Every row evidence reads, for every network, as columns, kept by each process until a write
changes them.

A process keeps one snapshot: all organisations, introductions, outcome answers and networks,
read as plain tuples (Core selects of only the columns figures need; timestamps and JSON read
as text, so that neither driver builds a Python object per value) and turned into numpy
columns. A stamp read first (one query: the directory version, the evidence version and the
last suggestion view's id) says what changed since: a profile, membership or introduction
write reloads everything, an outcome or network write only the answers and networks, and new
suggestion views are appended. Each viewer's scope and filters then select rows from the
snapshot with masks, without another query.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
from sqlalchemy import String, case, cast, func, or_, select, true

from directory.evidence.columns import (
    NO_ID,
    TOPICS,
    Answers,
    Frame,
    Intros,
    Orgs,
    Pairs,
    concat,
    flags,
    ids,
    member,
    objects,
    rows_of,
    sort_by_id,
    take,
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

# Profile fields whose presence makes a profile complete (each counts the same): seven columns
# of the business row, then having needs, offers and a network.
COMPLETENESS_FIELDS = 10
# A refresh re-reads the businesses the change log names, unless they are more than these
# (then it reloads everything: one pass over each table is cheaper than many lookups).
REFRESH_MOST = 500
REFRESH_SHARE = 0.1
# Views committed out of id order (a lower id after a higher one) are caught by re-reading the
# views this far below the last id seen.
VIEW_WINDOW = 1000


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
    topic_ids, topic_codes = np.array(topics[0], dtype=np.int64), TOPICS.codes(topics[2])
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
        asked=Pairs.of(asked, TOPICS).unique(),
    )


def load_answers(introductions: list[int] | None = None) -> Answers:
    """Every outcome answer, or only those for these introductions (by id)."""
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


@dataclass(eq=False)
class Snapshot:
    """Every evidence row, as of the directory and evidence versions. Immutable: a refresh
    makes a new one."""

    versions: tuple[int, int]
    orgs: Orgs
    intros: Intros
    answers: Answers
    networks: dict[int, str]
    slugs: dict[str, int]

    @classmethod
    def load(cls, stamp: Stamp) -> Snapshot:
        with bulk_read():
            networks, slugs = load_networks()
            orgs, intros, answers = load_orgs(), load_intros(), load_answers()
        return cls((stamp.directory, stamp.evidence), orgs, intros, answers, networks, slugs)

    def refreshed(self, stamp: Stamp) -> Snapshot:
        """Current with `stamp`, reloading only what its versions say changed: the businesses
        the directory's change log names (with their topics, memberships, introductions and
        those introductions' answers), and every answer and network when the evidence version
        moved. Everything, when the log no longer reaches back or names too many."""
        snapshot = self
        if stamp.directory != self.versions[0]:
            changed = changed_businesses(self.versions[0], stamp.directory)
            if changed is None or len(changed) > max(REFRESH_MOST, REFRESH_SHARE * len(self.orgs)):
                return Snapshot.load(stamp)
            with bulk_read():
                snapshot = self._with_businesses(changed)
        if stamp.evidence != self.versions[1]:
            with bulk_read():
                networks, slugs = load_networks()
                answers = snapshot._answers_after(self.versions[1], stamp)
            snapshot = replace(snapshot, answers=answers, networks=networks, slugs=slugs)
        if snapshot is self:
            return self
        return replace(snapshot, versions=(stamp.directory, stamp.evidence))

    def _answers_after(self, since: int, stamp: Stamp) -> Answers:
        """The answers, those of the introductions the evidence log names since `since`
        read again (all of them when the log no longer reaches back or names too many)."""
        if since < stamp.evidence_pruned_up_to:
            return load_answers()
        logged = select(EvidenceChange.introduction_id).where(
            EvidenceChange.version > since, EvidenceChange.version <= stamp.evidence
        )
        changed = np.array(_execute(logged.distinct()).scalars().all(), dtype=np.int64)
        if len(changed) > REFRESH_MOST:
            return load_answers()
        kept = take(self.answers, ~member(self.answers.introduction, changed))
        return sort_by_id(concat(kept, load_answers(changed.tolist())))

    def _with_businesses(self, changed: np.ndarray) -> Snapshot:
        """The rows of these businesses, and of introductions touching them, read again (a
        business or introduction gone from the database goes from the snapshot too)."""
        ids = changed.tolist()
        touching = member(self.intros.requester, changed) | member(self.intros.target, changed)
        intros = load_intros(ids)
        replaced = np.concatenate((self.intros.id[touching], intros.id))
        return replace(
            self,
            orgs=sort_by_id(
                concat(take(self.orgs, ~member(self.orgs.id, changed)), load_orgs(ids))
            ),
            intros=sort_by_id(concat(take(self.intros, ~touching), intros)),
            answers=sort_by_id(
                concat(
                    take(self.answers, ~member(self.answers.introduction, replaced)),
                    load_answers(intros.id.tolist()),
                )
            ),
        )

    def frame(
        self,
        start: datetime,
        end: datetime,
        network_ids: set[int] | None,
        sector: str | None,
        region: str | None,
    ) -> Frame:
        """The rows a viewer sees: organisations in these networks (None: all) of this sector
        and region, introductions reviewed by these networks that touch them, and the answers
        for those requested in [start, end)."""
        orgs = self.orgs
        keep = np.ones(len(orgs), dtype=bool)
        if sector:
            keep &= orgs.sector == sector
        if region:
            keep &= orgs.region == region
        wanted = None
        if network_ids is not None:
            wanted = np.array(sorted(network_ids), dtype=np.int64)
            members = np.zeros(len(orgs), dtype=bool)
            members[orgs.networks.row[member(orgs.networks.value, wanted)]] = True
            keep &= members
        scoped = take(orgs, keep)
        intros = self.intros
        touching = (rows_of(scoped.id, intros.requester) != NO_ID) | (
            rows_of(scoped.id, intros.target) != NO_ID
        )
        if wanted is not None:
            touching &= member(intros.network, wanted)
        intros = take(intros, touching)
        period = (intros.requested >= np.datetime64(start, "us")) & (
            intros.requested < np.datetime64(end, "us")
        )
        answers = take(self.answers, member(self.answers.introduction, intros.id[period]))
        return Frame(scoped, intros, answers, period)


@dataclass(eq=False)
class ViewLog:
    """Suggestion views (business, when), read once and then only the new ones."""

    settled_up_to: int = 0  # every view with an id up to this one is in `settled`
    settled: tuple[np.ndarray, np.ndarray] = (
        np.empty(0, dtype=np.int64),
        np.empty(0, dtype="datetime64[us]"),
    )
    recent: tuple[np.ndarray, np.ndarray] = settled
    last_view: int = 0

    def refreshed(self, stamp: Stamp) -> ViewLog:
        if stamp.last_view == self.last_view:
            return self
        if stamp.last_view < self.last_view:  # the table was emptied or recreated
            return ViewLog().refreshed(stamp)
        with bulk_read():
            rows = _execute(
                select(
                    SuggestionView.id, SuggestionView.business_id, _text(SuggestionView.viewed_at)
                )
                .where(SuggestionView.id > self.settled_up_to)
                .order_by(SuggestionView.id)
            ).all()
            columns = _columns(rows, 3)
            view_ids = np.array(columns[0], dtype=np.int64)
            business, viewed = np.array(columns[1], dtype=np.int64), times(columns[2])
        settle = max(self.settled_up_to, stamp.last_view - VIEW_WINDOW)
        now_settled = view_ids <= settle
        return ViewLog(
            settled_up_to=settle,
            settled=(
                np.concatenate((self.settled[0], business[now_settled])),
                np.concatenate((self.settled[1], viewed[now_settled])),
            ),
            recent=(business[~now_settled], viewed[~now_settled]),
            last_view=stamp.last_view,
        )

    def count(self, org_ids: np.ndarray, start: datetime, end: datetime) -> int:
        """Views of these organisations (ascending ids) in [start, end)."""
        business = np.concatenate((self.settled[0], self.recent[0]))
        viewed = np.concatenate((self.settled[1], self.recent[1]))
        chosen = business[
            (viewed >= np.datetime64(start, "us")) & (viewed < np.datetime64(end, "us"))
        ]
        return int(np.count_nonzero(rows_of(org_ids, chosen) != NO_ID))

    def stored(self) -> int:
        return len(self.settled[0]) + len(self.recent[0])


def count_views(up_to: int) -> int:
    """Views with an id up to this one, in the database."""
    stmt = select(func.count()).select_from(SuggestionView).where(SuggestionView.id <= up_to)
    return _execute(stmt).scalar_one()
