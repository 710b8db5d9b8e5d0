"""How good are the suggestions? Planted ground truth, then the real Co-operatives UK records.

Run: .venv/bin/python benchmarks/eval_matching.py [--quick]

1. Planted: a synthetic directory of random businesses, and for each sampled requester one
   mentor (or peer) that is clearly right, among copies of it that are each wrong in one way.
   Reports hit rate @1/@3/@5 and NDCG@5 of the right one, and how often each decoy ranks
   above it, for the matcher and two baselines: "same sector and region" (the coordinators'
   spreadsheet filter, in no particular order; for mentors also "willing to mentor") and
   "nearest" (pure distance; for mentors among the willing).
2. Real: the English co-ops of the Co-operatives UK 2023 open data, with sectors mapped from
   the name and sector columns and stage, needs and offers sampled deterministically (the
   export has no descriptions, so the text is the name and sector). Aggregate sanity figures
   for the three methods, and a few requesters with their top suggestions and reasons.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from geopy.distance import geodesic

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.coops_uk import DATA, SECTOR_MAP  # noqa: E402
from matching import Matcher, Profile  # noqa: E402
from matching.synthetic import (  # noqa: E402
    TOWNS,
    describe,
    directory,
    random_profile,
    region_of,
    slugify,
)
from matching.vocab import (  # noqa: E402
    RELATED_SECTORS,
    SECTORS,
    STAGE_ORDER,
    STAGES,
    TOPICS,
)

EARTH_RADIUS_KM = 6371.0088
K = 10
Ranker = Callable[[Profile, str], list[int]]


# -- planted ground truth ------------------------------------------------------------------


@dataclass
class Trial:
    kind: str
    requester: Profile
    right: int
    decoys: dict[str, int]  # what is wrong with it -> id
    planted: list[Profile]


def _unrelated_sector(rng: random.Random, sector: str) -> str:
    options = [s for s in SECTORS if s not in {sector, "other"} | RELATED_SECTORS[sector]]
    return rng.choice(options)


def _place(rng: random.Random, origin: Profile, low_km: float, high_km: float) -> dict:
    """A spot `low_km` to `high_km` from `origin`, in the region of its nearest town."""
    point = geodesic(kilometers=rng.uniform(low_km, high_km)).destination(
        (origin.latitude, origin.longitude), rng.uniform(0, 360)
    )
    town = min(TOWNS, key=lambda t: (TOWNS[t][0] - point.latitude) ** 2
               + ((TOWNS[t][1] - point.longitude) * 0.6) ** 2)  # fmt: skip
    return {"latitude": point.latitude, "longitude": point.longitude, "town": town}


def plant(rng: random.Random, kind: str, next_id: Callable[[], int]) -> Trial:
    """A requester, the right one for it, and copies of the right one each wrong in one way."""
    stages = list(STAGES)
    stage = rng.choice(stages[:3] if kind == "mentor" else stages)
    requester = random_profile(
        rng, None, stage=stage, needs=frozenset(rng.sample(list(TOPICS), rng.randint(2, 3)))
    )
    sector, needs, town = requester.sectors[0], requester.needs, requester.town
    others = [t for t in TOPICS if t not in needs]
    other_sector = _unrelated_sector(rng, sector)
    right = {
        "sectors": (sector,),
        "description": describe(rng, sector, town),
        "owner_id": None,
        "accepting_requests": True,  # a paused business cannot be asked, so is never right
    }
    if kind == "mentor":
        later = [s for s in stages if STAGE_ORDER[s] > max(STAGE_ORDER[stage], 1)]
        right |= {
            "stage": rng.choice(later),
            "willing_to_mentor": True,
            "mentor_capacity": None,
            "open_introductions": 0,
            "offers": frozenset(rng.sample(sorted(needs), rng.randint(1, len(needs))))
            | {rng.choice(others)},
        }
        wrong = {
            "not willing": {"willing_to_mentor": False},
            "not further along": {"stage": stage},
            "offers nothing needed": {"offers": frozenset(rng.sample(others, 2))},
        }
    else:
        far = [s for s in stages if abs(STAGE_ORDER[s] - STAGE_ORDER[stage]) >= 2]
        right |= {
            "stage": stage,
            "needs": frozenset(rng.sample(sorted(needs), 2)) | {rng.choice(others)},
        }
        wrong = {
            "stage far apart": {"stage": rng.choice(far)},
            "no shared needs": {"needs": frozenset(rng.sample(others, 2))},
            "unrelated description": {"description": describe(rng, other_sector, town)},
        }
    wrong |= {
        "wrong sector": {
            "sectors": (other_sector,),
            "description": describe(rng, other_sector, town),
        },
        "too far": _place(rng, requester, 150, 300),
    }
    first = random_profile(rng, next_id(), town=town, **right)
    first = replace(first, **_place(rng, requester, 3, 30))
    planted = [first]
    for change in wrong.values():
        copy = replace(first, id=next_id(), **_place(rng, requester, 3, 30))
        planted.append(replace(copy, slug=slugify(f"{copy.name} {copy.id}"), **change))
    decoys = {why: p.id for why, p in zip(wrong, planted[1:], strict=True)}
    return Trial(kind, requester, first.id, decoys, planted)


class Columns:
    """The few columns the baselines read."""

    def __init__(self, profiles: Sequence[Profile], region: Callable[[Profile], str]):
        self.ids = np.array([p.id for p in profiles])
        self.sector = np.array([p.sectors[0] for p in profiles])
        self.region = np.array([region(p) for p in profiles])
        self.willing = np.array([p.willing_to_mentor for p in profiles])
        self.lat = np.radians([p.latitude for p in profiles])
        self.lon = np.radians([p.longitude for p in profiles])

    def plus(self, other: Columns) -> Columns:
        both = Columns([], str)
        for name in vars(self):
            setattr(both, name, np.concatenate([getattr(self, name), getattr(other, name)]))
        return both

    def km(self, p: Profile) -> np.ndarray:
        lat, lon = math.radians(p.latitude), math.radians(p.longitude)
        a = np.sin((self.lat - lat) / 2) ** 2
        a += math.cos(lat) * np.cos(self.lat) * np.sin((self.lon - lon) / 2) ** 2
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def spreadsheet(columns: Columns, p: Profile, kind: str, region: str) -> list[int]:
    """Same primary sector and region (and willing, for mentors), in no particular order: a
    fixed shuffle, so that where the planted ids fall says nothing."""
    keep = (columns.sector == p.sectors[0]) & (columns.region == region) & (columns.ids != p.id)
    if kind == "mentor":
        keep &= columns.willing
    return sorted(columns.ids[keep].tolist(), key=lambda id: (id * 2654435761) % 2**32)[:K]


def nearest(columns: Columns, p: Profile, kind: str) -> list[int]:
    km = columns.km(p)
    km[columns.ids == p.id] = np.inf
    if kind == "mentor":
        km[~columns.willing] = np.inf
    order = np.argsort(km, kind="stable")[:K]
    return columns.ids[order[np.isfinite(km[order])]].tolist()


def evaluate_planted(n_background: int, n_trials: int, seed: int) -> None:
    background = directory(n_background, seed=seed)
    matcher = Matcher().fit(background)
    columns = Columns(background, region_of)
    rng = random.Random(seed + 1)
    ids = iter(rng.sample(range(n_background + 1, 10 * n_background), 12 * n_trials))

    results: dict[str, dict[str, list[list[int]]]] = {}
    trials: dict[str, list[Trial]] = {"peer": [], "mentor": []}
    started = time.perf_counter()
    for kind in trials:
        ranked = results.setdefault(kind, {m: [] for m in METHODS})
        for _ in range(n_trials):
            trial = plant(rng, kind, lambda: next(ids))
            trials[kind].append(trial)
            matcher.update(trial.planted)
            ranked["Matcher"].append([s.id for s in matcher.suggest(trial.requester, kind, K)])
            matcher.remove([p.id for p in trial.planted])
            both = columns.plus(Columns(trial.planted, region_of))
            region = region_of(trial.requester)
            ranked["Same sector and region"].append(
                spreadsheet(both, trial.requester, kind, region)
            )
            ranked["Nearest"].append(nearest(both, trial.requester, kind))
    elapsed = time.perf_counter() - started

    print(f"## Planted ground truth ({n_background:,} background businesses, "
          f"{n_trials} requesters per kind, {elapsed:.1f} s)\n")  # fmt: skip
    print("| kind | method | hit@1 | hit@3 | hit@5 | NDCG@5 |")
    print("|---|---|---:|---:|---:|---:|")
    for kind, by_method in results.items():
        for method, rankings in by_method.items():
            ranks = [_rank(r, t.right) for r, t in zip(rankings, trials[kind], strict=True)]
            hits = [np.mean([r <= k for r in ranks]) for k in (1, 3, 5)]
            ndcg = np.mean([1 / math.log2(r + 1) if r <= 5 else 0.0 for r in ranks])
            print(f"| {kind} | {method} | " + " | ".join(f"{h:.2f}" for h in hits)
                  + f" | {ndcg:.2f} |")  # fmt: skip
    print("\nHow often each decoy ranks above the right one (or is shown without it):\n")
    print("| kind | decoy | " + " | ".join(METHODS) + " |")
    print("|---|---|" + "---:|" * len(METHODS))
    for kind, by_method in results.items():
        for why in trials[kind][0].decoys:
            rates = [
                np.mean(
                    [
                        _rank(r, t.decoys[why]) < _rank(r, t.right)
                        for r, t in zip(by_method[m], trials[kind], strict=True)
                    ]
                )
                for m in METHODS
            ]
            print(f"| {kind} | {why} | " + " | ".join(f"{x:.0%}" for x in rates) + " |")
    print()


def _rank(ranking: list[int], id: int) -> float:
    return ranking.index(id) + 1 if id in ranking else math.inf


METHODS = ("Matcher", "Same sector and region", "Nearest")


# -- the real co-ops -----------------------------------------------------------------------

KEYWORDS: list[tuple[str, tuple[str, ...]]] = [
    ("pub", (" pub", "inn", " arms", "tavern", "brewery")),
    ("shop", ("shop", "store", "stores", "grocer")),
    ("cafe-food", ("cafe", "café", "kitchen", "bakery", "food co")),
    ("energy", ("energy", "solar", "wind", "hydro", "power", "renewable")),
    ("housing", ("housing", "homes", "land trust", "cohousing", "tenant")),
    ("finance", ("credit union", "savings", "bank", "finance", "loan")),
    ("library", ("library",)),
    ("arts-culture", ("theatre", "arts", "cinema", "music", "heritage", "gallery", "artist")),
    ("sport-leisure", ("football", "rugby", "cricket", "bowling", "sport", "swimming", "golf",
                       "supporters", "tennis", "athletic", "pool")),
    ("food-growing", ("farm", "garden", "allotment", "growers", "orchard", "smallholding")),
    ("health-care", ("care", "health", "wellbeing", "medical")),
    ("transport", ("transport", " bus", "bike", "cycle", "car club", "taxi")),
    ("childcare", ("nursery", "childcare", "youth", "play", "children")),
    ("employment-training", ("training", "school", "learning", "education", "college", "skills")),
    ("digital", ("digital", "media", "radio", "broadband", "software", "tech", "web")),
    ("environment", ("environment", "nature", "wildlife", "recycl", "repair", "green")),
    ("tourism", ("tourism", "visitor", "museum", "castle", "holiday")),
    ("hub", ("club", "hall", "centre", "hub", "institute", "community")),
]  # fmt: skip


def sector_of(name: str, sector_column: str) -> str:
    lowered = f" {name.lower()} "
    for sector, words in KEYWORDS:
        if any(w in lowered for w in words):
            return sector
    return SECTOR_MAP.get(sector_column, "other")


def real_profiles() -> tuple[list[Profile], dict[int, str]]:
    """English co-ops with coordinates, and the English region of each (from the outcode)."""
    with (DATA / "uk_outcodes.csv").open(encoding="utf-8") as stream:
        regions = {r["Postcode"].strip(): r["UK region"].strip() for r in csv.DictReader(stream)}
    profiles, region = [], {}
    with (DATA / "coops_uk_open_data_2023.csv").open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            where = regions.get(row["Postcode"].split(" ")[0].strip().upper(), "")
            lat, lon = row["Geo Container Latitude"], row["Geo Container Longitude"]
            if not (lat and lon and row["Name"].strip()) or where in _NOT_ENGLAND:
                continue
            rng = random.Random(row["Identifier"])  # the same sample on every run
            id = len(profiles) + 1
            sector = sector_of(row["Name"], row["Sector"])
            sampled = random_profile(rng, id, sectors=(sector,), owner_id=None)
            profiles.append(
                replace(
                    sampled,
                    name=row["Name"].strip(),
                    slug=slugify(f"{row['Name']} {id}"),
                    latitude=float(lat),
                    longitude=float(lon),
                    town=row["Locality"].strip() or row["Region"].strip(),
                    description=". ".join(
                        [row["Name"], row["Sector"], row["Ownership Classification"]]
                    ),
                )
            )
            region[id] = where
    return profiles, region


_NOT_ENGLAND = {"Scotland", "Wales", "Northern Ireland", ""}


def evaluate_real(n_requesters: int, seed: int, n_examples: int) -> None:
    started = time.perf_counter()
    profiles, regions = real_profiles()
    matcher = Matcher().fit(profiles)
    fit_s = time.perf_counter() - started
    columns = Columns(profiles, lambda p: regions[p.id])
    by_id = {p.id: p for p in profiles}
    requesters = random.Random(seed).sample(profiles, n_requesters)

    rankers: dict[str, Ranker] = {
        "Matcher": lambda p, kind: [s.id for s in matcher.suggest(p, kind, 5)],
        "Same sector and region": lambda p, kind: spreadsheet(columns, p, kind, regions[p.id])[:5],
        "Nearest": lambda p, kind: nearest(columns, p, kind)[:5],
    }
    print(f"## Real records: {len(profiles):,} English co-ops (Co-operatives UK 2023), "
          f"{n_requesters} requesters, top 5 (fit {fit_s:.1f} s incl. loading)\n")  # fmt: skip
    print("| kind | figure | " + " | ".join(rankers) + " |")
    print("|---|---|" + "---:|" * len(rankers))
    for kind in ("peer", "mentor"):
        shown = {m: [(p, [by_id[i] for i in f(p, kind)]) for p in requesters] for m, f in
                 rankers.items()}  # fmt: skip
        for figure, value in FIGURES[kind]:
            cells = [value(results) for results in shown.values()]
            print(f"| {kind} | {figure} | " + " | ".join(cells) + " |")
    print()
    _examples(matcher, requesters, n_examples)


def _share(test: Callable[[Profile, Profile], bool]) -> Callable:
    def value(results: list[tuple[Profile, list[Profile]]]) -> str:
        pairs = [test(p, c) for p, shown in results for c in shown]
        return f"{np.mean(pairs):.0%}" if pairs else "-"

    return value


def _median_km(results: list[tuple[Profile, list[Profile]]]) -> str:
    km = [_km(p, c) for p, shown in results for c in shown]
    return f"{statistics.median(km):.0f}" if km else "-"


def _km(a: Profile, b: Profile) -> float:
    return geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).km


def _same_or_related(p: Profile, c: Profile) -> bool:
    return c.sectors[0] == p.sectors[0] or c.sectors[0] in RELATED_SECTORS[p.sectors[0]]


def _gap(p: Profile, c: Profile) -> int:
    return STAGE_ORDER[c.stage] - STAGE_ORDER[p.stage]


_COMMON = [
    ("requesters with no suggestion", lambda rs: f"{np.mean([not s for _, s in rs]):.0%}"),
    ("median distance, km", _median_km),
    ("within 25 km", _share(lambda p, c: _km(p, c) <= 25)),
    ("same or related sector", _share(_same_or_related)),
]
FIGURES = {
    "peer": [
        *_COMMON,
        ("within one stage", _share(lambda p, c: abs(_gap(p, c)) <= 1)),
        ("sharing a need", _share(lambda p, c: bool(p.needs & c.needs))),
    ],
    "mentor": [
        *_COMMON,
        ("offers a needed topic", _share(lambda p, c: bool(p.needs & c.offers))),
        ("further along, growing+", _share(lambda p, c: _gap(p, c) > 0 and
                                           STAGE_ORDER[c.stage] >= 2)),
        ("available (accepting, under capacity)", _share(
            lambda p, c: c.accepting_requests
            and (c.mentor_capacity is None or c.open_introductions < c.mentor_capacity))),
    ],
}  # fmt: skip


def _examples(matcher: Matcher, requesters: list[Profile], n: int) -> None:
    print("### Examples\n")
    seen_sectors = set()
    for p in requesters:
        if len(seen_sectors) == n:
            break
        if p.sectors[0] in seen_sectors or p.sectors[0] == "other" or p.stage == "mature":
            continue
        seen_sectors.add(p.sectors[0])
        needs = ", ".join(TOPICS[t].lower() for t in sorted(p.needs))
        print(f"**{p.name}** ({p.town}; {SECTORS[p.sectors[0]]}; {STAGES[p.stage]}; "
              f"needs {needs})\n")  # fmt: skip
        for kind in ("peer", "mentor"):
            for s in matcher.suggest(p, kind, limit=3):
                print(f"- {kind} {s.score:.2f} **{s.name}** ({s.distance_km:.0f} km): "
                      + " · ".join(s.reasons))  # fmt: skip
        print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller run, for a smoke test")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    started = time.perf_counter()
    if args.quick:
        evaluate_planted(2_000, 60, args.seed)
        evaluate_real(100, args.seed, 2)
    else:
        evaluate_planted(7_000, 300, args.seed)
        evaluate_real(400, args.seed, 4)
    print(f"_Total {time.perf_counter() - started:.0f} s._")


if __name__ == "__main__":
    main()
