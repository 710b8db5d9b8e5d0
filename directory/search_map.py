"""The map's data: the list's results counted per grid cell, or as district-level points.

Counted on the same search snapshot as the list (directory.search_snapshot), so the map holds
exactly the list's results, and a crowded view costs no query at all.

The whole of England is a few hundred cells, not 7,000 points, so no view downloads more than a
few tens of kilobytes; points are sent only when the view holds few enough of them. Every
coordinate is a public (postcode district) point rounded to 0.01 degrees, every distance a
whole number of km from that point.
"""

from __future__ import annotations

import math

import numpy as np
from flask import url_for
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from directory.extensions import db
from directory.models import Business
from directory.places import offline as geo
from directory.search import SearchResult, public_km

# At most this many businesses are sent as points; above it the view is sent as cells.
MAX_POINTS = 400
# A cell is this fraction of the view's width, so a view shows at most ~20 x 20 cells.
CELLS_ACROSS = 20
ENGLAND = (-6.5, 49.8, 2.0, 55.9)  # west, south, east, north


def view_box(args: MultiDict) -> tuple[float, float, float, float]:
    """The map's bounds from `bbox=west,south,east,north`, or England when absent or bad."""
    try:
        west, south, east, north = (float(v) for v in args.get("bbox", "").split(","))
    except ValueError:
        return ENGLAND
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        return ENGLAND
    if west >= east or south >= north:
        return ENGLAND
    return max(west, -180.0), max(south, -90.0), min(east, 180.0), min(north, 90.0)


def aggregate(result: SearchResult, args: MultiDict) -> dict:
    """The map's body: `cells` with counts, or `points`, for the businesses in view."""
    body: dict = {"total": result.total, "cells": [], "points": []}
    if result.origin is not None:
        body["origin"] = {
            "label": result.origin.label,
            "lat": round(result.origin.latitude, 4),
            "lon": round(result.origin.longitude, 4),
            "radius_km": result.query.radius_km,
        }
    scope = result.scope
    if scope is None or scope.snapshot is None or result.total == 0:
        return body
    west, south, east, north = view_box(args)
    rows = scope.rows()
    lat, lon = scope.snapshot.latitude[rows], scope.snapshot.longitude[rows]
    in_view = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
    body["in_view"] = int(in_view.sum())
    if body["in_view"] <= MAX_POINTS:
        body["points"] = _points(result, scope.snapshot.ids[rows[in_view]].tolist())
    else:
        body["cells"] = _cells(lat[in_view], lon[in_view], (east - west) / CELLS_ACROSS)
    return body


def _cells(lat: np.ndarray, lon: np.ndarray, size: float) -> list[dict]:
    """Counts per square cell `size` degrees wide, each at the mean point of its businesses."""
    column = ((lon + 180.0) / size).astype(np.int64)
    row = ((lat + 90.0) / size).astype(np.int64)
    _, cell, counts = np.unique(column * 1_000_003 + row, return_inverse=True, return_counts=True)
    lat_sums = np.bincount(cell, weights=lat)
    lon_sums = np.bincount(cell, weights=lon)
    return [
        {"lat": round(float(a / n), 2), "lon": round(float(o / n), 2), "count": int(n)}
        for a, o, n in zip(lat_sums, lon_sums, counts, strict=True)
    ]


def _points(result: SearchResult, ids: list[int]) -> list[dict]:
    """The businesses in view, by name (the ids come in name order)."""
    rows = db.session.execute(
        select(
            Business.id,
            Business.slug,
            Business.name,
            Business.sector,
            Business.town,
            Business.outcode,
            Business.region,
            Business.public_latitude,
            Business.public_longitude,
        ).where(Business.id.in_(ids))
    ).all()
    by_id = {row.id: row for row in rows}
    origin = result.origin
    points = []
    for business_id in ids:
        if business_id not in by_id:  # deleted since the directory was read
            continue
        _, slug, name, sector, town, outcode, region, lat, lon = by_id[business_id]
        point = Business(sector=sector, town=town, outcode=outcode, region=region)
        item = {
            "name": name,
            "url": url_for("businesses.profile", slug=slug),
            "sector": point.sector_label,
            "town": point.public_location,
            "lat": round(lat, 2),
            "lon": round(lon, 2),
        }
        if origin is not None:
            km = geo.haversine_km(origin.latitude, origin.longitude, [lat], [lon])[0]
            item["distance_km"] = public_km(km)
        points.append(item)
    return points
