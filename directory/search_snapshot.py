"""The listed directory as numpy columns, read once per directory version.

A search filters on a few columns (public point, mentoring, sectors, stage, region, topics,
networks) and orders by a few more (name, creation, distance, relevance). Asking SQL for them on
every page costs tens of milliseconds at 7,000 businesses and hundreds at 100,000, most of it
repeating the same joins; read once per directory version (`matchmaking.read_version`, raised in
the transaction of every write to a business, its topics, sectors or networks), each search is a
few vector operations and one query for the rows of its page.

Rows are kept in the database's own name order (ORDER BY name, id), so that ordering by name is
ordering by row and every other order breaks its ties exactly as SQL did. Distances use the
arithmetic SQL used, in the same order, so that every result is the one SQL gave, to the last
bit (tests/web/test_search_results.py compares the two on both databases).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace

import numpy as np
from flask import current_app
from sqlalchemy import String, cast, func, literal, select, update
from sqlalchemy.engine import Connection

from directory import matchmaking
from directory.extensions import db
from directory.models import (
    Business,
    BusinessSector,
    BusinessTopic,
    MatchingChange,
    MatchingState,
    Network,
    business_networks,
)
from directory.places import Origin
from directory.search_query import FACETS

KM_PER_DEGREE = 111.195
_KEY = "peerlink_search_snapshot"
_GENERATIONS = itertools.count(1)
# More changed businesses than this since the last read: read the directory again.
_CATCH_UP_LIMIT = 50
# Facets whose chosen options must all be present (topics); the others take any of them.
ALL_OF = frozenset({"need", "offer"})


@dataclass(frozen=True)
class Facet:
    """A facet's options and its (row, option) pairs: a business may hold several options."""

    options: list[str | None]  # None: a stage not known
    rows: np.ndarray
    values: np.ndarray

    def passing(self, name: str, chosen: list[str], size: int) -> np.ndarray:
        """Which rows pass this facet's chosen options (all of them for topics)."""
        index = {option: i for i, option in enumerate(self.options)}
        wanted = [index[v] for v in dict.fromkeys(chosen) if v in index]
        hits = np.bincount(self.rows[np.isin(self.values, wanted)], minlength=size)
        return hits == len(set(chosen)) if name in ALL_OF else hits > 0


@dataclass(frozen=True)
class Snapshot:
    """The listed businesses' search columns at one directory version; never changed in place."""

    version: tuple[int, int]
    generation: int  # which read this is: kept while the directory version moves on unchanged
    ids: np.ndarray  # the business of each row; rows in name order
    names: list[str]
    latitude: np.ndarray  # the public (postcode district) point
    longitude: np.ndarray
    mentors: np.ndarray
    newest: np.ndarray  # each row's place, newest first (created_at, then id, descending)
    row_of: np.ndarray  # business id -> row; -1 for a business not listed
    facets: dict[str, Facet]
    touched: np.ndarray  # a hash of each row's updated_at, to tell an untouched row

    def pairs(self, rows: list[int]) -> dict[str, list[tuple[int, str | None]]]:
        """Each facet's (row, option) pairs for these rows, sorted."""
        found = {}
        for name, facet in self.facets.items():
            keep = np.isin(facet.rows, rows)
            held = zip(facet.rows[keep].tolist(), facet.values[keep].tolist(), strict=True)
            pairs = [(row, facet.options[value]) for row, value in held]
            found[name] = sorted(pairs, key=_pair_order)
        return found

    @property
    def size(self) -> int:
        return len(self.ids)

    def squared_km(self, origin: Origin, rows: np.ndarray | None = None) -> np.ndarray:
        """Squared km from the origin to public points (equirectangular), as SQL computes it."""
        lat = self.latitude if rows is None else self.latitude[rows]
        lon = self.longitude if rows is None else self.longitude[rows]
        scale = KM_PER_DEGREE * math.cos(math.radians(origin.latitude))
        # Left to right, as `dx * dx + dy * dy` is rendered in SQL: the same rounding.
        dx2 = (lon - origin.longitude) * scale * (lon - origin.longitude) * scale
        dy2 = (lat - origin.latitude) * KM_PER_DEGREE * (lat - origin.latitude) * KM_PER_DEGREE
        return dx2 + dy2

    def within(self, origin: Origin, radius_km: float) -> np.ndarray:
        """Rows within the radius: the bounding box, then the circle."""
        dlat, dlon = bounding_box(origin, radius_km)
        lat, lon = self.latitude, self.longitude
        box = (lat >= origin.latitude - dlat) & (lat <= origin.latitude + dlat)
        box &= (lon >= origin.longitude - dlon) & (lon <= origin.longitude + dlon)
        rows = np.flatnonzero(box)
        inside = np.zeros(self.size, dtype=bool)
        inside[rows[self.squared_km(origin, rows) <= radius_km * radius_km]] = True
        return inside


def bounding_box(origin: Origin, radius_km: float) -> tuple[float, float]:
    """Half the height and width, in degrees, of the box around a circle of this radius."""
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / (KM_PER_DEGREE * max(0.01, math.cos(math.radians(origin.latitude))))
    return dlat, dlon


