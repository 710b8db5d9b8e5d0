"""Load and outage run: gunicorn with several workers on PostgreSQL and on SQLite, on loopback.

Builds everything in a temporary directory (a throwaway PostgreSQL cluster from
/usr/lib/postgresql/*/bin, a SQLite file, the demo directory loaded with `flask demo`), starts
gunicorn and runs people against it in phases of a fixed length:

1. warm-up (not reported);
2. references, each with all users on one kind of request: /healthz (SELECT 1), the static
   CSS file, and the search page alone;
3. the mixed run: visitors search, read profiles and try matching while members register,
   sign in and out and request introductions (some forms double-clicked).

It prints requests, throughput, p50/p95/p99 and statuses per page, the ratio of the search
page's p95 to the trivial routes' p95 (the figure that holds on a shared machine), then checks
the database: every accepted registration and introduction request exactly once, nothing
half-written, no 500 and no dropped connection. `--outage 20` stops PostgreSQL for 20 s in
the middle of the mixed run and reports what Peerlink answered meanwhile and after. Exits 1
when a check fails. Everything it started is stopped on exit, Ctrl-C included.

Run: .venv/bin/python benchmarks/load.py [--backend both] [--users 50] [--duration 60]
     .venv/bin/python benchmarks/load.py --backend postgresql --outage 20
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from load_report import (  # noqa: E402
    Check,
    Outage,
    PageFigures,
    check_database,
    figures,
    outage_summary,
    search_ratios,
    status_checks,
    table,
)
from load_servers import PostgresCluster, Stack, free_port  # noqa: E402
from load_users import Browser, Member, Recorder, World, repeat, visitor  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

GUNICORN_PORTS = (5161, 5169)
POSTGRES_PORTS = (55460, 55469)
PASSWORD = "load-run-password"
SEARCH = "/businesses"
TARGET_RATIO = 4.0


def read_world(url: str, seed: int) -> World:
    """Slugs to read and places to search near and register at, from the demo directory."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            slugs = [r[0] for r in conn.execute(text("SELECT slug FROM business WHERE listed"))]
            towns = [r[0] for r in conn.execute(text("SELECT DISTINCT town FROM business"))]
            outcodes = [
                r[0]
                for r in conn.execute(
                    text("SELECT DISTINCT outcode FROM business WHERE outcode IS NOT NULL")
                )
            ]
    finally:
        engine.dispose()
    rng = random.Random(seed)
    towns = sorted(t for t in towns if t)
    outcodes = sorted(outcodes)
    return World(
        slugs=rng.sample(sorted(slugs), min(len(slugs), 3000)),
        places=rng.sample(towns, min(len(towns), 300))
        + rng.sample(outcodes, min(len(outcodes), 300)),
        outcodes=outcodes,
    )


class Run:
    """One backend: people in phases against one gunicorn, then the checks."""

    def __init__(self, args: argparse.Namespace, base: str, world: World, name: str, url: str):
        self.args, self.world, self.name = args, world, name
        # Members read their confirmation email from the outbox table (no mail is delivered).
        self.mailbox = create_engine(url, pool_pre_ping=True)
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.recorder = Recorder()
        self.rng = random.Random(args.seed)
        self.elapsed: dict[str, float] = {}

    def browser(self) -> Browser:
        return Browser(self.host, self.port, self.recorder)

    def phase(self, name: str, seconds: float, people: list) -> None:
        """Run each person (a function of `until`) in its own thread for `seconds`."""
        self.recorder.phase = name
        started = time.monotonic()
        until = started + seconds
        threads = [threading.Thread(target=p, args=(until,), daemon=True) for p in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(0.0, until + 45 - time.monotonic()))
        self.elapsed[name] = time.monotonic() - started

    def _visitor(self):
        rng = random.Random(self.rng.random())
        browser = self.browser()
        return lambda until: visitor(browser, rng, self.world, until)

    def _member(self, double: float):
        member = Member(
            self.browser(),
            random.Random(self.rng.random()),
            self.world,
            self.name,
            double,
            self.mailbox,
        )
        return member.live

    def _repeat(self, page: str):
        rng = random.Random(self.rng.random())
        browser = self.browser()
        return lambda until: repeat(browser, rng, self.world, page, until)

    def mix(self, users: int, double: float) -> list:
        members = max(1, round(users * self.args.members))
        return [self._member(double) for _ in range(members)] + [
            self._visitor() for _ in range(users - members)
        ]

    def references(self) -> None:
        for page in ("healthz", "static", SEARCH):
            people = [self._repeat(page) for _ in range(self.args.users)]
            self.phase(f"alone:{page}", self.args.baseline, people)

    def mixed(self, cluster: PostgresCluster | None) -> Outage | None:
        outage: Outage | None = None
        stopper = None
        if cluster is not None and self.args.outage:
            outage = Outage(stopped=0.0, restarted=0.0)
            stopper = threading.Thread(target=self._outage, args=(cluster, outage), daemon=True)
        if stopper:
            stopper.start()
        self.phase("mixed", self.args.duration, self.mix(self.args.users, self.args.double_submit))
        if stopper:
            stopper.join(timeout=120)
        return outage

    def _outage(self, cluster: PostgresCluster, outage: Outage) -> None:
        time.sleep(max(0.0, (self.args.duration - self.args.outage) / 2))
        outage.stopped = self.recorder.now()
        cluster.stop("fast")
        time.sleep(max(0.0, outage.stopped + self.args.outage - self.recorder.now()))
        cluster.start()
        outage.restarted = self.recorder.now()

    def report(self, url: str, outage: Outage | None) -> tuple[str, dict, list[Check]]:
        samples = self.recorder.samples
        lines, data, checks = [], {"phases": {}}, []
        tables: dict[str, list[PageFigures]] = {}
        for phase, seconds in self.elapsed.items():
            if phase == "warmup":
                continue
            rows = figures([s for s in samples if s.phase == phase], seconds)
            tables[phase] = rows
            data["phases"][phase] = {"seconds": seconds, "pages": [asdict(r) for r in rows]}
            lines.append(table(f"{phase} ({seconds:.0f} s)", rows))

        ratios, ratio_lines = search_ratios(tables, SEARCH, self.args.users, TARGET_RATIO)
        data["ratios"] = ratios
        lines += ratio_lines
        window = (outage.stopped, outage.restarted) if outage else None
        checks += status_checks(samples, window)
        if outage:
            text_, outage_checks = outage_summary(
                [s for s in samples if s.phase == "mixed"], outage, grace=5.0
            )
            lines.append(text_)
            checks += outage_checks
            data["outage"] = asdict(outage)
        checks += check_database(url, self.recorder, self.name)
        regs = self.recorder.registrations
        intros = self.recorder.intro_requests
        lines.append(
            f"writes: {sum(1 for r in regs if r.accepted)} of {len(regs)} registrations"
            f" accepted ({sum(1 for r in regs if r.verified)} confirmed by email,"
            f" {sum(1 for r in regs if r.slug)} signed in to their suggestions) and"
            f" {sum(1 for r in intros if r.intro_id)} of {len(intros)} introduction requests"
            " accepted (the rest were refused with a message, or failed)"
        )
        refused = Counter(" ".join(m.split()[:8]) for r in [*regs, *intros] for m in r.refusals)
        data["refusals"] = dict(refused)
        lines += [f"  refused {n} time(s): {m}..." for m, n in refused.most_common()]
        data["checks"] = [asdict(c) for c in checks]
        return "\n".join(lines), data, checks


