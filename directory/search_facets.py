"""Counts beside the directory's facet options, computed in one pass with numpy.

An option's count is how many results the search would give with that option ticked and the
other facets kept, as shops show them. The businesses that pass the text, the place and the
mentor switch (the "base") are read once, with their facet values as (row, value) pairs; every
facet's counts are then a few vector operations. The base is cached per search words and place
until the directory changes, so ticking boxes costs no query.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np
from flask import current_app
from sqlalchemy import select

from directory import matchmaking
from directory.extensions import db
from directory.models import Business, BusinessSector, BusinessTopic, Network, business_networks
from directory.search_query import FACETS, DirectoryQuery

_CACHE_SIZE = 32
# Facets whose chosen options must all be present (topics); the others take any of them.
_ALL_OF = {"need", "offer"}


@dataclass(frozen=True)
class _Base:
    """The base businesses, and for each facet its options and (row, option) pairs."""

    size: int
    options: dict[str, list[str | None]]  # None: a stage not known
    rows: dict[str, np.ndarray]
    values: dict[str, np.ndarray]


def facet_counts(result) -> dict[str, dict[str | None, int]]:
    """Counts per option of every facet (and networks) for a search result."""
    scope = result.scope
    if scope is None:  # the place was not found: nothing to count
        return {}
    base = _cached_base(scope)
    query = scope.query
    chosen = {name: getattr(query, name) for name in (*FACETS, "network")}
    masks = {name: _passing(base, name, values) for name, values in chosen.items() if values}
    counts = {}
    for name in chosen:
        keep = np.ones(base.size, dtype=bool)
        for other, mask in masks.items():
            if other != name:
                keep &= mask
        rows, values = base.rows[name], base.values[name]
        tally = np.bincount(values[keep[rows]], minlength=len(base.options[name]))
        counts[name] = {
            option: int(n) for option, n in zip(base.options[name], tally, strict=True) if n
        }
    return counts


def _passing(base: _Base, name: str, chosen: list[str]) -> np.ndarray:
    """Which base rows pass a facet's chosen options."""
    index = {option: i for i, option in enumerate(base.options[name])}
    wanted = [index[v] for v in dict.fromkeys(chosen) if v in index]
    rows, values = base.rows[name], base.values[name]
    hits = np.bincount(rows[np.isin(values, wanted)], minlength=base.size)
    if name in _ALL_OF:
        return hits == len(set(chosen))
    return hits > 0


def _cached_base(scope) -> _Base:
    query: DirectoryQuery = scope.query
    # The directory version moves with every write to what facets count (sectors, stages,
    # regions, topics, networks, listing): one primary-key read.
    stamp = matchmaking.read_version()
    key = (query.q, query.near, query.radius_km, query.mentors, stamp)
    cache: OrderedDict = current_app.extensions.setdefault("peerlink_facet_bases", OrderedDict())
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    base = _read_base(scope)
    cache[key] = base
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)
    return base


def _read_base(scope) -> _Base:
    from directory.search import _filtered  # the filters live with the search

    unfaceted = replace(scope, query=replace(scope.query, **{n: [] for n in (*FACETS, "network")}))
    ids = _filtered(unfaceted).subquery()
    in_base = select(ids.c.id)
    businesses = db.session.execute(
        select(Business.id, Business.sector, Business.stage, Business.region).where(
            Business.id.in_(in_base)
        )
    ).all()
    # The reads below see the directory a moment later: a business listed in between (an owner
    # confirming their email) is not in this snapshot and is left out of its counts.
    row_of = {business_id: i for i, (business_id, *_) in enumerate(businesses)}
    pairs: dict[str, list[tuple[int, str | None]]] = {name: [] for name in (*FACETS, "network")}
    for i, (_, sector, stage, region) in enumerate(businesses):
        pairs["sector"].append((i, sector))
        pairs["stage"].append((i, stage))
        pairs["region"].append((i, region))
    for business_id, sector in db.session.execute(
        select(BusinessSector.business_id, BusinessSector.sector).where(
            BusinessSector.business_id.in_(in_base)
        )
    ):
        if business_id in row_of:
            pairs["sector"].append((row_of[business_id], sector))
    for business_id, kind, topic in db.session.execute(
        select(BusinessTopic.business_id, BusinessTopic.kind, BusinessTopic.topic).where(
            BusinessTopic.business_id.in_(in_base)
        )
    ):
        if business_id in row_of:
            pairs[kind].append((row_of[business_id], topic))
    for business_id, slug in db.session.execute(
        select(business_networks.c.business_id, Network.slug)
        .join(Network, Network.id == business_networks.c.network_id)
        .where(business_networks.c.business_id.in_(in_base))
    ):
        if business_id in row_of:
            pairs["network"].append((row_of[business_id], slug))
    options: dict[str, list[str | None]] = {}
    rows, values = {}, {}
    for name, found in pairs.items():
        known: list[str | None] = list(FACETS[name][1]) if name in FACETS else []
        options[name] = known + sorted({v for _, v in found} - set(known), key=lambda v: v or "")
        index = {option: i for i, option in enumerate(options[name])}
        rows[name] = np.fromiter((r for r, _ in found), dtype=np.int64, count=len(found))
        values[name] = np.fromiter((index[v] for _, v in found), dtype=np.int64, count=len(found))
    return _Base(len(businesses), options, rows, values)
