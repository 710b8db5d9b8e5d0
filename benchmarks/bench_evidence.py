"""Evidence dashboard speed: 7,000 organisations and 20,000 introductions, in-process.

Run: .venv/bin/python benchmarks/bench_evidence.py [--database-url URL] [--requests 20]
         [--sqlite-file PATH] [--reuse] [--profile]
Without --database-url it uses a temporary SQLite file (or --sqlite-file); with a PostgreSQL
URL it DROPS and recreates that database's public schema (--reuse keeps data a previous run
built). Prints, for the dashboard as an admin (every network) and as a coordinator (two
networks), the median CPU time of the benchmark's thread (time.thread_time: what this process
spent, steady on a busy machine; PostgreSQL's own work is not in it) and the median wall time:

- warm: nothing changed since the last render;
- after a profile edit: the first render after a business is edited (the directory version
  moves: the rows of the businesses it names are read again, every figure recomputed);
- after an outcome: the first render after an outcome answer is recorded (the evidence version
  moves: the answers are read again, every figure recomputed);
- new process: the first render in a process (every row read).

Each is also given as a ratio to a reference measured in the same run (the directory's first
page), and the parts of a render: reading every row, refreshing after an edit, the figures.
--profile prints where the time of an admin's first render after a profile edit and in a new
process goes (pyinstrument, not a dependency: `.venv/bin/pip install pyinstrument`).
Target: the dashboard renders in under 300 ms median, including the first render after a
change.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

from directory import create_app, demo, demo_history  # noqa: E402
from directory.evidence import access, figures  # noqa: E402
from directory.evidence.dataset import Filters, _dataset, clear_cache  # noqa: E402
from directory.evidence.reading import read_stamp  # noqa: E402
from directory.evidence.snapshot import Snapshot  # noqa: E402
from directory.extensions import db  # noqa: E402
from directory.models import Business, Introduction, Outcome, User, utcnow  # noqa: E402

PASSWORD = "benchmark-pass"
ADMIN = "admin@peerlink.example"
COORDINATOR = "coordinator@peerlink.example"


def make_app(url: str, reuse: bool):
    if url.startswith("postgresql") and not reuse:
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
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
    return app


def build(app, businesses: int, introductions: int) -> None:
    with app.app_context():
        have = db.session.execute(select(func.count(Business.id))).scalar()
        if have >= businesses:
            print(f"  reusing {have} organisations")
            return
        started = time.perf_counter()
        demo.load(n=businesses, seed=1, password=PASSWORD)
        have = db.session.execute(select(func.count(Introduction.id))).scalar()
        demo_history.generate(count=max(0, introductions - have), seed=2)
        print(f"  built {businesses} organisations in {time.perf_counter() - started:.0f} s")


def timed(fn: Callable[[], object], repeat: int, before: Callable[[], object] | None = None):
    """Median CPU and wall milliseconds of `repeat` calls (after one warm-up call);
    `before` runs untimed ahead of each call."""
    cpu, wall = [], []
    for n in range(repeat + 1):
        if before:
            before()
        started_cpu, started_wall = time.thread_time(), time.perf_counter()
        fn()
        if n:
            cpu.append((time.thread_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started_wall) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def get(client, path: str) -> Callable[[], None]:
    def call() -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    return call


class Changes:
    """Writes that change evidence, as a member or coordinator would make them."""

    def __init__(self, app) -> None:
        self.app = app
        self.n = 0
        with app.app_context():
            intro = db.session.execute(
                select(Introduction).where(Introduction.accepted_at.is_not(None)).limit(1)
            ).scalar_one()
            self.intro_id, self.business_id = intro.id, intro.requester_id

    def edit_profile(self) -> None:
        with self.app.app_context():
            business = db.session.get(Business, self.business_id)
            assert business is not None
            self.n += 1
            business.description = f"We are a community business (edit {self.n})."
            db.session.commit()

    def record_outcome(self) -> None:
        with self.app.app_context():
            db.session.add(
                Outcome(
                    introduction_id=self.intro_id,
                    business_id=self.business_id,
                    met=True,
                    usefulness=4,
                )
            )
            db.session.commit()

    def new_process(self) -> None:
        with self.app.app_context():
            clear_cache()


def profile(client, changes: Changes) -> None:
    """Where the time of an admin's render goes, after a profile edit and in a new process."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("  --profile needs pyinstrument: .venv/bin/pip install pyinstrument")
        return
    for name, before in (("after a profile edit", changes.edit_profile),
                         ("in a new process", changes.new_process)):  # fmt: skip
        profiler = Profiler(interval=0.0005)
        for _ in range(5):
            before()
            profiler.start()
            get(client, "/evidence")()
            profiler.stop()
        print(f"  -- admin's /evidence {name}, 5 renders")
        print(profiler.output_text(unicode=False, color=False))