def run_backend(stack: Stack, backend: str, args: argparse.Namespace) -> tuple[dict, list[Check]]:
    cluster = None
    if backend == "postgresql":
        cluster = stack.postgres(free_port(*POSTGRES_PORTS))
        url = cluster.url
    else:
        url = f"sqlite:///{stack.root / 'peerlink.sqlite'}"
    started = time.perf_counter()
    stack.flask(url, "db", "upgrade")
    stack.flask(url, "demo", "--businesses", str(args.businesses), "--password", PASSWORD)
    print(f"  {args.businesses} demo businesses loaded in {time.perf_counter() - started:.0f} s")
    base = stack.gunicorn(url, free_port(*GUNICORN_PORTS), args.workers, backend)
    print(f"  gunicorn with {args.workers} workers on {base}")
    run = Run(args, base, read_world(url, args.seed), backend, url)
    run.phase("warmup", args.warmup, run.mix(6, 0.0))
    if args.baseline:
        run.references()
    outage = run.mixed(cluster)
    stack.stop_process(stack.processes.pop())
    run.mailbox.dispose()
    text_, data, checks = run.report(url, outage)
    print(text_)
    logged = stack.errors(backend)
    data["logged_exceptions"] = dict(logged)
    if logged:
        print("exceptions in gunicorn's log (route: exception, count):")
        for line, n in logged.most_common():
            print(f"  {n:>5}  {line}")
    for check in checks:
        print(
            f"  [{'ok' if check.ok else 'FAIL'}] {check.name}"
            + (f": {check.detail}" if check.detail and not check.ok else "")
        )
    return data, checks


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--backend",
        choices=["sqlite", "postgresql", "both"],
        default=None,
        help="default: both, or postgresql with --outage",
    )
    parser.add_argument("--users", type=int, default=50, help="concurrent people (default 50)")
    parser.add_argument(
        "--members",
        type=float,
        default=0.2,
        help="share of them who are members who write (default 0.2)",
    )
    parser.add_argument(
        "--duration", type=float, default=60, help="seconds of the mixed run (default 60)"
    )
    parser.add_argument(
        "--baseline",
        type=float,
        default=10,
        help="seconds of each reference phase; 0 skips them (default 10)",
    )
    parser.add_argument(
        "--warmup", type=float, default=5, help="seconds of warm-up, not reported (default 5)"
    )
    parser.add_argument(
        "--outage",
        type=float,
        default=0,
        help="stop PostgreSQL for this many seconds in the middle of the mixed run",
    )
    parser.add_argument(
        "--double-submit",
        type=float,
        default=0.1,
        help="share of forms sent twice at once (default 0.1)",
    )
    parser.add_argument("--businesses", type=int, default=7000)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures and checks here")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary directory (logs, databases)"
    )
    args = parser.parse_args(argv)
    if args.backend is None:
        args.backend = "postgresql" if args.outage else "both"
    if args.outage and args.backend != "postgresql":
        parser.error("--outage stops a PostgreSQL server: use it with --backend postgresql")
    if args.outage and args.outage >= args.duration:
        parser.error("--outage must be shorter than --duration")
    return args


def _terminate(signum, _frame):
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    stack = Stack(keep=args.keep)
    results, failed = {}, False
    try:
        for backend in backends:
            print(
                f"== {backend}: {args.users} users ({args.members:.0%} members) for "
                f"{args.duration:.0f} s"
                + (
                    f", database stopped for {args.outage:.0f} s in the middle"
                    if args.outage
                    else ""
                )
                + f"; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
            )
            data, checks = run_backend(stack, backend, args)
            data["load_average_after"] = os.getloadavg()[0]
            results[backend] = data
            failed = failed or not all(c.ok for c in checks)
    except KeyboardInterrupt:
        print("interrupted: stopping what the run started")
        return 130
    finally:
        stack.close()
        if args.keep:
            print(f"kept {stack.root}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"args": {k: str(v) for k, v in vars(args).items()}, "results": results}, indent=2
            )
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
