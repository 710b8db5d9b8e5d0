"""Directory speed on SQLite or PostgreSQL: pages with text, `near` and facets; CSV import.

Run: .venv/bin/python benchmarks/bench_directory.py [--businesses 7000] [--requests 200]
         [--database-url postgresql://...]   (its public schema is dropped and rebuilt)
Prints medians and their ratio to a reference measured in the same run (the profile page, one
row by primary key). Targets: p50 <= 10 ms at 7,000 and <= 25 ms at 100,000 businesses for a
/businesses page with text, near and facets; under 20 s to import a 7,000-row CSV.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from directory import bulk, create_app, demo  # noqa: E402
from directory.extensions import db  # noqa: E402

PLACES = [
    "Okehampton",
    "Leeds",
    "Manchester",
    "Bristol",
    "Norwich",
    "York",
    "Keswick",
    "Derby",
    "EX20",
    "LS6",
    "M1 1AE",
    "BS1",
    "NR2",
    "SW1A 1AA",
    "Truro",
    "Hexham",
    "Ludlow",
    "Stroud",
]
FACETS = [
    "",
    "&sector=shop",
    "&mentors=1",
    "&need=funding",
    "&stage=growing&stage=established",
    "&sector=pub&sector=shop&offer=governance",
    "&q=community",
    "&sort=name",
]
WORDS = ["community shop", "pubs", "solar", "repair cafe", "cooperative", "farm", "library"]


def make_app(path: Path, url: str = ""):
    if url:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{path}", "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
    return app


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--businesses", type=int, default=7000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        app = make_app(tmp / "demo.sqlite", args.database_url)
        with app.app_context():
            started = time.perf_counter()
            demo.load(n=args.businesses, seed=1, password="benchmark-pass")
            demo_s = time.perf_counter() - started
            csv_path = tmp / "directory.csv"
            with csv_path.open("w", newline="", encoding="utf-8") as stream:
                rows = bulk.export_csv(stream)

        client = app.test_client()
        cold = []
        for place in PLACES:  # first use of a postcode area loads its table: a one-off cost
            started = time.perf_counter()
            client.get(f"/businesses?near={place}&radius_km=25")
            cold.append((time.perf_counter() - started) * 1000)
        timings, totals = [], []
        for _ in range(args.requests):
            url = (
                f"/businesses?near={rng.choice(PLACES)}&radius_km={rng.choice([10, 25, 50])}"
                f"{rng.choice(FACETS)}"
            )
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
            totals.append(url)
        slug = app.test_client().get("/businesses?per_page=1").get_data(as_text=True)
        slug = slug.split('class="card-title"><a href="', 1)[1].split('"', 1)[0]
        reference, worded = [], []
        for _ in range(args.requests):
            started = time.perf_counter()
            client.get(slug)
            reference.append((time.perf_counter() - started) * 1000)
            url = (
                f"/businesses?q={rng.choice(WORDS)}&near={rng.choice(PLACES)}"
                f"&radius_km={rng.choice([10, 20, 50])}{rng.choice(FACETS[:6])}"
            )
            started = time.perf_counter()
            response = client.get(url)
            worded.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
        map_sizes = {
            label: len(client.get(url).get_data())
            for label, url in (
                ("England", "/businesses/map.json"),
                ("England, shops", "/businesses/map.json?sector=shop"),
                ("50 km of Leeds", "/businesses/map.json?near=Leeds&radius_km=50"),
            )
        }
        plain = []
        for _ in range(args.requests // 2):
            started = time.perf_counter()
            client.get(f"/businesses?page={rng.randint(1, 300)}{rng.choice(FACETS)}")
            plain.append((time.perf_counter() - started) * 1000)

        import_s = float("nan")
        if not args.skip_import:
            fresh = make_app(tmp / "import.sqlite")
            with fresh.app_context():
                demo.ensure_networks()
                db.session.commit()
            runner = fresh.test_cli_runner()
            started = time.perf_counter()
            result = runner.invoke(args=["directory", "import", str(csv_path)])
            import_s = time.perf_counter() - started
            assert result.exit_code == 0, result.output

    print(
        f"Directory benchmark, {args.businesses:,} businesses in "
        f"{'PostgreSQL' if args.database_url else 'SQLite'} "
        f"({args.requests} filtered requests, in-process test client)\n"
    )
    ref = statistics.median(reference)
    rows_out = [
        ("reference: a profile page, median", f"{ref:.1f} ms", ""),
        (
            "/businesses with text + near + facets, median (ratio to reference)",
            f"{statistics.median(worded):.1f} ms ({statistics.median(worded) / ref:.1f}x)",
            "<= 10 ms at 7,000; <= 25 ms at 100,000",
        ),
        (
            "/businesses with near + radius_km (+ facets), median",
            f"{statistics.median(timings):.1f} ms",
            "< 30 ms",
        ),
        (
            "/businesses with near + radius_km, 95th percentile",
            f"{percentile(timings, 95):.1f} ms",
            "",
        ),
        (
            "first request near a new place (loads its postcode area), median",
            f"{statistics.median(cold):.1f} ms",
            "",
        ),
        (
            "/businesses without near (facets, pages), median",
            f"{statistics.median(plain):.1f} ms",
            "",
        ),
        (
            f"import of a {rows:,}-row CSV (geocode + validate + save)",
            f"{import_s:.1f} s",
            "< 20 s",
        ),
        (f"demo load of {args.businesses:,} businesses", f"{demo_s:.1f} s", ""),
        *(
            (f"map.json bytes, {label}", f"{size:,}", "<= 200,000")
            for label, size in map_sizes.items()
        ),
    ]
    print("| measure | figure | target |")
    print("|---|---|---|")
    for measure, figure, target in rows_out:
        print(f"| {measure} | {figure} | {target} |")


if __name__ == "__main__":
    main()