def run(
    url: str, businesses: int, introductions: int, repeat: int, reuse: bool, show: bool = False
) -> None:
    app = make_app(url, reuse)
    build(app, businesses, introductions)
    with app.app_context():
        total = db.session.execute(select(func.count(Introduction.id))).scalar()
        print(f"  {businesses} organisations, {total} introductions, {repeat} requests each")
    clients = {"admin": app.test_client(), "coordinator": app.test_client()}
    for role, email in (("admin", ADMIN), ("coordinator", COORDINATOR)):
        clients[role].post("/login", data={"email": email, "password": PASSWORD})
    changes = Changes(app)
    if show:
        profile(clients["admin"], changes)

    reference = timed(get(clients["admin"], "/businesses"), repeat)
    results: dict[str, tuple[float, float]] = {}
    for role, client in clients.items():
        page = get(client, "/evidence")
        results[f"dashboard, {role}, warm"] = timed(page, repeat)
        results[f"dashboard, {role}, after a profile edit"] = timed(
            page, repeat, changes.edit_profile
        )
        results[f"dashboard, {role}, after an outcome"] = timed(
            page, repeat, changes.record_outcome
        )
        results[f"dashboard, {role}, new process"] = timed(page, repeat, changes.new_process)
    results["/evidence.json, admin, after a profile edit"] = timed(
        get(clients["admin"], "/evidence.json"), repeat, changes.edit_profile
    )
    results.update(parts(app, changes, repeat))

    print(f"  {'':48s} {'CPU ms':>8s} {'wall ms':>8s}   CPU / reference")
    print(f"  {'reference: directory first page /businesses':48s} "
          f"{reference[0]:8.1f} {reference[1]:8.1f}")  # fmt: skip
    for name, (cpu, wall) in results.items():
        print(f"  {name:48s} {cpu:8.1f} {wall:8.1f}   {cpu / reference[0]:5.1f} x")


def parts(app, changes: Changes, repeat: int) -> dict[str, tuple[float, float]]:
    """The parts of a render, as an admin."""
    with app.app_context():
        now = utcnow()
        filters = Filters.from_args({}, now.date())
        coordinator = db.session.execute(select(User).where(User.email == COORDINATOR))
        scope = access.network_scope(coordinator.scalar_one())
        snapshot = Snapshot.load(read_stamp())

        def refresh() -> None:
            db.session.rollback()
            snapshot.refreshed(read_stamp())

        def edit_elsewhere() -> None:
            changes.edit_profile()

        return {
            "part: reading every row": timed(lambda: Snapshot.load(read_stamp()), repeat),
            "part: refreshing after a profile edit": timed(refresh, repeat, edit_elsewhere),
            "part: every figure, admin": timed(
                lambda: figures.all_figures(_dataset(snapshot, filters, None, now)), repeat
            ),
            "part: every figure, coordinator": timed(
                lambda: figures.all_figures(_dataset(snapshot, filters, scope, now)), repeat
            ),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--sqlite-file", default="")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--businesses", type=int, default=7000)
    parser.add_argument("--introductions", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    sizes = (args.businesses, args.introductions, args.requests)
    if args.database_url:
        print("PostgreSQL")
        run(args.database_url, *sizes, reuse=args.reuse, show=args.profile)
    elif args.sqlite_file:
        print("SQLite")
        run(f"sqlite:///{Path(args.sqlite_file).resolve()}", *sizes, True, args.profile)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            print("SQLite")
            run(f"sqlite:///{tmp}/bench.sqlite", *sizes, reuse=False, show=args.profile)


if __name__ == "__main__":
    main()
