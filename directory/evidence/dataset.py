"""The rows evidence is computed from, loaded once per page with plain SQL.

Figures are pure functions of a `Dataset`: the loader applies the viewer's scope and the page's
filters, so every figure on the page, in the JSON and in the exports agrees, and the tests can
build a Dataset by hand with known answers.
"""

from __future__ import annotations

import copy
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from directory.extensions import db
from directory.models import (
    Business,
    BusinessTopic,
    Introduction,
    Network,
    Outcome,
    SuggestionView,
    business_networks,
)
from matching.vocab import REGIONS, SECTORS


class FilterError(ValueError):
    """A filter in the URL is not valid; the message says which, for the person who typed it."""


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters, as they appear in its URL."""

    start: date
    end: date  # inclusive
    network: str | None = None
    sector: str | None = None
    region: str | None = None

    @classmethod
    def from_args(cls, args, today: date) -> Filters:
        """Read ?network=&from=&to=&sector=&region=; the default period is the last 12 months."""
        end = _date(args.get("to"), "to") or today
        start = _date(args.get("from"), "from") or (end - timedelta(days=365))
        if start > end:
            raise FilterError("The start of the period must be before its end.")
        sector = args.get("sector") or None
        if sector is not None and sector not in SECTORS:
            raise FilterError(f"Unknown sector “{sector}”.")
        region = args.get("region") or None
        if region is not None and region not in REGIONS:
            raise FilterError(f"Unknown region “{region}”.")
        return cls(start, end, args.get("network") or None, sector, region)

    def to_args(self) -> dict[str, str]:
        args = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        for key in ("network", "sector", "region"):
            if getattr(self, key):
                args[key] = getattr(self, key)
        return args

    def in_period(self, when: datetime | None) -> bool:
        return when is not None and self.start <= when.date() <= self.end


def _date(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FilterError(f"“{text}” is not a date (use YYYY-MM-DD) for “{name}”.") from None


@dataclass(slots=True)
class Org:
    id: int
    name: str
    sector: str
    stage: str | None
    region: str
    district: str
    latitude: float
    longitude: float
    created_at: datetime
    claimed: bool
    listed: bool
    named: bool
    mentor: bool
    completeness: float
    networks: frozenset[int] = frozenset()
    needs: frozenset[str] = frozenset()
    offers: frozenset[str] = frozenset()


@dataclass(slots=True)
class Intro:
    id: int
    requester_id: int
    target_id: int
    network_id: int | None
    kind: str
    state: str
    created_at: datetime
    approved_at: datetime | None = None
    accepted_at: datetime | None = None
    closed_at: datetime | None = None
    needs: tuple[str, ...] = ()


@dataclass(slots=True)
class OutcomeRow:
    introduction_id: int
    business_id: int | None
    met: bool | None
    usefulness: int | None
    helped_needs: tuple[str, ...] = ()
    learned: bool | None = None
    applied: bool | None = None
    difference_kinds: tuple[str, ...] = ()
    reframed: bool | None = None
    story: str = ""
    share_story: bool = False
    created_at: datetime | None = None


@dataclass
class Dataset:
    """Organisations in scope, introductions touching them (all time; `intros` is the period's),
    the period's outcomes and suggestion views, and the networks' names."""

    filters: Filters
    now: datetime
    orgs: dict[int, Org]
    all_intros: list[Intro]
    outcomes: list[OutcomeRow] = field(default_factory=list)
    views: int = 0
    networks: dict[int, str] = field(default_factory=dict)
    loaded_at: datetime | None = None
    # Figures that depend only on the loaded rows, kept with them (shared by copies of a
    # cached dataset, so they are computed once per load).
    memo: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.intros = [i for i in self.all_intros if self.filters.in_period(i.created_at)]
        ids = {i.id for i in self.intros}
        self.outcomes = [o for o in self.outcomes if o.introduction_id in ids]


# Profile fields whose presence makes a profile complete (each counts the same).
COMPLETENESS_FIELDS = 10


# Loaded datasets per database, scope and filters, reused while the stamp below is unchanged.
_CACHE: OrderedDict[tuple, tuple[tuple, Dataset]] = OrderedDict()
CACHE_SIZE = 32
# Topic edits need not touch the business row, so the stamp cannot see them: a cached dataset
# is also dropped after this many seconds.
CACHE_SECONDS = 60


def _stamp() -> tuple:
    """Changes whenever an introduction, outcome, business or membership changes (one query)."""
    values = [
        select(func.count()).select_from(Introduction),
        select(func.max(Introduction.updated_at)),
        select(func.count()).select_from(Outcome),
        select(func.max(Outcome.id)),
        select(func.count()).select_from(Business),
        select(func.max(Business.updated_at)),
        select(func.count()).select_from(business_networks),
        select(func.count()).select_from(BusinessTopic),
    ]
    query = select(*(v.scalar_subquery() for v in values))
    return tuple(db.session.connection().execute(query).one())


def load(filters: Filters, network_ids: set[int] | None, now: datetime) -> Dataset:
    """Everything the figures need, for the viewer's networks (None: all) and the filters.

    Evidence is read far more often than the introductions behind it change, so a dataset is
    kept per process and reused until the stamp changes (or CACHE_SECONDS pass); the suggestion
    views, which change on every /matches page, are recounted whenever there is a new one.
    """
    key = (
        str(db.engine.url),
        None if network_ids is None else frozenset(network_ids),
        filters,
    )
    stamp = _stamp()
    cached = _CACHE.get(key)
    if (
        cached
        and cached[0] == stamp
        and cached[1].loaded_at is not None
        and (now - cached[1].loaded_at).total_seconds() < CACHE_SECONDS
    ):
        _CACHE.move_to_end(key)
        ds = copy.copy(cached[1])
    else:
        ds = _load(filters, network_ids, now)
        _CACHE[key] = (stamp, ds)
        if len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
        ds = copy.copy(ds)
    ds.now = now
    last_view = db.session.connection().execute(select(func.max(SuggestionView.id))).scalar()
    if "views" not in ds.memo or ds.memo["views_up_to"] != last_view:
        ds.memo["views"] = _views(filters, ds.orgs)
        ds.memo["views_up_to"] = last_view
    ds.views = ds.memo["views"]
    return ds


def clear_cache() -> None:
    _CACHE.clear()


def _views(filters: Filters, orgs: dict[int, Org]) -> int:
    start, end = _bounds(filters)
    return sum(
        n
        for business_id, n in db.session.connection().execute(
            select(SuggestionView.business_id, func.count())
            .where(SuggestionView.viewed_at >= start, SuggestionView.viewed_at < end)
            .group_by(SuggestionView.business_id)
        )
        if business_id in orgs
    )


def _bounds(filters: Filters) -> tuple[datetime, datetime]:
    start = datetime.combine(filters.start, datetime.min.time())
    end = datetime.combine(filters.end + timedelta(days=1), datetime.min.time())
    return start, end


def _load(filters: Filters, network_ids: set[int] | None, now: datetime) -> Dataset:
    execute = db.session.connection().execute  # Core rows: no ORM bookkeeping per row
    networks = dict(execute(select(Network.id, Network.name)).all())
    memberships: dict[int, set[int]] = defaultdict(set)
    for business_id, network_id in execute(
        select(business_networks.c.business_id, business_networks.c.network_id)
    ):
        memberships[business_id].add(network_id)
    topics: dict[tuple[int, str], set[str]] = defaultdict(set)
    for business_id, kind, topic in execute(
        select(BusinessTopic.business_id, BusinessTopic.kind, BusinessTopic.topic)
    ):
        topics[business_id, kind].add(topic)

    stmt = select(
        Business.id,
        Business.name,
        Business.sector,
        Business.stage,
        Business.region,
        Business.outcode,
        Business.latitude,
        Business.longitude,
        Business.created_at,
        Business.owner_id,
        Business.listed,
        Business.named_in_evidence,
        Business.willing_to_mentor,
        func.length(Business.description),
        Business.legal_form,
        Business.founded_year,
        Business.postcode,
        func.length(Business.website),
        func.length(Business.email),
        func.length(Business.phone),
    )
    if filters.sector:
        stmt = stmt.where(Business.sector == filters.sector)
    if filters.region:
        stmt = stmt.where(Business.region == filters.region)
    wanted = _wanted_networks(filters, network_ids, networks)
    orgs: dict[int, Org] = {}
    for row in execute(stmt):
        in_networks = frozenset(memberships.get(row[0], ()))
        if wanted is not None and not in_networks & wanted:
            continue
        needs = frozenset(topics.get((row[0], "need"), ()))
        offers = frozenset(topics.get((row[0], "offer"), ()))
        present = [
            row[13],
            row[14],
            row[15],
            row[16],
            row[17],
            row[18],
            row[19],
            needs,
            offers,
            in_networks,
        ]
        orgs[row[0]] = Org(
            id=row[0],
            name=row[1],
            sector=row[2],
            stage=row[3],
            region=row[4],
            district=row[5] or "",
            latitude=row[6],
            longitude=row[7],
            created_at=row[8],
            claimed=row[9] is not None,
            listed=bool(row[10]),
            named=bool(row[11]),
            mentor=bool(row[12]),
            completeness=sum(1 for p in present if p) / COMPLETENESS_FIELDS,
            networks=in_networks,
            needs=needs,
            offers=offers,
        )

    intro_stmt = select(
        Introduction.id,
        Introduction.requester_id,
        Introduction.target_id,
        Introduction.network_id,
        Introduction.kind,
        Introduction.state,
        Introduction.created_at,
        Introduction.approved_at,
        Introduction.accepted_at,
        Introduction.closed_at,
        Introduction.needs_at_request,
    )
    if wanted is not None:
        intro_stmt = intro_stmt.where(Introduction.network_id.in_(wanted))
    intros = [
        Intro(*row[:10], needs=tuple(row[10] or ()))
        for row in execute(intro_stmt.order_by(Introduction.id))
        if row[1] in orgs or row[2] in orgs
    ]

    start, end = _bounds(filters)
    period_ids = {i.id for i in intros if start <= i.created_at < end}
    outcomes = [
        OutcomeRow(
            row[0],
            row[1],
            row[2],
            row[3],
            tuple(row[4] or ()),
            row[5],
            row[6],
            tuple(row[7] or ()),
            row[8],
            row[9] or "",
            bool(row[10]),
            row[11],
        )
        for row in execute(
            select(
                Outcome.introduction_id,
                Outcome.business_id,
                Outcome.met,
                Outcome.usefulness,
                Outcome.helped_needs,
                Outcome.learned,
                Outcome.applied,
                Outcome.difference_kinds,
                Outcome.reframed,
                Outcome.story,
                Outcome.share_story,
                Outcome.created_at,
            )
            .join(Introduction, Introduction.id == Outcome.introduction_id)
            .where(Introduction.created_at >= start, Introduction.created_at < end)
            .order_by(Outcome.id)
        )
        if row[0] in period_ids
    ]
    return Dataset(filters, now, orgs, intros, outcomes, 0, networks, loaded_at=now)


def _wanted_networks(
    filters: Filters, network_ids: set[int] | None, networks: dict[int, str]
) -> set[int] | None:
    """The networks in scope: the filter's one, within what the viewer may see."""
    if filters.network is None:
        return None if network_ids is None else set(network_ids)
    chosen = db.session.execute(
        select(Network.id).where(Network.slug == filters.network)
    ).scalar_one_or_none()
    if chosen is None or (network_ids is not None and chosen not in network_ids):
        raise FilterError("Choose one of the networks you can see.")
    return {chosen}
