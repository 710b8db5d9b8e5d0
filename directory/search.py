"""The directory's search: text, facets and distance, as the list, the map and the API read it.

The list, the map and the API filter, count and order on the search snapshot
(directory.search_snapshot: the listed directory's columns, read once per directory version)
and on the full-text matches of the words (directory.search_text), then load the rows of one
page by primary key. Filters, orders and ties are those SQL gave (tests compare the two on both
databases). Distances run from each business's public (postcode district) point with an
equirectangular formula, exact within 0.5% over the radii offered in England.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from directory import search_index, search_snapshot, search_text
from directory.extensions import db
from directory.models import Business
from directory.places import LocationError, Origin, resolve_origin
from directory.places import offline as geo
from directory.search_query import (
    DEFAULT_RADIUS_KM,
    FACETS,
    RADII,
    SORTS,
    DirectoryQuery,
)
from directory.search_snapshot import Snapshot

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
    """The parts of a search every count, page and facet count shares."""

    query: DirectoryQuery
    origin: Origin | None = None
    # The full-text query (a MATCH or tsquery string), when text is given.
    expression: str = ""
    snapshot: Snapshot | None = None
    # Snapshot rows passing the text, the place and the mentor switch (None: every row)...
    base: np.ndarray | None = None
    # ...and those passing each chosen facet.
    chosen: dict[str, np.ndarray] = field(default_factory=dict)

    def rows(self) -> np.ndarray:
        """The rows of the results, in name order."""
        keep = _all(self.base, *self.chosen.values())
        assert self.snapshot is not None, "a search that ran has its snapshot"
        return np.arange(self.snapshot.size) if keep is None else np.flatnonzero(keep)


def public_km(km: float) -> int:
    """A public distance, to the kilometre: no finer than the district point it comes from."""
    return int(round(km))


def search(query: DirectoryQuery, *, page: bool = True) -> SearchResult:
    """Run a directory query; without `page`, only count (the map aggregates in SQL)."""
    scope = _Scope(query)
    if query.near:
        try:
            scope.origin = _origin(query.near)
        except LocationError as exc:
            # An unknown place gives no results: never the whole directory as if none was given.
            query.errors["near"] = str(exc)
            return SearchResult(query, [], 0, {})
    snapshot = scope.snapshot = search_snapshot.current()
    around = snapshot.within(scope.origin, query.radius_km) if scope.origin else None
    around = _all(around, snapshot.mentors if query.mentors else None)
    for name in (*FACETS, "network"):
        if chosen := getattr(query, name):
            scope.chosen[name] = snapshot.facets[name].passing(name, chosen, snapshot.size)
    others = _all(around, *scope.chosen.values())

    def count(matches: search_text.Matches | None) -> int:
        if matches is None:
            return snapshot.size if others is None else int(others.sum())
        return len(matches.rows) if others is None else int(others[matches.rows].sum())

    found = search_text.match_text(query.q, snapshot, count)
    scope.expression = found.expression
    scope.base = around
    if found.expression:
        worded = np.zeros(snapshot.size, dtype=bool)
        worded[search_text.matches(snapshot, found.expression).rows] = True
        scope.base = _all(worded, around)
    result = SearchResult(
        query, [], found.total, {}, scope.origin, found.note, found.suggestion, scope
    )
    if found.total == 0 or not page or result.page_out_of_range:
        return result
    result.items = _load(snapshot.ids[_page(scope.rows(), scope)].tolist())
    if scope.origin:
        lats = [b.public_latitude for b in result.items]
        lons = [b.public_longitude for b in result.items]
        km = geo.haversine_km(scope.origin.latitude, scope.origin.longitude, lats, lons)
        result.distances = {b.id: public_km(d) for b, d in zip(result.items, km, strict=True)}
    return result


def _all(*masks: np.ndarray | None) -> np.ndarray | None:
    """The rows every given mask keeps (None: no mask given, every row)."""
    given = [m for m in masks if m is not None]
    if not given:
        return None
    keep = given[0].copy()
    for mask in given[1:]:
        keep &= mask
    return keep


def _origin(near: str) -> Origin:
    """The place of a "near" box, remembered: the same few places are asked again and again."""
    cache: dict = current_app.extensions.setdefault("peerlink_search_origins", {})
    key = " ".join(near.split())
    if key not in cache:
        if len(cache) >= 1024:  # all the places people type are never kept
            cache.clear()
        cache[key] = resolve_origin(near)
    return cache[key]


# -- order ----------------------------------------------------------------------------------------


def _page(rows: np.ndarray, scope: _Scope) -> np.ndarray:
    """The rows of this page, in the order asked for; ties by name, then id (the row order)."""
    query, snapshot = scope.query, scope.snapshot
    assert snapshot is not None, "a search that ran has its snapshot"
    start = (query.page - 1) * query.per_page
    stop = start + query.per_page
    if query.sort == "newest":
        return _first(rows, snapshot.newest[rows], start, stop)
    if query.sort == "distance" and scope.origin is not None:
        return _first(rows, snapshot.squared_km(scope.origin, rows), start, stop)
    if query.sort == "relevance" and scope.expression:
        return _best(rows, scope, start, stop)
    return rows[start:stop]


def _first(rows: np.ndarray, keys: np.ndarray, start: int, stop: int, tie=None) -> np.ndarray:
    """rows[start:stop] ordered by keys, then by `tie` (a function of candidate rows), then row.

    Only the rows that can reach the page are sorted: those whose key is at most the key at
    `stop`, ties included.
    """
    if stop < len(rows):
        cut = np.partition(keys, stop - 1)[stop - 1]
        candidates = np.flatnonzero(keys <= cut)
    else:
        candidates = np.arange(len(rows))
    chosen, chosen_keys = rows[candidates], keys[candidates]
    by = (chosen, chosen_keys) if tie is None else (chosen, tie(chosen), chosen_keys)
    return chosen[np.lexsort(by)][start:stop]


def _best(rows: np.ndarray, scope: _Scope, start: int, stop: int) -> np.ndarray:
    """Best match first: relevance, blended with nearness when a place is given.

    A match at the edge of the radius counts half. Ties go to a name starting with the first
    word typed ("Trust Fund Shop" for "trust"), then to name order.
    """
    snapshot, query = scope.snapshot, scope.query
    assert snapshot is not None, "a search that ran has its snapshot"
    matches = search_text.matches(snapshot, scope.expression, ranked=True)
    assert matches.scores is not None, "ranked matches have scores"
    # A row the index no longer matched when the scores were read has none: it goes last.
    score = np.full(len(rows), -np.inf)
    if len(matches.rows):
        at = np.minimum(np.searchsorted(matches.rows, rows), len(matches.rows) - 1)
        score = np.where(matches.rows[at] == rows, matches.scores[at], -np.inf)
    if scope.origin is not None:
        radius2 = query.radius_km * query.radius_km
        score = score / (1.0 + snapshot.squared_km(scope.origin, rows) / radius2)
    first = (search_index.words(query.q)[:1] or [""])[0]

    def starts(chosen: np.ndarray) -> np.ndarray:
        # As `lower(name) LIKE 'first%'` did in SQL: only A to Z are lowered.
        names = (snapshot.names[r][: len(first)].translate(_ASCII_LOWER) for r in chosen)
        return np.fromiter((name != first for name in names), dtype=bool, count=len(chosen))

    return _first(rows, -score, start, stop, tie=starts)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


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
