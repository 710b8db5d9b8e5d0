"""The map's data: the list's results counted per grid cell, or as district-level points.

The whole of England is a few hundred cells, not 7,000 points, so no view downloads more than a
few tens of kilobytes; points are sent only when the view holds few enough of them. Every
coordinate is a public (postcode district) point rounded to 0.01 degrees, every distance a
whole number of km from that point.
"""

from __future__ import annotations

import math

from flask import url_for
from sqlalchemy import Integer, cast, func, select
from werkzeug.datastructures import MultiDict

from directory.extensions import db
from directory.models import Business
from directory.places import offline as geo
from directory.search import SearchResult, filtered, public_km

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
    if result.scope is None or result.total == 0:
        return body
    west, south, east, north = view_box(args)
    ids = filtered(result.scope).subquery()
    in_view = (
        Business.id.in_(select(ids.c.id)),
        Business.public_longitude.between(west, east),
        Business.public_latitude.between(south, north),
    )
    in_view_count = db.session.execute(select(func.count()).where(*in_view)).scalar_one()
    body["in_view"] = in_view_count
    if in_view_count <= MAX_POINTS:
        body["points"] = _points(result, in_view)
    else:
        body["cells"] = _cells(in_view, (east - west) / CELLS_ACROSS)
    return body


def _cells(in_view: tuple, size: float) -> list[dict]:
    column = cast((Business.public_longitude + 180.0) / size, Integer).label("column")
    row = cast((Business.public_latitude + 90.0) / size, Integer).label("row")
    rows = db.session.execute(
        select(
            column,
            row,
            func.count(),
            func.avg(Business.public_latitude),
            func.avg(Business.public_longitude),
        )
        .where(*in_view)
        .group_by(column, row)
    ).all()
    return [{"lat": round(lat, 2), "lon": round(lon, 2), "count": n} for _, _, n, lat, lon in rows]


def _points(result: SearchResult, in_view: tuple) -> list[dict]:
    rows = db.session.execute(
        select(
            Business.slug,
            Business.name,
            Business.sector,
            Business.town,
            Business.outcode,
            Business.region,
            Business.public_latitude,
            Business.public_longitude,
        )
        .where(*in_view)
        .order_by(Business.name)
    ).all()
    origin = result.origin
    points = []
    for slug, name, sector, town, outcode, region, lat, lon in rows:
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
