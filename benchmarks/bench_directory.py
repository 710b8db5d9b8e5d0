"""Directory speed on SQLite or PostgreSQL: pages with text, `near` and facets; CSV import.

Run: .venv/bin/python benchmarks/bench_directory.py [--businesses 7000] [--requests 200]
         [--database-url sqlite:///FILE | postgresql://...] [--reuse] [--skip-import]
         [--profile]
The database's public schema (PostgreSQL) or file (SQLite) is rebuilt with the demo directory,
unless `--reuse` finds it already holding that many demo businesses (the 100,000 load takes
minutes): then only the migrations are applied. Prints medians of the wall-clock time and of
the process's CPU time per request (CPU time survives a busy machine; on PostgreSQL it leaves
out the server's share), and their ratio to a reference measured in the same run (the profile
page, one row by primary key). Targets: p50 <= 10 ms at 7,000 and <= 25 ms at 100,000
businesses for a /businesses page with text, near and facets; under 20 s to import a
7,000-row CSV. The search keeps the directory's columns and the words' matches per directory
version: the first page after a change, which reads them again, is measured apart.
`--profile` prints where the time of the text + near + facets pages goes: a pyinstrument
profile, and each SQL statement of one page with its time.
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
from sqlalchemy import create_engine, event, func, inspect, select, text  # noqa: E402

from directory import bulk, create_app, demo, search_snapshot  # noqa: E402
from directory.extensions import db  # noqa: E402
from directory.matches import freshness  # noqa: E402
from directory.models import Business  # noqa: E402

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


def make_app(path: Path, url: str = "", *, keep: bool = False):
    """An app on a migrated database: emptied first unless `keep`."""
    if url.startswith("postgresql") and not keep:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    elif url.startswith("sqlite:///") and not keep:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{path}", "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
    return app


def demo_app(tmp: Path, url: str, n: int, reuse: bool):
    """The app on a database holding the n-business demo directory, and the load's seconds."""
    if reuse and url and _holds(url, n):
        return make_app(tmp / "demo.sqlite", url, keep=True), float("nan")
    app = make_app(tmp / "demo.sqlite", url)
    with app.app_context():
        started = time.perf_counter()
        demo.load(n=n, seed=1, password="benchmark-pass")
        return app, time.perf_counter() - started


