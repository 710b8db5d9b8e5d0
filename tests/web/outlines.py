"""The offline base map's region outlines, read as the browser gets them, with a point-in-region
test; the base map's tests and benchmarks/eval_region_outlines.py share it.

The app never reads outlines (it votes a point's region from the gazetteer): this is how the
tests check that what the map draws agrees with what the app says.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

BASE_JSON = Path(__file__).resolve().parents[2] / "static" / "map" / "base.json"


def load_base() -> dict:
    return json.loads(BASE_JSON.read_text())


def inside(polygon: list, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Which points are inside a GeoJSON polygon (rings of [lon, lat]; holes excluded)."""
    crossings = np.zeros(len(lats), dtype=bool)
    for ring in polygon:
        xy = np.asarray(ring, dtype=float)
        x1, y1, x2, y2 = xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1]
        for a, b, c, d in zip(x1, y1, x2, y2, strict=True):
            spans = (b > lats) != (d > lats)
            with np.errstate(divide="ignore", invalid="ignore"):
                cross = spans & (lons < (c - a) * (lats - b) / (d - b) + a)
            crossings ^= cross
    return crossings


def regions_at(base: dict, lats, lons) -> np.ndarray:
    """The slug of the region outline each point falls in, or "" outside all of them."""
    lats, lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
    found = np.full(len(lats), "", dtype=object)
    for region in base["regions"]:
        for polygon in region["outline"]["coordinates"]:
            ring = np.asarray(polygon[0], dtype=float)
            (west, south), (east, north) = ring.min(axis=0), ring.max(axis=0)
            near = (lons >= west) & (lons <= east) & (lats >= south) & (lats <= north)
            near &= found == ""
            if near.any():
                hits = np.flatnonzero(near)[inside(polygon, lats[near], lons[near])]
                found[hits] = region["slug"]
    return found