def current() -> Snapshot:
    """The snapshot of the directory as it is now: one primary-key read when it is current."""
    version = matchmaking.read_version()
    snapshot: Snapshot | None = current_app.extensions.get(_KEY)
    if snapshot is None or snapshot.version != version:
        caught_up = None if snapshot is None else _caught_up(snapshot, version[0])
        snapshot = _read(version) if caught_up is None else replace(caught_up, version=version)
        current_app.extensions[_KEY] = snapshot
    return snapshot


def _caught_up(snapshot: Snapshot, version: int) -> Snapshot | None:
    """The snapshot brought up to this version from the changes logged since, or None.

    Introductions, and businesses not listed yet, raise the directory version without touching
    what a search reads: the snapshot is kept as it is, with the words' matches. Edits to listed
    businesses that keep their name (so their row: created_at is set once) are written into a
    copy, and the words' matches are read again, as the words may have changed. A version with
    nothing logged (rows written by hand, or a log pruned since), more than a few businesses, or
    a business listed, unlisted, deleted or renamed: None, and the directory is read again.
    """
    old = snapshot.version[0]
    logged = db.session.execute(
        select(MatchingChange.version, MatchingChange.business_id).where(
            MatchingChange.version > old, MatchingChange.version <= version
        )
    ).all()
    ids = sorted({business_id for _, business_id in logged})
    if len({v for v, _ in logged}) != version - old or len(ids) > _CATCH_UP_LIMIT:
        return None
    now = {
        row.id: row
        for row in db.session.execute(
            select(
                Business.id,
                Business.listed,
                Business.name,
                cast(Business.updated_at, String).label("updated"),
                Business.public_latitude,
                Business.public_longitude,
                Business.willing_to_mentor,
                Business.sector,
                Business.stage,
                Business.region,
            ).where(Business.id.in_(ids))
        )
    }
    held: dict[int, int] = {}  # business id -> row
    for business_id in ids:
        row = int(snapshot.row_of[business_id]) if business_id < len(snapshot.row_of) else -1
        listed = business_id in now and now[business_id].listed
        if row < 0 and not listed:
            continue  # not in the search before or now
        if row < 0 or not listed or now[business_id].name != snapshot.names[row]:
            return None
        held[business_id] = row
    pairs = _pairs_now(held, now)
    touched = {row: hash(now[business_id].updated) for business_id, row in held.items()}
    if all(snapshot.touched[row] == h for row, h in touched.items()) and pairs == snapshot.pairs(
        list(held.values())
    ):
        return replace(snapshot, version=(version, snapshot.version[1]))
    return _patched(snapshot, version, held, now, pairs)


def _patched(
    snapshot: Snapshot, version: int, held: dict[int, int], now: dict, pairs: dict
) -> Snapshot:
    """A copy of the snapshot with these rows' columns and facet pairs as they are now."""
    latitude, longitude = snapshot.latitude.copy(), snapshot.longitude.copy()
    mentors, touched = snapshot.mentors.copy(), snapshot.touched.copy()
    for business_id, row in held.items():
        found = now[business_id]
        latitude[row], longitude[row] = found.public_latitude, found.public_longitude
        mentors[row], touched[row] = found.willing_to_mentor, hash(found.updated)
    rows = list(held.values())
    facets = {}
    for name, facet in snapshot.facets.items():
        options = list(facet.options)
        index = {option: i for i, option in enumerate(options)}
        for _, value in pairs[name]:
            if value not in index:
                index[value] = len(options)
                options.append(value)
        keep = ~np.isin(facet.rows, rows)
        added_rows = np.array([row for row, _ in pairs[name]], dtype=np.int64)
        added = np.array([index[value] for _, value in pairs[name]], dtype=np.int64)
        facets[name] = Facet(
            options,
            np.concatenate([facet.rows[keep], added_rows]),
            np.concatenate([facet.values[keep], added]),
        )
    return replace(
        snapshot,
        version=(version, snapshot.version[1]),
        generation=next(_GENERATIONS),
        latitude=latitude,
        longitude=longitude,
        mentors=mentors,
        touched=touched,
        facets=facets,
    )


def _pairs_now(held: dict[int, int], now: dict) -> dict[str, list[tuple[int, str | None]]]:
    """Each facet's (row, option) pairs as the database holds them now, for these businesses."""
    found: dict[str, list[tuple[int, str | None]]] = {name: [] for name in (*FACETS, "network")}
    for business_id, row in held.items():
        for name in ("sector", "stage", "region"):
            found[name].append((row, getattr(now[business_id], name)))
    ids = list(held)
    related = (
        select(BusinessSector.business_id, literal("sector"), BusinessSector.sector).where(
            BusinessSector.business_id.in_(ids)
        ),
        select(BusinessTopic.business_id, BusinessTopic.kind, BusinessTopic.topic).where(
            BusinessTopic.business_id.in_(ids)
        ),
        select(business_networks.c.business_id, literal("network"), Network.slug)
        .join_from(business_networks, Network)
        .where(business_networks.c.business_id.in_(ids)),
    )
    for stmt in related:
        for business_id, name, value in db.session.execute(stmt):
            found[name].append((held[business_id], value))
    return {name: sorted(pairs, key=_pair_order) for name, pairs in found.items()}