def _holds(url: str, n: int) -> bool:
    engine = create_engine(url)
    try:
        if not inspect(engine).has_table("business"):
            return False
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(Business)).scalar_one() == n
    finally:
        engine.dispose()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Timings:
    """Wall-clock and CPU milliseconds of each request of one kind."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def get(self, client, url: str):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        self.cpu.append((time.process_time() - cpu) * 1000)
        self.wall.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
        return response

    def median(self, reference: Timings | None = None) -> str:
        wall, cpu = statistics.median(self.wall), statistics.median(self.cpu)
        figure = f"{wall:.1f} ms wall, {cpu:.1f} ms CPU"
        if reference is not None:
            ratio_wall = wall / statistics.median(reference.wall)
            ratio_cpu = cpu / statistics.median(reference.cpu)
            figure += f" ({ratio_wall:.1f}x, {ratio_cpu:.1f}x)"
        return figure


def worded_url(rng: random.Random) -> str:
    return (
        f"/businesses?q={rng.choice(WORDS)}&near={rng.choice(PLACES)}"
        f"&radius_km={rng.choice([10, 20, 50])}{rng.choice(FACETS[:6])}"
    )


def profile(app, client, urls: list[str]) -> None:
    """Print a pyinstrument profile of these pages, then the SQL of the first with its times."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    with profiler:
        for url in urls:
            client.get(url)
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    statements: list[tuple[float, str]] = []
    with app.app_context():
        engine = db.engine

    def before(conn, _cursor, _statement, _params, _context, _many):
        conn.info["started"] = time.perf_counter()

    def after(conn, _cursor, statement, _params, _context, _many):
        elapsed = (time.perf_counter() - conn.info["started"]) * 1000
        statements.append((elapsed, " ".join(statement.split())[:160]))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        client.get(urls[0])
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    print(f"SQL of {urls[0]}:")
    for elapsed, statement in statements:
        print(f"  {elapsed:7.2f} ms  {statement}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--businesses", type=int, default=7000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        app, demo_s = demo_app(tmp, args.database_url, args.businesses, args.reuse)
        with app.app_context():
            csv_path = tmp / "directory.csv"
            with csv_path.open("w", newline="", encoding="utf-8") as stream:
                rows = bulk.export_csv(stream)

        client = app.test_client()
        cold = Timings()
        for place in PLACES:  # first use of a postcode area loads its table: a one-off cost
            cold.get(client, f"/businesses?near={place}&radius_km=25")
        near = Timings()
        for _ in range(args.requests):
            near.get(
                client,
                f"/businesses?near={rng.choice(PLACES)}&radius_km={rng.choice([10, 25, 50])}"
                f"{rng.choice(FACETS)}",
            )
        slug = client.get("/businesses?per_page=1").get_data(as_text=True)
        slug = slug.split('class="card-title"><a href="', 1)[1].split('"', 1)[0]
        reference, worded = Timings(), Timings()
        for _ in range(args.requests):
            reference.get(client, slug)
            worded.get(client, worded_url(rng))
        map_sizes = {
            label: len(client.get(url).get_data())
            for label, url in (
                ("England", "/businesses/map.json"),
                ("England, shops", "/businesses/map.json?sector=shop"),
                ("50 km of Leeds", "/businesses/map.json?near=Leeds&radius_km=50"),
            )
        }
        plain = Timings()
        for _ in range(args.requests // 2):
            plain.get(client, f"/businesses?page={rng.randint(1, 300)}{rng.choice(FACETS)}")
        maps = Timings()
        for _ in range(args.requests // 2):
            maps.get(client, worded_url(rng).replace("/businesses?", "/businesses/map.json?"))
        if args.profile:
            profile(app, client, [worded_url(rng) for _ in range(50)])
        changed, snapshot, introduced = Timings(), Timings(), Timings()
        with app.app_context():
            listed_ids = list(db.session.execute(select(Business.id).limit(500)).scalars())
        for _ in range(5):
            # An introduction raises the version without changing what the search reads...
            with app.app_context():
                freshness.bump(db.session, [rng.choice(listed_ids)])
                db.session.commit()
            introduced.get(client, worded_url(rng))
        for _ in range(5):
            # ...a change to a business has the search read the directory again.
            with app.app_context(), db.engine.begin() as connection:
                search_snapshot.raise_version(connection)
            changed.get(client, worded_url(rng))
            with app.test_request_context():
                started, cpu = time.perf_counter(), time.process_time()
                search_snapshot._read((0, 0))
                snapshot.cpu.append((time.process_time() - cpu) * 1000)
                snapshot.wall.append((time.perf_counter() - started) * 1000)

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

    backend = "PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite"
    print(
        f"Directory benchmark, {args.businesses:,} businesses in {backend} "
        f"({args.requests} filtered requests, in-process test client; medians, and in "
        "brackets their ratios to the reference)\n"
    )
    rows_out = [
        ("reference: a profile page", reference.median(), ""),
        (
            "/businesses with text + near + facets",
            worded.median(reference),
            "<= 10 ms at 7,000; <= 25 ms at 100,000",
        ),
        (
            "/businesses with text + near + facets, 95th percentile",
            f"{percentile(worded.wall, 95):.1f} ms wall, {percentile(worded.cpu, 95):.1f} ms CPU",
            "",
        ),
        ("/businesses with near + radius_km (+ facets)", near.median(reference), "< 30 ms"),
        ("first request near a new place (loads its postcode area)", cold.median(), ""),
        ("/businesses without near (facets, pages)", plain.median(reference), ""),
        ("/businesses/map.json with text + near + facets", maps.median(reference), ""),
        (
            "first text + near + facets page after an introduction (columns kept)",
            introduced.median(reference),
            "",
        ),
        (
            "first text + near + facets page after a change to a business (all read again)",
            changed.median(reference),
            "",
        ),
        ("of which reading the search columns again", snapshot.median(), ""),
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
