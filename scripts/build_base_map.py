"""Build static/map/base.json, the map's offline base layer: coastlines and place names.

Coastlines: Natural Earth's 1:50m countries (public domain), as TopoJSON in the npm package
`world-atlas`, cut to the British Isles and northern France. Place names: the 80 largest
places of the gazetteer (GeoNames, CC BY 4.0). Run with the unpacked package:

    npm pack world-atlas   # then untar
    python scripts/build_base_map.py COUNTRIES_50M_JSON
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOX = (-11.0, 49.0, 3.0, 61.0)  # west, south, east, north
KEEP = {"United Kingdom", "Ireland", "France", "Isle of Man", "Guernsey", "Jersey"}


def arcs_of(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((round(x * sx + tx, 3), round(y * sy + ty, 3)))
        out.append(points)
    return out


def ring(arcs: list, indexes: list[int]) -> list:
    points: list = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def inside(points: list) -> bool:
    west, south, east, north = BOX
    return any(west <= x <= east and south <= y <= north for x, y in points)


def main(countries_json: str) -> None:
    topology = json.loads(Path(countries_json).read_text())
    arcs = arcs_of(topology)
    polygons = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("properties", {}).get("name") not in KEEP:
            continue
        shapes = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for shape in shapes:
            outer = ring(arcs, shape[0])
            if inside(outer):
                polygons.append([[list(p) for p in outer]])
    places_path = ROOT / "directory" / "places" / "data" / "gb_places.tsv.gz"
    rows = csv.DictReader(
        gzip.decompress(places_path.read_bytes()).decode().splitlines(), delimiter="\t"
    )
    largest = sorted(rows, key=lambda r: -int(r["population"]))[:80]
    base = {
        "land": {"type": "MultiPolygon", "coordinates": polygons},
        "places": [
            {
                "name": r["name"],
                "lat": round(float(r["lat"]), 2),
                "lon": round(float(r["lon"]), 2),
                "population": int(r["population"]),
            }
            for r in largest
        ],
    }
    out = ROOT / "static" / "map" / "base.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(base, separators=(",", ":")))
    print(f"{len(polygons)} land shapes, {len(base['places'])} places, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
