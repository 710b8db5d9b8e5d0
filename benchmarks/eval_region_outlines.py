"""Do the map's region outlines agree with the regions the app gives businesses?

Run: .venv/bin/python benchmarks/eval_region_outlines.py [--postcodes 20000]

Two sets of real points, each placed by the app's offline geocoder (which votes a point's
region from the gazetteer's towns), are looked up in static/map/base.json's outlines:
- every postcode of the Co-operatives UK open dataset (shared data), as a real directory's;
- random English postcodes (Code-Point Open), so in proportion to where people live.
For each it prints how many fall inside an outline (the rest lie in the sea of the simplified
coast), how often the outline's region is the app's, and, where the ONS 2019 regions of the
shared data say which region a point is in, how often the outline and the app are right.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from directory.places.offline import OfflineGeocoder, sample_postcodes  # noqa: E402
from matching.vocab import REGIONS, lookup  # noqa: E402
from tests.conftest import SHARED_DATA  # noqa: E402
from tests.web.outlines import load_base, regions_at  # noqa: E402


def placed(postcodes: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitudes, longitudes and app regions of the postcodes the geocoder knows."""
    found = [f for f in OfflineGeocoder().geocode_many(postcodes) if f is not None]
    return (
        np.array([f.latitude for f in found]),
        np.array([f.longitude for f in found]),
        np.array([f.raw["region"] for f in found], dtype=object),
    )


def ons_regions() -> dict | None:
    """The ONS 2019 regions and nations (shared data) shaped like base.json's regions."""
    path = SHARED_DATA / "uk_countries_regions_2019.geojson"
    if not path.exists():
        return None
    features = json.loads(path.read_text())["features"]
    names = {"East": "east", "Yorkshire and the Humber": "yorkshire-humber"}
    regions = []
    for feature in features:
        name, geometry = feature["properties"]["rgn19nm"], feature["geometry"]
        coordinates = geometry["coordinates"]
        regions.append(
            {
                "slug": names.get(name) or lookup(REGIONS, name),
                "outline": {
                    "coordinates": coordinates
                    if geometry["type"] == "MultiPolygon"
                    else [coordinates]
                },
            }
        )
    return {"regions": regions}


def report(title: str, lats, lons, app, base: dict, ons: dict | None) -> None:
    drawn = regions_at(base, lats, lons)
    english = {region["slug"] for region in base["regions"]}
    in_england = np.isin(app, list(english)) | (drawn != "")
    inside = drawn != ""
    agree = drawn == np.where(np.isin(app, list(english)), app, "")
    print(f"\n{title}: {len(lats):,} points, {in_england.sum():,} in England by the app or a map")
    print(f"  inside an outline                 {inside[in_england].mean():7.2%}")
    print(f"  outline's region is the app's     {agree[in_england].mean():7.2%} of all,"
          f" {agree[inside].mean():.2%} of those inside an outline")  # fmt: skip
    if ons is not None:
        truth = regions_at(ons, lats, lons)
        known = np.isin(truth, list(english))
        both = known & inside
        print(f"  ONS 2019 says (for {known.sum():,} points): the app is right"
              f" {(app[known] == truth[known]).mean():.2%}, the outline"
              f" {(drawn[both] == truth[both]).mean():.2%} (inside an outline)")  # fmt: skip
    missed = in_england & ~agree
    wrong = Counter((a, d or "sea") for a, d in zip(app[missed], drawn[missed], strict=True))
    print("  most common (app, outline) disagreements:", wrong.most_common(6))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postcodes", type=int, default=20000)
    args = parser.parse_args()
    base = load_base()
    ons = ons_regions()
    coops = SHARED_DATA / "coops_uk_open_data_2023.csv"
    if coops.exists():
        with coops.open(newline="", encoding="utf-8") as stream:
            postcodes = [row["Postcode"] for row in csv.DictReader(stream) if row["Postcode"]]
        report("Co-operatives UK postcodes", *placed(postcodes), base, ons)
    sample = sample_postcodes(random.Random(1), args.postcodes)
    report("Random English postcodes", *placed(sample), base, ons)


if __name__ == "__main__":
    main()
