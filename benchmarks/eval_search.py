"""Search quality on real records: a judged query set over Co-operatives UK's English co-ops.

Each query is what a person might type (words, and sometimes a place), with the businesses a
person would expect first; a query scores a hit when one of them is among the first three
results of the directory page. Run:

    .venv/bin/python benchmarks/eval_search.py [--database-url postgresql://...]

(the PostgreSQL database's public schema is dropped and rebuilt). Prints each query's top three
and hit@3, with the old search (a plain substring match, ordered by name) as the reference.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, func, or_, select, text  # noqa: E402

from benchmarks.coops_uk import COOPS_CSV, SECTOR_MAP  # noqa: E402
from directory import bulk, create_app, places  # noqa: E402
from directory.businesses.service import BusinessData  # noqa: E402
from directory.extensions import db  # noqa: E402
from directory.models import Business  # noqa: E402
from matching.vocab import ENGLISH_REGIONS  # noqa: E402

# (words, near, businesses a person expects among the first three)
JUDGED: list[tuple[str, str, tuple[str, ...]]] = [
    ("bicycle repair", "", ("Norwich Bicycle Repair Co-op",)),
    ("pubs", "Richmond, North Yorkshire", ("Hudswell Community Pub (The George and Dragon)",
                                            "The Skeeby Community Pub Society")),
    ("bakery", "Sheffield", ("Sheaf Community Bakery",)),
    ("bristol energy", "", ("Bristol Energy Co-op",)),
    ("brixton solar", "", ("Brixton Energy Solar 1 (Elmore House)",
                           "Brixton Energy Solar 2 Co-operative (Styles Gardens)",
                           "Brixton Energy Solar 3 Co-operative (Roupell Park)")),
    ("credit union", "Manchester", ("Manchester Credit Union", "South Manchester Credit Union",
                                    "Manchester Unity Credit Union")),
    ("fc united", "", ("FC United of Manchester",)),
    ("suma", "", ("Suma Foods",)),
    ("wholefood", "Stroud", ("Stroud Valleys Wholefood Co-operative",)),
    ("headingley", "", ("Headingley Development Trust", "New Headingley Club")),
    ("bike", "Bristol", ("Bristol Bike Project",)),
    ("brewery", "Totnes", ("New Lion Brewery",)),
    ("community shop", "EX20 3RY", ("The Burrow Community Shop and Cafe",)),
    ("cooperative pub", "York", ("The Golden Ball Co-operative Pub",)),
    ("handmade bakery", "", ("The Handmade Bakery",)),
    ("renewable energy", "Totnes", ("Totnes Renewable Energy Society (TRESOC)",)),
    ("co-op pub york", "", ("The Golden Ball Co-operative Pub",)),
    ("solar schools", "", ("Wey Valley Solar Schools Energy Co-operative",)),
    ("hesket newmarket", "", ("Old Crown Pub (Hesket Newmarket)", "Hesket Newmarket Brewery")),
    ("bicycle cooperative", "Liverpool", ("Liverpool Bicycle Co-operative",)),
]  # fmt: skip


def make_app(tmp: Path, url: str):
    if url:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    uri = url or f"sqlite:///{tmp / 'eval.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "eval"})
    with app.app_context():
        upgrade()
    return app


def english_coops() -> list[BusinessData]:
    records, seen = [], set()
    # SHARED_DATA points elsewhere when the project is checked out beside another shared/.
    path = Path(os.environ.get("SHARED_DATA", COOPS_CSV.parent)) / COOPS_CSV.name
    with path.open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            name = " ".join(row["Name"].split())
            if not name or name.lower() in seen:
                continue
            try:
                place = places.resolve_place(row["Postcode"], None)
            except places.LocationError:
                continue
            if place.region not in ENGLISH_REGIONS:
                continue
            seen.add(name.lower())
            description = ". ".join(v for v in (row["Sector"], row["SIC Section"]) if v)
            records.append(
                BusinessData(
                    name=name[:160],
                    sector=SECTOR_MAP.get(row["Sector"], "other"),
                    stage="established",
                    place=place,
                    description=description,
                )
            )
    return records


def old_search(q: str, near: str) -> list[str]:
    """The search this replaces: every word as one substring, names A to Z, radius 25 km."""
    pattern = f"%{q.lower()}%"
    stmt = select(Business.name, Business.latitude, Business.longitude).where(
        or_(func.lower(Business.name).like(pattern), func.lower(Business.description).like(pattern))
    )
    rows = db.session.execute(stmt.order_by(Business.name)).all()
    if near:
        try:
            origin = places.resolve_place_text(near)
        except places.LocationError:
            return []
        point = (origin.latitude, origin.longitude)
        rows = [r for r in rows if places.distance_km(point, (r[1], r[2])) <= 25]
    return [r[0] for r in rows[:3]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp), args.database_url)
        with app.app_context():
            started = time.perf_counter()
            records = english_coops()
            bulk.save(records)
            load_s = time.perf_counter() - started
        client = app.test_client()
        hits = old_hits = 0
        lines = []
        for q, near, expected in JUDGED:
            params = {"q": q, **({"near": near, "radius_km": 50} if near else {})}
            page = client.get(f"/businesses?{urlencode(params)}").get_data(as_text=True)
            top = re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', page)[:3]
            top = [t.replace("&amp;", "&").replace("&#39;", "'") for t in top]
            hit = any(name in expected for name in top)
            with app.app_context():
                old_hit = any(name in expected for name in old_search(q, near))
            hits += hit
            old_hits += old_hit
            where = f" near {near}" if near else ""
            lines.append(f"| {q}{where} | {'hit' if hit else 'miss'} | {'; '.join(top)} |")
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"Judged search queries: {len(JUDGED)}, over {len(records):,} English co-ops "
          f"(Co-operatives UK 2023) in {backend}, loaded in {load_s:.0f} s\n")  # fmt: skip
    print("| query | first three? | first three results |")
    print("|---|---|---|")
    print("\n".join(lines))
    print(f"\nhit@3: {hits}/{len(JUDGED)} = {hits / len(JUDGED):.2f} "
          f"(reference, the old substring search: {old_hits}/{len(JUDGED)} = "
          f"{old_hits / len(JUDGED):.2f})")  # fmt: skip


if __name__ == "__main__":
    main()
