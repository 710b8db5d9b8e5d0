"""Matching speed on synthetic directories of 7,000 and 100,000 businesses.

Run: .venv/bin/python benchmarks/bench_matching.py [--quick]

For each size: index build (fit) time and memory, a one-business `update`, and the median and
95th percentile of `suggest` (limit 10) for 200 random requesters, peers and mentors, side by
side with a naive implementation of the same scoring (a Python loop over every candidate with
geopy's geodesic distance and set and dict similarities). The naive one is timed on fewer
requesters (it takes seconds each at 100,000) and its top 10 is compared with the matcher's
(without the diversity re-ranking, which the naive one does not do).
Targets: under 3 ms median per suggestion at 7,000 and under 30 ms at 100,000; fit under
10 s at 100,000; at least 100 times faster than the naive loop at 7,000.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import math
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from geopy.distance import geodesic

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.features import ProfileVectorizer  # noqa: E402

from matching import DEFAULT_WEIGHTS, Matcher, Profile, Weights  # noqa: E402
from matching.reasons import NO_SECTOR  # noqa: E402
from matching.synthetic import directory  # noqa: E402
from matching.vocab import RELATED_SECTORS, STAGE_ORDER  # noqa: E402

KINDS = ("peer", "mentor")


class NaiveMatcher:
    """The same scores, one candidate at a time: what a first version would look like.

    By default it measures and compares every candidate, then applies the rules; with
    `rules_first` it skips the ineligible mentors before measuring (a smarter loop).
    """

    def __init__(
        self, profiles: list[Profile], weights: Weights = DEFAULT_WEIGHTS, rules_first=False
    ):
        self.profiles = profiles
        self.weights = weights
        self.rules_first = rules_first
        self.tfidf = ProfileVectorizer().fit(profiles).text_
        self.words = dict(
            zip(
                [p.id for p in profiles],
                self._words([p.description for p in profiles]),
                strict=True,
            )
        )

    def _words(self, texts: list[str]) -> list[dict[int, float]]:
        """TF-IDF rows as {column: weight}."""
        m = self.tfidf.transform(texts)
        cols, weights, ends = m.indices.tolist(), m.data.tolist(), m.indptr.tolist()
        return [
            dict(zip(cols[a:b], weights[a:b], strict=True)) for a, b in itertools.pairwise(ends)
        ]

    def suggest(self, me: Profile, kind: str, limit: int = 10) -> list[int]:
        w, shares = self.weights, self.weights.shares(kind)
        mine = [s for s in me.sectors if s != NO_SECTOR]
        related = set().union(*(RELATED_SECTORS[s] for s in mine))
        words = self._words([me.description])[0]
        scored = []
        for c in self.profiles:
            if c.id == me.id or (me.owner_id is not None and c.owner_id == me.owner_id):
                continue
            gap = STAGE_ORDER[c.stage] - STAGE_ORDER[me.stage]
            covered = len(me.needs & c.offers)
            eligible = kind == "peer" or (
                c.willing_to_mentor
                and c.accepting_requests
                and (c.mentor_capacity is None or c.open_introductions < c.mentor_capacity)
                and gap > 0
                and STAGE_ORDER[c.stage] >= STAGE_ORDER["growing"]
                and covered
            )
            if self.rules_first and not eligible:
                continue
            km = geodesic((me.latitude, me.longitude), (c.latitude, c.longitude)).km
            cw = self.words[c.id]
            part = {
                "sector": 1.0 if mine and c.sectors and c.sectors[0] == me.sectors[0] == mine[0]
                else w.shared_sector if set(mine) & set(c.sectors)
                else w.related_sector if related & set(c.sectors) else 0.0,
                "description": min(1.0, sum(v * cw.get(t, 0.0) for t, v in words.items())),
                "distance": 1 / (1 + (km / 80.0) ** 2),
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
            score = sum(shares[p] * part[p] for p in shares) * factor
            if eligible:
                scored.append((-score, km, c.id))
        scored.sort()
        return [id for _, _, id in scored[:limit]]


@dataclass
class Row:
    n: int
    fit_s: float
    fit_peak_mb: float
    index_mb: float
    update_ms: float
    request_peak_kb: float
    suggest_ms: dict[str, list[float]]
    naive_ms: dict[str, list[float]]  # "peer", "mentor" and "mentor, rules first"
    agreement: float


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def bench(n: int, requesters: int, naive_requesters: int, seed: int) -> Row:
    profiles = directory(n, seed=seed)
    sample = random.Random(seed).sample(profiles, requesters)

    gc.collect()
    fit_ms, matcher = _timed(lambda: Matcher().fit(profiles))
    del matcher
    gc.collect()
    tracemalloc.start()
    matcher = Matcher().fit(profiles)
    index, fit_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    for p in sample[:20]:
        matcher.suggest(p, "peer")
    request_peak = tracemalloc.get_traced_memory()[1] - tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()

    update_ms = statistics.median(
        _timed(lambda p=p: matcher.update([replace(p, open_introductions=1)]))[0]
        for p in sample[:20]
    )
    for p in sample[:5]:  # warm up
        matcher.suggest(p, "peer")
    suggest_ms = {
        kind: [_timed(lambda p=p, k=kind: matcher.suggest(p, k))[0] for p in sample]
        for kind in KINDS
    }

    naive, smarter = NaiveMatcher(profiles), NaiveMatcher(profiles, rules_first=True)
    plain = Matcher(weights=replace(DEFAULT_WEIGHTS, diversity=0.0)).fit(profiles)
    naive_ms: dict[str, list[float]] = {"peer": [], "mentor": [], "mentor, rules first": []}
    overlap = []
    for p in sample[:naive_requesters]:
        for kind in KINDS:
            ms, slow = _timed(lambda p=p, k=kind: naive.suggest(p, k))
            naive_ms[kind].append(ms)
            fast = [s.id for s in plain.suggest(p, kind)]
            overlap.append(len(set(slow) & set(fast)) / len(slow) if slow else float(not fast))
        naive_ms["mentor, rules first"].append(_timed(lambda p=p: smarter.suggest(p, "mentor"))[0])
    return Row(n, fit_ms / 1000, fit_peak / 2**20, index / 2**20, update_ms,
               request_peak / 2**10, suggest_ms, naive_ms, statistics.mean(overlap))  # fmt: skip


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def report(rows: list[Row], requesters: int) -> None:
    med = statistics.median
    print(f"## Matching speed ({requesters} random requesters per size, limit 10)\n")
    print("| businesses | fit s | fit peak MB | index MB | update ms | peer median ms "
          "| peer p95 ms | mentor median ms | mentor p95 ms | peak per request KB |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        peer, mentor = r.suggest_ms["peer"], r.suggest_ms["mentor"]
        print(f"| {r.n:,} | {r.fit_s:.2f} | {r.fit_peak_mb:.0f} | {r.index_mb:.0f} "
              f"| {r.update_ms:.1f} | {med(peer):.2f} | {_p95(peer):.2f} | {med(mentor):.2f} "
              f"| {_p95(mentor):.2f} | {r.request_peak_kb:.0f} |")  # fmt: skip
    print("\n## Against the naive loop (median ms per suggestion, and the speed-up)\n")
    print("| businesses | requesters timed | naive peer | naive mentor "
          "| naive mentor, rules first | top-10 agreement |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        cells = []
        for kind, times in r.naive_ms.items():
            fast = med(r.suggest_ms[kind.split(",")[0]])
            cells.append(f"{med(times):,.0f} ({med(times) / fast:,.0f}x)")
        print(f"| {r.n:,} | {len(r.naive_ms['peer'])} | " + " | ".join(cells)
              + f" | {r.agreement:.0%} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    plan = (
        [(2_000, 50, 5), (20_000, 50, 1)] if args.quick else [(7_000, 200, 20), (100_000, 200, 3)]
    )
    requesters = plan[0][1]
    rows = [bench(n, r, nr, args.seed) for n, r, nr in plan]
    report(rows, requesters)
    print(f"\n_Total {time.perf_counter() - started:.0f} s; Python {sys.version.split()[0]}._")


if __name__ == "__main__":
    main()
