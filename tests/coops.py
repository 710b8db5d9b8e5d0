"""Convert Co-operatives UK open data rows into Peerlink's import CSV (tests and benchmarks)."""

from __future__ import annotations

import csv
import io
import random

from benchmarks.coops_uk import COOPS_CSV, SECTOR_MAP
from directory.bulk import COLUMNS
from directory.places import offline as geo
from matching.vocab import STAGES, TOPICS

LEGAL_MAP = {
    "Society": "Community Benefit Society",
    "Company": "clg",
    "Unincorporated": "unincorporated",
    "Community Interest Company": "CIC",
}


def english_rows(limit: int | None = None, seed: int = 7) -> list[dict[str, str]]:
    """Rows in import format, for English co-ops whose postcode (or district) is known."""
    rng = random.Random(seed)
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    with COOPS_CSV.open(newline="", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            postcode = geo.normalise_postcode(row["Postcode"] or "")
            if not postcode or not row["Name"].strip():
                continue
            found = geo.OfflineGeocoder().geocode(postcode)
            if found is None:
                postcode = postcode.split()[0]
                found = geo.OfflineGeocoder().geocode(postcode)
            if found is None or found.raw["region"] in ("scotland", "wales", "northern-ireland"):
                continue
            key = row["Name"].strip().lower()
            if key in seen:
                continue
            seen.add(key)
            out.append(
                {
                    "name": row["Name"].strip(),
                    "sector": SECTOR_MAP.get(row["Sector"], "other"),
                    "legal_form": LEGAL_MAP.get(row["Legal Form"], ""),
                    "stage": rng.choice(list(STAGES)[1:]),
                    "founded_year": "",
                    "postcode": postcode,
                    "town": row["Locality"].strip(),
                    "needs": "; ".join(rng.sample(list(TOPICS), 2)),
                    "offers": "; ".join(TOPICS[t] for t in rng.sample(list(TOPICS), 2)),
                    "description": row["Description"],
                    "email": "",
                    "phone": "",
                    "website": row["Website"].strip(),
                    "willing_to_mentor": rng.choice(["yes", "no", ""]),
                    "networks": "Co-operatives UK",
                }
            )
            if limit and len(out) >= limit:
                break
    return out


def to_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
