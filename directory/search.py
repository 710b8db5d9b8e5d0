"""The directory's search: text, facets and distance, as the list, the map and the API read it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from directory.extensions import db
from directory.models import Business, BusinessSector, BusinessTopic, Network, business_networks
from directory.places import LocationError, resolve_place_text
from directory.places import offline as geo
from matching.vocab import REGIONS, SECTORS, STAGES, TOPICS

SORTS = {
    "relevance": "Best match",
    "distance": "Nearest first",
    "name": "Name A to Z",
    "newest": "Newest first",
}
RADII = (5, 10, 25, 50, 100, 200)
DEFAULT_RADIUS_KM = 25.0


@dataclass
class DirectoryQuery:
    q: str = ""
    sector: list[str] = field(default_factory=list)
    stage: list[str] = field(default_factory=list)
    need: list[str] = field(default_factory=list)
    offer: list[str] = field(default_factory=list)
    region: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)
    near: str = ""
    radius_km: float = DEFAULT_RADIUS_KM
    mentors: bool = False
    sort: str = ""
    page: int = 1
    per_page: int = 20
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: MultiDict, per_page_default: int = 20, per_page_max: int = 100):
        """Parse query parameters; unknown values become messages, never exceptions."""
        query = cls(q=" ".join(args.get("q", "").split())[:200], near=args.get("near", "").strip())
        facets = {
            "sector": SECTORS,
            "stage": STAGES,
            "need": TOPICS,
            "offer": TOPICS,
            "region": REGIONS,
        }
        for name, vocabulary in facets.items():
            values = [v for v in args.getlist(name) if v]
            unknown = [v for v in values if v not in vocabulary]
            if unknown:
                query.errors[name] = f"Unknown {name}: {', '.join(unknown)}."
            setattr(query, name, [v for v in values if v in vocabulary])
        query.network = [v for v in args.getlist("network") if v]
        query.mentors = args.get("mentors", "").lower() in {"1", "true", "on", "yes"}
        query.radius_km = _number(args, "radius_km", DEFAULT_RADIUS_KM, query.errors, 1, 1000)
        query.page = int(_number(args, "page", 1, query.errors, 1, 100_000))
        query.per_page = int(
            _number(args, "per_page", per_page_default, query.errors, 1, per_page_max)
        )
        sort = args.get("sort", "")
        if sort and sort not in SORTS:
            query.errors["sort"] = f"Unknown sort: {sort}. Use one of {', '.join(SORTS)}."
            sort = ""
        query.sort = sort or ("distance" if query.near else "relevance" if query.q else "name")
        if query.sort == "distance" and not query.near:
            query.sort = "name"
        return query

    def to_args(self, **overrides) -> dict:
        """Query parameters that reproduce this search (for pagination and view links)."""
        args: dict = {
            "q": self.q,
            "sector": self.sector,
            "stage": self.stage,
            "need": self.need,
            "offer": self.offer,
            "region": self.region,
            "network": self.network,
            "near": self.near,
            "radius_km": _plain_number(self.radius_km) if self.near else None,
            "mentors": "1" if self.mentors else None,
            "sort": self.sort,
            "per_page": self.per_page if self.per_page != 20 else None,
        }
        args.update(overrides)
        return {k: v for k, v in args.items() if v not in (None, "", [])}


def _plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _number(args, name, default, errors, low, high) -> float:
    raw = args.get(name, "")
    if raw in ("", None):
        return default
    try:
        value = float(raw)
    except ValueError:
        errors[name] = f"{name} must be a number."
        return default
    if not math.isfinite(value) or value < low or value > high:
        errors[name] = f"{name} must be between {low} and {high}."
        return default
    return value


@dataclass
class SearchResult:
    query: DirectoryQuery
    items: list[Business]
    total: int
    distances: dict[int, float]
    origin: tuple[float, float] | None = None
    origin_label: str = ""

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.query.per_page))

    @property
    def page(self) -> int:
        return self.query.page

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _filtered(query: DirectoryQuery) -> Select:
    stmt = select(Business.id).where(Business.listed.is_(True))
    if query.q:
        pattern = f"%{_escape_like(query.q.lower())}%"
        stmt = stmt.where(
            or_(
                func.lower(Business.name).like(pattern, escape="\\"),
                func.lower(Business.description).like(pattern, escape="\\"),
                func.lower(Business.town).like(pattern, escape="\\"),
                func.lower(Business.outcode).like(pattern, escape="\\"),
            )
        )
    if query.sector:
        secondary = select(BusinessSector.business_id).where(
            BusinessSector.sector.in_(query.sector)
        )
        stmt = stmt.where(or_(Business.sector.in_(query.sector), Business.id.in_(secondary)))
    if query.stage:
        stmt = stmt.where(Business.stage.in_(query.stage))
    if query.region:
        stmt = stmt.where(Business.region.in_(query.region))
    if query.mentors:
        stmt = stmt.where(Business.willing_to_mentor.is_(True))
    for kind, topics in (("need", query.need), ("offer", query.offer)):
        if topics:
            # Every chosen topic must be present: "needs funding and legal".
            having = (
                select(BusinessTopic.business_id)
                .where(BusinessTopic.kind == kind, BusinessTopic.topic.in_(topics))
                .group_by(BusinessTopic.business_id)
                .having(func.count() == len(set(topics)))
            )
            stmt = stmt.where(Business.id.in_(having))
    if query.network:
        members = (
            select(business_networks.c.business_id)
            .join(Network, Network.id == business_networks.c.network_id)
            .where(Network.slug.in_(query.network))
        )
        stmt = stmt.where(Business.id.in_(members))
    return stmt


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _order(stmt: Select, query: DirectoryQuery) -> Select:
    if query.sort == "newest":
        return stmt.order_by(Business.created_at.desc(), Business.id.desc())
    if query.sort == "relevance" and query.q:
        pattern = f"%{_escape_like(query.q.lower())}%"
        rank = case(
            (func.lower(Business.name) == query.q.lower(), 0),
            (func.lower(Business.name).like(f"{_escape_like(query.q.lower())}%", escape="\\"), 1),
            (func.lower(Business.name).like(pattern, escape="\\"), 2),
            (func.lower(Business.town).like(pattern, escape="\\"), 3),
            else_=4,
        )
        return stmt.order_by(rank, Business.name, Business.id)
    return stmt.order_by(Business.name, Business.id)


def _load(ids: list[int], with_topics: bool = True) -> list[Business]:
    """Rows in the given order; topics only when the page shows them (the map does not)."""
    if not ids:
        return []
    stmt = select(Business).where(Business.id.in_(ids))
    if with_topics:
        stmt = stmt.options(selectinload(Business.topic_rows))
    rows = db.session.execute(stmt).scalars()
    by_id = {b.id: b for b in rows}
    return [by_id[i] for i in ids if i in by_id]


def locate(text: str) -> tuple[float, float, str]:
    """Resolve the `near` parameter (postcode or town) to coordinates and a label."""
    place = resolve_place_text(text)
    return place.latitude, place.longitude, geo.normalise_postcode(text) or place.town


def search(query: DirectoryQuery, *, all_results: bool = False) -> SearchResult:
    """Run a directory query; `all_results` skips pagination (the map shows everything)."""
    stmt = _filtered(query)
    origin = None
    origin_label = ""
    if query.near:
        try:
            lat, lon, origin_label = locate(query.near)
        except LocationError as exc:
            query.errors["near"] = str(exc)
        else:
            origin = (lat, lon)
    if origin is None:
        ordered = _order(stmt, query)
        if all_results:
            ids = list(db.session.execute(ordered).scalars())
            total = len(ids)
        else:
            total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar()
            offset = (query.page - 1) * query.per_page
            ids = list(db.session.execute(ordered.limit(query.per_page).offset(offset)).scalars())
        return SearchResult(query, _load(ids, with_topics=not all_results), total, {})

    # Distance: a bounding box in SQL (indexed), then exact great-circle distance in numpy.
    lat, lon = origin
    dlat = query.radius_km / 111.0
    dlon = query.radius_km / max(1.0, 111.320 * math.cos(math.radians(lat)))
    boxed = stmt.where(
        Business.latitude.between(lat - dlat, lat + dlat),
        Business.longitude.between(lon - dlon, lon + dlon),
    )
    order_key = _order(boxed.add_columns(Business.latitude, Business.longitude), query)
    rows = db.session.execute(order_key).all()
    if rows:
        ids_arr = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        lats = np.fromiter((r[1] for r in rows), dtype=float, count=len(rows))
        lons = np.fromiter((r[2] for r in rows), dtype=float, count=len(rows))
        km = geo.haversine_km(lat, lon, lats, lons)
        inside = np.flatnonzero(km <= query.radius_km)
        if query.sort == "distance":
            inside = inside[np.argsort(km[inside], kind="stable")]
        ordered_ids = ids_arr[inside].tolist()
        distances = dict(zip(ordered_ids, km[inside].tolist(), strict=True))
    else:
        ordered_ids, distances = [], {}
    total = len(ordered_ids)
    if not all_results:
        start = (query.page - 1) * query.per_page
        ordered_ids = ordered_ids[start : start + query.per_page]
    items = _load(ordered_ids, with_topics=not all_results)
    return SearchResult(
        query, items, total, {i: distances[i] for i in ordered_ids}, origin, origin_label
    )


def counts_by(column) -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(column, func.count()).group_by(column).order_by(func.count().desc())
    ).all()
    return [(key, n) for key, n in rows]