def _pair_order(pair: tuple[int, str | None]) -> tuple[int, str]:
    return pair[0], pair[1] or ""


def raise_version(connection: Connection) -> None:
    """Make every worker read the directory again (after rows were written by hand in SQL).

    No business is logged as changed: matching, which follows the same version, has nothing to
    re-read for it.
    """
    state = MatchingState.__table__
    connection.execute(update(state).where(state.c.id == 1).values(version=state.c.version + 1))


def _read(version: tuple[int, int]) -> Snapshot:
    """Read every listed business's columns, then its sectors, topics and networks.

    The reads see the directory a moment apart: a business listed in between has pairs but no
    row, and is left out until the next version.
    """
    columns = (
        Business.id,
        Business.name,
        Business.public_latitude,
        Business.public_longitude,
        Business.willing_to_mentor,
        Business.sector,
        Business.stage,
        Business.region,
        cast(Business.updated_at, String),
    )
    listed = Business.listed.is_(True)
    rows = db.session.execute(select(*columns).where(listed).order_by(Business.name, Business.id))
    ids, names, lat, lon, mentors, sectors, stages, regions, touched = [
        list(column) for column in zip(*rows, strict=True)
    ] or [[] for _ in columns]
    size = len(ids)
    id_array = np.array(ids, dtype=np.int64)
    row_of = np.full(int(id_array.max(initial=-1)) + 1, -1, dtype=np.int64)
    row_of[id_array] = np.arange(size)
    newest_ids = (
        db.session.connection()
        .execute(
            select(Business.id)
            .where(listed)
            .order_by(Business.created_at.desc(), Business.id.desc())
        )
        .scalars()
    )
    in_order = _rows(row_of, np.fromiter(newest_ids, dtype=np.int64))
    newest = np.full(size, size, dtype=np.int64)  # listed since the first read: last
    newest[in_order] = np.arange(len(in_order))

    everyone = np.arange(size)
    pairs: dict[str, list[tuple[np.ndarray, list | str]]] = {
        "sector": [(everyone, sectors)],
        "stage": [(everyone, stages)],
        "region": [(everyone, regions)],
        "need": [],
        "offer": [],
        "network": [],
    }
    for name, value, members in _grouped_members():
        pairs[name].append((_rows(row_of, members), value))
    return Snapshot(
        version=version,
        generation=next(_GENERATIONS),
        ids=id_array,
        names=names,
        latitude=np.array(lat, dtype=np.float64),
        longitude=np.array(lon, dtype=np.float64),
        mentors=np.array(mentors, dtype=bool),
        newest=newest,
        row_of=row_of,
        facets={name: _facet(name, found) for name, found in pairs.items()},
        touched=np.fromiter((hash(t) for t in touched), dtype=np.int64, count=size),
    )


def _grouped_members():
    """(facet, option, business ids) for secondary sectors, topics and networks.

    One row per option, its ids joined in one string: a few dozen rows instead of one per pair
    (450,000 topic pairs at 100,000 businesses).
    """

    def joined(column):
        return func.aggregate_strings(cast(column, String), ",")

    sector = BusinessSector.sector
    yield from (
        ("sector", value, _ids(members))
        for value, members in db.session.execute(
            select(sector, joined(BusinessSector.business_id)).group_by(sector)
        )
    )
    kind, topic = BusinessTopic.kind, BusinessTopic.topic
    yield from (
        (name, value, _ids(members))
        for name, value, members in db.session.execute(
            select(kind, topic, joined(BusinessTopic.business_id)).group_by(kind, topic)
        )
    )
    slug = Network.slug
    yield from (
        ("network", value, _ids(members))
        for value, members in db.session.execute(
            select(slug, joined(business_networks.c.business_id))
            .join_from(business_networks, Network)
            .group_by(slug)
        )
    )


def _ids(joined: str) -> np.ndarray:
    return np.fromstring(joined, dtype=np.int64, sep=",")


def _rows(row_of: np.ndarray, ids: np.ndarray) -> np.ndarray:
    ids = ids[(ids >= 0) & (ids < len(row_of))]
    rows = row_of[ids]
    return rows[rows >= 0]


def _facet(name: str, found: list[tuple[np.ndarray, list | str]]) -> Facet:
    """Options: the vocabulary's in its order, then any others the data holds, sorted."""
    known: list[str | None] = list(FACETS[name][1]) if name in FACETS else []
    held: set[str | None] = set()
    for _, values in found:
        held.update(values if isinstance(values, list) else [values])
    options = known + sorted(held - set(known), key=lambda v: v or "")
    index = {option: i for i, option in enumerate(options)}
    rows, codes = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for member_rows, values in found:
        rows.append(member_rows)
        if isinstance(values, list):
            codes.append(np.fromiter((index[v] for v in values), np.int64, len(values)))
        else:
            codes.append(np.full(len(member_rows), index[values], dtype=np.int64))
    return Facet(options, np.concatenate(rows), np.concatenate(codes))
