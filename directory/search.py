"""The directory's search: text, facets and distance, as the list, the map and the API read it.

Everything is filtered, counted and ordered in SQL, on SQLite and PostgreSQL alike: the text
through the full-text index (directory.search_index), the distance from each business's
public (postcode district) point with an equirectangular formula, exact within 0.5% over the
radii offered in England.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field, replace
from typing import Any

from flask import current_app
from sqlalchemy import Float, Integer, Select, case, func, or_, select, text
from sqlalchemy.orm import selectinload

from directory import search_index
from directory.extensions import db
from directory.models import Business, BusinessSector, BusinessTopic, Network, business_networks
from directory.places import LocationError, Origin, resolve_origin
from directory.places import offline as geo
from directory.search_query import (
    DEFAULT_RADIUS_KM,
    FACETS,
    RADII,
    SORTS,
    DirectoryQuery,
)

__all__ = [
    "DEFAULT_RADIUS_KM",
    "FACETS",
    "RADII",
    "SORTS",
    "DirectoryQuery",
    "SearchResult",
    "chosen_tags",
    "counts_by",
    "public_km",
    "search",
]

KM_PER_DEGREE = 111.195


@dataclass
class SearchResult:
    query: DirectoryQuery
    items: list[Business]
    total: int
    distances: dict[int, int]
    origin: Origin | None = None
    # What the text search did when the words as typed found nothing.
    text_note: str = ""
    suggestion: str = ""
    scope: _Scope | None = field(default=None, repr=False)

    @property
    def origin_label(self) -> str:
        return self.origin.label if self.origin else ""

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.query.per_page))

    @property
    def page(self) -> int:
        return self.query.page

    @property
    def page_out_of_range(self) -> bool:
        return self.total > 0 and self.page > self.pages

    @property
    def has_prev(self) -> bool:
        return 1 < self.page <= self.pages

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass
class _Scope:
    """The parts of a search every count and page shares."""

    query: DirectoryQuery
    origin: Origin | None = None
    # The full-text query (a MATCH or tsquery string), when text is given.
    expression: str = ""


def public_km(km: float) -> int:
    """A public distance, to the kilometre: no finer than the district point it comes from."""
    return int(round(km))


def search(query: DirectoryQuery, *, page: bool = True) -> SearchResult:
    """Run a directory query; without `page`, only count (the map aggregates in SQL)."""
    scope = _Scope(query)
    if query.near:
        try:
            scope.origin = resolve_origin(query.near)
        except LocationError as exc:
            # An unknown place gives no results: never the whole directory as if none was given.
            query.errors["near"] = str(exc)
            return SearchResult(query, [], 0, {})
    total, note, suggestion = _match_text(scope)
    stmt = _filtered(scope)
    result = SearchResult(query, [], total, {}, scope.origin, note, suggestion, scope)
    if total == 0 or not page or result.page_out_of_range:
        return result
    ordered = _order(stmt, scope)
    ordered = ordered.limit(query.per_page).offset((query.page - 1) * query.per_page)
    ids = list(db.session.execute(ordered).scalars())
    result.items = _load(ids)
    if scope.origin:
        lats = [b.public_latitude for b in result.items]
        lons = [b.public_longitude for b in result.items]
        km = geo.haversine_km(scope.origin.latitude, scope.origin.longitude, lats, lons)
        result.distances = {b.id: public_km(d) for b, d in zip(result.items, km, strict=True)}
    return result


# -- filters --------------------------------------------------------------------------------------


def _filtered(scope: _Scope, *, leave_out: str = "") -> Select:
    """Ids of the listed businesses that pass every filter (but `leave_out`, for its counts)."""
    cleared: dict[str, Any] = {leave_out: []}
    query = replace(scope.query, **cleared) if leave_out else scope.query
    stmt = select(Business.id).where(Business.listed.is_(True))
    if scope.expression:
        stmt = stmt.where(Business.id.in_(select(_matches(scope.expression, ranked=False).c.id)))
    if scope.origin is not None:
        stmt = stmt.where(*_within(scope.origin, query.radius_km))
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


def _squared_km(origin: Origin):
    """Squared distance in km from the origin to each public point (equirectangular)."""
    scale = math.cos(math.radians(origin.latitude))
    dy = (Business.public_latitude - origin.latitude) * KM_PER_DEGREE
    dx = (Business.public_longitude - origin.longitude) * (KM_PER_DEGREE * scale)
    return dx * dx + dy * dy


def _within(origin: Origin, radius_km: float) -> list:
    """A bounding box the index can use, then the circle."""
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / (KM_PER_DEGREE * max(0.01, math.cos(math.radians(origin.latitude))))
    return [
        Business.public_latitude.between(origin.latitude - dlat, origin.latitude + dlat),
        Business.public_longitude.between(origin.longitude - dlon, origin.longitude + dlon),
        _squared_km(origin) <= radius_km * radius_km,
    ]


def _order(stmt: Select, scope: _Scope) -> Select:
    query = scope.query
    if query.sort == "newest":
        return stmt.order_by(Business.created_at.desc(), Business.id.desc())
    if query.sort == "distance" and scope.origin is not None:
        return stmt.order_by(_squared_km(scope.origin), Business.name, Business.id)
    if query.sort == "relevance" and scope.expression:
        matches = _matches(scope.expression, ranked=True)
        stmt = stmt.join(matches, matches.c.id == Business.id)
        score = matches.c.score
        if scope.origin is not None:
            # Relevance blended with nearness: a match at the edge of the radius counts half.
            score = score / (1.0 + _squared_km(scope.origin) / (query.radius_km * query.radius_km))
        # Ties: a name that starts with the first word typed ("Trust Fund Shop" for "trust").
        first = search_index.words(query.q)[:1] or [""]
        starts = case((func.lower(Business.name).like(f"{first[0]}%"), 0), else_=1)
        return stmt.order_by(score.desc(), starts, Business.name, Business.id)
    return stmt.order_by(Business.name, Business.id)


# -- text -----------------------------------------------------------------------------------------


def _match_text(scope: _Scope) -> tuple[int, str, str]:
    """Find the text's matches, loosening the words until something matches.

    Every word as typed; then the words the directory does not hold as prefixes ("keswi");
    then the words nothing starts with corrected from the directory's own words ("kesswick");
    then any of the words. A word the directory holds is never loosened: "pubs" near a place
    without pubs finds nothing rather than "public". Returns the number of results, a note
    saying what was done and, when nothing matched, a suggestion.
    """
    terms = search_index.words(scope.query.q)
    if not terms:
        return _count(scope), "", ""
    if total := _try(scope, terms):
        return total, "", ""
    unknown = [t for t in terms if not _anywhere(t, prefix=False)]
    if unknown and (total := _try(scope, terms, prefix=unknown)):
        return total, "", ""
    corrected = [_closest(t) if t in unknown and not _anywhere(t) else t for t in terms]
    if corrected != terms and (total := _try(scope, corrected, prefix=unknown)):
        shown = " ".join(corrected)
        return total, f"Nothing matched “{scope.query.q}”: showing “{shown}”.", ""
    if len(terms) > 1 and (total := _try(scope, terms, any_word=True)):
        return total, "No business matches all of these words: showing those matching any.", ""
    return 0, "", " ".join(corrected) if corrected != terms else ""


def _try(scope: _Scope, words: list[str], *, prefix=(), any_word: bool = False) -> int:
    scope.expression = search_index.match_expression(
        words, db.engine.dialect.name, any_word=any_word, prefix=prefix
    )
    return _count(scope)


def _anywhere(term: str, *, prefix: bool = True) -> bool:
    """Whether any business at all holds the word (or, with `prefix`, a word it starts)."""
    expr = search_index.match_expression(
        [term], db.engine.dialect.name, any_word=False, prefix=[term] if prefix else ()
    )
    return (
        db.session.execute(select(_matches(expr, ranked=False).c.id).limit(1)).first() is not None
    )


def _closest(term: str) -> str:
    """The word of names, towns or labels closest to a misspelt one, or the word itself."""
    close = difflib.get_close_matches(term, _vocabulary(), n=1, cutoff=0.75)
    return close[0] if close else term


def _matches(expr: str, *, ranked: bool):
    return (
        text(search_index.matches_sql(db.engine.dialect.name, ranked=ranked))
        .bindparams(expr=expr)
        .columns(id=Integer, score=Float)
        .subquery("matches")
    )


def _count(scope: _Scope) -> int:
    stmt = _filtered(scope)
    return db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()


def _vocabulary() -> list[str]:
    """The words of the listed names, towns and labels; rebuilt when the directory changes."""
    stamp = tuple(
        db.session.execute(select(func.count(Business.id), func.max(Business.updated_at))).one()
    )
    cache = current_app.extensions.setdefault("peerlink_search_vocabulary", {})
    if cache.get("stamp") != stamp:
        words: set[str] = set()
        for name, town in db.session.execute(
            select(Business.name, Business.town).where(Business.listed.is_(True))
        ):
            words.update(search_index.words(f"{name} {town}"))
        for _, labels in FACETS.values():
            for label in labels.values():
                words.update(search_index.words(label))
        cache.update(stamp=stamp, words=sorted(w for w in words if len(w) > 2))
    return cache["words"]


def chosen_tags(query: DirectoryQuery, networks: dict[str, str]) -> list[tuple[str, dict]]:
    """The filters in force as (label, arguments without it): removable tags above the list."""
    tags = []
    if query.q:
        tags.append((f"“{query.q}”", query.without("q")))
    if query.near:
        radius = int(query.radius_km) if query.radius_km.is_integer() else query.radius_km
        tags.append((f"Within {radius} km of {query.near}", query.without("near")))
    for name, (legend, options) in FACETS.items():
        for value in getattr(query, name):
            tags.append((f"{legend}: {options[value]}", query.without(name, value)))
    for slug in query.network:
        tags.append((f"Network: {networks.get(slug, slug)}", query.without("network", slug)))
    if query.mentors:
        tags.append(("Willing to mentor", query.without("mentors")))
    return tags


def _load(ids: list[int]) -> list[Business]:
    """Rows in the given order, with the topics the cards show."""
    if not ids:
        return []
    stmt = select(Business).where(Business.id.in_(ids)).options(selectinload(Business.topic_rows))
    by_id = {b.id: b for b in db.session.execute(stmt).scalars()}
    return [by_id[i] for i in ids if i in by_id]


def counts_by(column) -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(column, func.count())
        .where(Business.listed.is_(True))
        .group_by(column)
        .order_by(func.count().desc())
    ).all()
    return [(key, n) for key, n in rows]
