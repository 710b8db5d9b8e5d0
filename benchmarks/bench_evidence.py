"""Evidence dashboard speed: 7,000 organisations and 20,000 introductions, in-process.

Run: .venv/bin/python benchmarks/bench_evidence.py [--database-url URL] [--requests 20]
Without --database-url it uses a temporary SQLite file; with a PostgreSQL URL it DROPS and
recreates that database's public schema. Prints medians for the dashboard as an admin (every
network) and as a coordinator (two networks), cold (rows loaded afresh) and warm (rows cached
until the data changes), /evidence.json, the data load and the figures alone, and the ratio to a
reference measured in the same run (the directory's first page).
Target: the dashboard renders in under 300 ms median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

from directory import create_app, demo, demo_history  # noqa: E402
from directory.evidence import figures  # noqa: E402
from directory.evidence.dataset import Filters, clear_cache, load  # noqa: E402
from directory.extensions import db  # noqa: E402
from directory.models import Introduction, utcnow  # noqa: E402

PASSWORD = "benchmark-pass"


def make_app(url: str):
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():
        upgrade()
    return app


def timed(fn, repeat: int) -> float:
    """Median milliseconds of `repeat` calls, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def get(client, path: str):
    def call():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    return call


def run(url: str, businesses: int, introductions: int, repeat: int) -> None:
    app = make_app(url)
    with app.app_context():
        started = time.perf_counter()
        accounts = demo.load(n=businesses, seed=1, password=PASSWORD)
        have = db.session.execute(select(func.count(Introduction.id))).scalar()
        demo_history.generate(count=max(0, introductions - have), seed=2)
        total = db.session.execute(select(func.count(Introduction.id))).scalar()
        print(f"  built {businesses} organisations, {total} introductions in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip

    admin, coordinator = app.test_client(), app.test_client()
    admin.post("/login", data={"email": accounts.admin[0], "password": PASSWORD})
    coordinator.post("/login", data={"email": accounts.coordinator[0], "password": PASSWORD})
    reference = timed(get(admin, "/businesses"), repeat)

    def cold(call):
        def run_cold():
            with app.app_context():
                clear_cache()
            call()

        return run_cold

    results = {
        "dashboard, admin, cold (no cached rows)": timed(cold(get(admin, "/evidence")), repeat),
        "dashboard, coordinator, cold": timed(cold(get(coordinator, "/evidence")), repeat),
        "dashboard, admin (all networks), warm": timed(get(admin, "/evidence"), repeat),
        "dashboard, coordinator (2 networks), warm": timed(get(coordinator, "/evidence"), repeat),
        "/evidence.json, admin": timed(get(admin, "/evidence.json"), repeat),
        "dashboard, admin, last 18 months": timed(
            get(admin, f"/evidence?from={(utcnow() - timedelta(days=548)).date()}"), repeat
        ),
    }
    with app.app_context():
        now = utcnow()
        filters = Filters.from_args({}, now.date())
        dataset = load(filters, None, now)
        results["cold: loading the rows"] = timed(
            lambda: (clear_cache(), load(filters, None, now)), repeat
        )
        results["cold: computing every figure"] = timed(
            lambda: figures.all_figures(replace(dataset, memo={})), repeat
        )
    print(f"  reference: directory first page /businesses  {reference:7.1f} ms median")
    for name, ms in results.items():
        print(f"  {name:40s} {ms:7.1f} ms median   ({ms / reference:4.1f} x reference)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--businesses", type=int, default=7000)
    parser.add_argument("--introductions", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    if args.database_url:
        print(f"PostgreSQL, {args.requests} requests each")
        run(args.database_url, args.businesses, args.introductions, args.requests)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            print(f"SQLite, {args.requests} requests each")
            run(f"sqlite:///{tmp}/bench.sqlite", args.businesses, args.introductions,
                args.requests)  # fmt: skip


if __name__ == "__main__":
    main()
