"""Matching speed and memory on synthetic directories of 7,000 and 100,000 businesses.

Run: .venv/bin/python benchmarks/bench_matching.py [--quick]

For each size: index build (fit) time; memory of the profiles and of the index on top of them
(tracemalloc); an edit and a deletion applied in place; the median and 95th percentile of
`suggest` (limit 10) for 200 random requesters, peers and mentors; and, in the same run, a
naive loop over every candidate that applies the same hard rules first and then scores each
one with geopy's geodesic distance and dict lookups (timed on fewer requesters), with the
share of its top 10 that the matcher also shows (without the diversity re-ranking).
Then the freshness check a worker makes before every use (one primary-key read of the
directory version, on SQLite with the real migrations) against the count + max(updated_at)
stamp it replaces, both on a business table of the same size.

Times are CPU time of the benchmark's thread (time.thread_time), so that other processes on
a shared machine do not count; numpy runs these operations single-threaded.

Targets: suggestion median <= 1 ms at 7,000 and <= 5 ms at 100,000; edit or deletion
<= 5 ms at 100,000; the index <= 60 MB over the profiles at 100,000; freshness check <= 0.2 ms.
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from geopy.distance import geodesic

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching import DEFAULT_WEIGHTS, Matcher, Profile  # noqa: E402
from matching.reasons import NO_SECTOR  # noqa: E402
from matching.synthetic import directory  # noqa: E402
from matching.vocab import RELATED_SECTORS, STAGE_ORDER  # noqa: E402

KINDS = ("peer", "mentor")


class NaiveMatcher:
    """The same rules and scores, one candidate at a time: what a first version looks like.

    The hard rules come first (a candidate that may not be suggested is never measured);
    descriptions are read from the fitted matcher's BM25 rows as dicts.
    """

    def __init__(self, profiles: list[Profile], fitted: Matcher):
        self.profiles = profiles
        self.fitted = fitted
        text = fitted.store_.text
        self.words = {
            p.id: dict(zip(*(a.tolist() for a in text.row(fitted.store_.row_of[p.id])),
                           strict=True))
            for p in profiles
        }  # fmt: skip

    def suggest(self, me: Profile, kind: str, limit: int = 10) -> list[int]:
        w, shares = self.fitted.weights, self.fitted.weights.shares(kind)
        mine = [s for s in me.sectors if s != NO_SECTOR]
        related = set().union(*(RELATED_SECTORS[s] for s in mine))
        cols, weights, norm = self.fitted.store_.text.query(me.description)
        query = dict(zip(cols.tolist(), weights.tolist(), strict=True))
        scored = []
        for c in self.profiles:
            if c.id == me.id or (me.owner_id is not None and c.owner_id == me.owner_id):
                continue
            if not c.accepting_requests:
                continue
            gap = STAGE_ORDER[c.stage] - STAGE_ORDER[me.stage]
            covered = len(me.needs & c.offers)
            if kind == "mentor" and not (
                c.willing_to_mentor
                and (c.mentor_capacity is None or c.open_introductions < c.mentor_capacity)
                and gap > 0
                and STAGE_ORDER[c.stage] >= STAGE_ORDER["growing"]
                and covered
            ):
                continue
            km = geodesic((me.latitude, me.longitude), (c.latitude, c.longitude)).km
            cw = self.words[c.id]
            text = sum(v * cw.get(t, 0.0) for t, v in query.items()) / norm if norm else 0.0
            part = {
                "sector": 1.0 if mine and c.sectors and c.sectors[0] == me.sectors[0] == mine[0]
                else w.shared_sector if set(mine) & set(c.sectors)
                else w.related_sector if related & set(c.sectors) else 0.0,
                "description": min(1.0, text),
                "distance": 1 / (1 + (km / self.fitted.radius_km) ** 2),
            }  # fmt: skip
            if kind == "mentor":
                part["coverage"] = covered / len(me.needs)
                part["experience"] = min(1.0, gap / 2)
                factor = 1 / (1 + w.mentor_load * c.open_introductions)
            else:
                both = math.sqrt(len(me.needs) * len(c.needs))
                part["shared_needs"] = len(me.needs & c.needs) / both if both else 0.0
                part["mutual_help"] = (
                    min(1, covered / 2) + min(1, len(c.needs & me.offers) / 2)
                ) / 2
                part["stage"] = {0: 1.0, 1: w.adjacent_stage}.get(abs(gap), 0.0)
                factor = 1.0 if abs(gap) <= 1 else w.peer_far_stage_factor
                soft = self.fitted.peer_soft_km
                factor /= 1 + (max(0.0, km - soft) / soft) ** 2
            score = sum(shares[p] * part[p] for p in shares) * factor
            scored.append((-score, km, c.id))
        scored.sort()
        return [id for _, _, id in scored[:limit]]


@dataclass
class Row:
    n: int
    fit_s: float
    profiles_mb: float
    index_mb: float
    fit_peak_mb: float
    edit_ms: float
    delete_ms: float
    suggest_ms: dict[str, list[float]]
    naive_ms: dict[str, list[float]]
    agreement: float
    fresh_ms: float
    stamp_ms: float


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """Milliseconds of CPU time this thread spent: on a shared machine, wall-clock time
    measures the neighbours (every figure, the naive reference included, is taken alike)."""
    started = time.thread_time()
    result = call()
    return (time.thread_time() - started) * 1000, result


def bench(n: int, requesters: int, naive_requesters: int, seed: int) -> Row:
    gc.collect()
    tracemalloc.start()
    profiles = directory(n, seed=seed)
    profiles_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    matcher = Matcher().fit(profiles)
    index_bytes, fit_peak = (m - profiles_bytes for m in tracemalloc.get_traced_memory())
    tracemalloc.stop()
    del matcher
    gc.collect()
    fit_ms, matcher = _timed(lambda: Matcher().fit(profiles))
    sample = random.Random(seed).sample(profiles, requesters)

    for p in sample[:5]:  # warm up
        matcher.suggest(p, "peer")
    suggest_ms = {
        kind: [_timed(lambda p=p, k=kind: matcher.suggest(p, k))[0] for p in sample]
        for kind in KINDS
    }
    edit_ms = statistics.median(
        _timed(lambda p=p: matcher.update([replace(p, description=p.description + " Bakery.",
                                                   open_introductions=1)]))[0]
        for p in sample[:50]
    )  # fmt: skip
    gone = profiles[-50:]
    delete_ms = statistics.median(_timed(lambda p=p: matcher.remove([p.id]))[0] for p in gone)

    plain = Matcher(weights=replace(DEFAULT_WEIGHTS, diversity=0.0)).fit(profiles)
    naive = NaiveMatcher(profiles, plain)
    naive_ms: dict[str, list[float]] = {"peer": [], "mentor": []}
    overlap = []
    for p in sample[:naive_requesters]:
        for kind in KINDS:
            ms, slow = _timed(lambda p=p, k=kind: naive.suggest(p, k))
            naive_ms[kind].append(ms)
            fast = [s.id for s in plain.suggest(p, kind)]
            overlap.append(len(set(slow) & set(fast)) / len(slow) if slow else float(not fast))
    fresh_ms, stamp_ms = freshness(n)
    return Row(n, fit_ms / 1000, profiles_bytes / 2**20, index_bytes / 2**20, fit_peak / 2**20,
               edit_ms, delete_ms, suggest_ms, naive_ms, statistics.mean(overlap), fresh_ms,
               stamp_ms)  # fmt: skip


def freshness(n: int, repeat: int = 2000) -> tuple[float, float]:
    """Median ms of the version read and of the old count + max(updated_at) stamp, on a
    SQLite database (real migrations) with `n` businesses."""
    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select

    from directory import create_app, matchmaking
    from directory.extensions import db
    from directory.models import Business, utcnow

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                          "SECRET_KEY": "bench"})  # fmt: skip
        app.instance_path = tmp
        with app.app_context():
            upgrade()
            now = utcnow()
            rows = [dict(slug=f"b{i}", name=f"B {i}", description="", sector="shop",
                         stage="growing", town="", latitude=52.0, longitude=-1.0,
                         region="london", willing_to_mentor=False, accepting_requests=True,
                         listed=True, website="", email="", phone="", created_at=now,
                         updated_at=now) for i in range(n)]  # fmt: skip
            db.session.execute(insert(Business), rows)
            db.session.commit()
            stamp = select(func.count(Business.id), func.max(Business.updated_at))

            def median_ms(call) -> float:
                for _ in range(50):
                    call()
                return statistics.median(_timed(call)[0] for _ in range(repeat))

            fresh = median_ms(matchmaking.read_version)
            old = median_ms(lambda: db.session.execute(stamp).one())
            db.session.remove()
            db.engine.dispose()
    return fresh, old


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def report(rows: list[Row], requesters: int) -> None:
    med = statistics.median
    print(f"## Matching speed ({requesters} random requesters per size, limit 10)\n")
    print("| businesses | fit s | profiles MB | index MB over them | fit peak MB | edit ms "
          "| delete ms | peer median / p95 ms | mentor median / p95 ms |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        peer, mentor = r.suggest_ms["peer"], r.suggest_ms["mentor"]
        print(f"| {r.n:,} | {r.fit_s:.2f} | {r.profiles_mb:.0f} | {r.index_mb:.0f} "
              f"| {r.fit_peak_mb:.0f} | {r.edit_ms:.2f} | {r.delete_ms:.2f} "
              f"| {med(peer):.2f} / {_p95(peer):.2f} "
              f"| {med(mentor):.2f} / {_p95(mentor):.2f} |")  # fmt: skip
    print("\n## Against the naive loop with the same hard rules first (median ms, speed-up)\n")
    print("| businesses | requesters timed | naive peer | naive mentor | top-10 agreement |")
    print("|---:|---:|---:|---:|---:|")
    for r in rows:
        cells = []
        for kind, times in r.naive_ms.items():
            fast = med(r.suggest_ms[kind])
            cells.append(f"{med(times):,.1f} ({med(times) / fast:,.0f}x)")
        print(f"| {r.n:,} | {len(r.naive_ms['peer'])} | " + " | ".join(cells)
              + f" | {r.agreement:.0%} |")  # fmt: skip
    print("\n## Freshness check before each use (SQLite, median ms)\n")
    print("| businesses | directory version (1 PK read) | count + max(updated_at) | ratio |")
    print("|---:|---:|---:|---:|")
    for r in rows:
        ratio = r.stamp_ms / r.fresh_ms
        print(f"| {r.n:,} | {r.fresh_ms:.3f} | {r.stamp_ms:.3f} | {ratio:,.0f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", type=int, help="only this directory size (7000 or 100000)")
    args = parser.parse_args()
    started = time.perf_counter()
    quick = [(2_000, 50, 5), (20_000, 50, 1)]
    plan = quick if args.quick else [(7_000, 200, 10), (100_000, 100, 1)]
    if args.size:
        plan = [row for row in plan if row[0] == args.size]
    requesters = plan[0][1]
    rows = [bench(n, r, nr, args.seed) for n, r, nr in plan]
    report(rows, requesters)
    print(f"\n_Total {time.perf_counter() - started:.0f} s; Python {sys.version.split()[0]}._")


if __name__ == "__main__":
    main()
