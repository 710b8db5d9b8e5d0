"""Planted ground truth for `eval_matching.py`: requesters, the right answers, and look-alikes.

Each planter returns a Trial: the requester, the planted businesses and the relevance grade of
each right one (the rest are wrong). Look-alikes are copies of the best right one with a few
fields changed, so that only what the scenario tests tells them apart.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from geopy.distance import geodesic

from matching import Profile
from matching.synthetic import TOWNS, describe, random_profile, slugify
from matching.vocab import RELATED_SECTORS, SECTORS, STAGE_ORDER, STAGES, TOPICS

Ids = Callable[[], int]


@dataclass
class Trial:
    kind: str
    requester: Profile
    grades: dict[int, int]  # id of a right one -> relevance (3 best)
    planted: list[Profile]
    decoys: dict[str, int] = field(default_factory=dict)  # what is wrong with it -> id
    judge: Callable[[Profile, float], int] | None = None  # grades the whole directory


def unrelated_sector(rng: random.Random, sector: str) -> str:
    options = [s for s in SECTORS if s not in {sector, "other"} | RELATED_SECTORS[sector]]
    return rng.choice(options)


def place(rng: random.Random, origin: Profile, low_km: float, high_km: float) -> dict:
    """A spot `low_km` to `high_km` from `origin`, named after its nearest town."""
    point = geodesic(kilometers=rng.uniform(low_km, high_km)).destination(
        (origin.latitude, origin.longitude), rng.uniform(0, 360)
    )
    town = min(TOWNS, key=lambda t: (TOWNS[t][0] - point.latitude) ** 2
               + ((TOWNS[t][1] - point.longitude) * 0.6) ** 2)  # fmt: skip
    return {"latitude": point.latitude, "longitude": point.longitude, "town": town}


def _requester(rng: random.Random, kind: str, at: tuple[float, float] | None) -> Profile:
    stages = list(STAGES)
    stage = rng.choice(stages[:3] if kind == "mentor" else stages)
    needs = frozenset(rng.sample(list(TOPICS), rng.randint(2, 3)))
    requester = random_profile(rng, None, stage=stage, needs=needs)
    if at is not None:
        requester = replace(requester, latitude=at[0], longitude=at[1])
    return requester


def _right_and_wrongs(rng: random.Random, kind: str, requester: Profile) -> tuple[dict, dict]:
    """The fields of a right answer, and field changes that each make it wrong one way."""
    stages = list(STAGES)
    sector, needs, town, stage = (requester.sectors[0], requester.needs, requester.town,
                                  requester.stage)  # fmt: skip
    others = [t for t in TOPICS if t not in needs]
    other_sector = unrelated_sector(rng, sector)
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
        "wrong sector": {"sectors": (other_sector,), "description": describe(rng, other_sector,
                                                                             town)},
        "too far": place(rng, requester, 150, 300),
    }  # fmt: skip
    return right, wrong


def _copy(rng: random.Random, first: Profile, requester: Profile, ids: Ids, **change) -> Profile:
    copy = replace(first, id=ids(), **place(rng, requester, 3, 30))
    return replace(copy, slug=slugify(f"{copy.name} {copy.id}"), **change)


def _first(rng: random.Random, right: dict, requester: Profile, ids: Ids) -> Profile:
    first = random_profile(rng, ids(), town=requester.town, **right)
    return replace(first, **place(rng, requester, 3, 30))


def one_way(rng: random.Random, kind: str, ids: Ids, at=None) -> Trial:
    """1 (and 6, given `at`): one right answer among copies each wrong in one way."""
    requester = _requester(rng, kind, at)
    right, wrong = _right_and_wrongs(rng, kind, requester)
    first = _first(rng, right, requester, ids)
    planted = [first] + [_copy(rng, first, requester, ids, **c) for c in wrong.values()]
    decoys = {why: p.id for why, p in zip(wrong, planted[1:], strict=True)}
    return Trial(kind, requester, {first.id: 1}, planted, decoys)


def two_ways(rng: random.Random, kind: str, ids: Ids) -> Trial:
    """5: one right answer among copies each wrong in two ways at once."""
    requester = _requester(rng, kind, None)
    right, wrong = _right_and_wrongs(rng, kind, requester)
    first = _first(rng, right, requester, ids)
    planted, decoys = [first], {}
    for (a, ca), (b, cb) in itertools.combinations(wrong.items(), 2):
        planted.append(_copy(rng, first, requester, ids, **(ca | cb)))
        decoys[f"{a} + {b}"] = planted[-1].id
    return Trial(kind, requester, {first.id: 1}, planted, decoys)


def graded(rng: random.Random, kind: str, ids: Ids) -> Trial:
    """2: three right answers of falling relevance, and the one-way decoys of the best."""
    requester = _requester(rng, kind, None)
    right, wrong = _right_and_wrongs(rng, kind, requester)
    best = _first(rng, right, requester, ids)
    sector = requester.sectors[0]
    related = sorted(RELATED_SECTORS[sector]) or [sector]
    one_need = frozenset(rng.sample(sorted(requester.needs), 1))
    if kind == "mentor":
        ahead = [s for s in STAGES if STAGE_ORDER[s] > max(STAGE_ORDER[requester.stage], 1)]
        good = {"offers": one_need, "sectors": (rng.choice(related),), "stage": ahead[0]}
        fair = {"offers": one_need, "sectors": (unrelated_sector(rng, sector),)}
    else:
        adjacent = [s for s in STAGES if abs(STAGE_ORDER[s] - STAGE_ORDER[requester.stage]) == 1]
        good = {"stage": rng.choice(adjacent), "needs": one_need}
        fair = {"sectors": (rng.choice(related),), "needs": one_need}
    second = _copy(rng, best, requester, ids, **good, **place(rng, requester, 10, 40))
    third = _copy(rng, best, requester, ids, **fair)
    decoys = [_copy(rng, best, requester, ids, **c) for c in wrong.values()]
    grades = {best.id: 3, second.id: 2, third.id: 1}
    return Trial(kind, requester, grades, [best, second, third, *decoys])


NICHES = [
    "repair café fixing toasters lamps and bicycles", "seed library swapping heritage seeds",
    "tool library lending drills and ladders", "sourdough bakery training refugees",
    "beekeeping apiary selling honey", "cider orchard pressing apples every autumn",
    "bicycle workshop teaching maintenance", "menstrual dignity pantry", "makerspace laser "
    "cutter and 3d printers", "canal boat trips for disabled passengers", "woodland burial "
    "ground", "community darkroom for film photography", "braille transcription service",
    "gurdwara langar kitchen", "skatepark designed by teenagers", "lido restored by swimmers",
    "mushroom farm in a railway tunnel", "ferry crossing run by islanders", "pottery kiln "
    "shared by ceramicists", "hedgehog rescue hospital", "steam railway run by volunteers",
    "textile recycling and upholstery workshop", "windmill grinding flour", "chess club for "
    "grandmasters and beginners", "oyster beds restored in the estuary",
]  # fmt: skip


def text_only(rng: random.Random, kind: str, ids: Ids) -> Trial:
    """3: the right one shares a distinctive activity with the requester; five look-alikes
    are the same in every field but the description."""
    requester = _requester(rng, kind, None)
    niche = rng.choice(NICHES)
    requester = replace(requester, description=f"{requester.description} We run a {niche}.")
    right, _ = _right_and_wrongs(rng, kind, requester)
    first = _first(rng, right, requester, ids)
    first = replace(first, description=f"{describe(rng, requester.sectors[0], first.town)} "
                                       f"Our {niche} is open weekly.")  # fmt: skip
    alike = [
        _copy(rng, first, requester, ids, description=describe(rng, requester.sectors[0],
                                                               requester.town))
        for _ in range(5)
    ]  # fmt: skip
    return Trial(kind, requester, {first.id: 1}, [first, *alike])


def sparse(rng: random.Random, kind: str, ids: Ids) -> Trial:
    """4: an imported organisation (sector and place only); right: every business of the
    same sector within 15 km, judged on the whole directory. Peers only."""
    requester = replace(
        _requester(rng, "peer", None),
        stage=None,
        needs=frozenset(),
        offers=frozenset(),
        description="",
    )
    sector = requester.sectors[0]
    near = _first(rng, {"sectors": (sector,), "stage": None, "needs": frozenset(),
                        "description": ""}, requester, ids)  # fmt: skip
    near = replace(near, **place(rng, requester, 1, 10))
    decoy = replace(near, id=ids(), sectors=(unrelated_sector(rng, sector),),
                    **place(rng, requester, 0.5, 3))  # fmt: skip

    def judge(candidate: Profile, km: float) -> int:
        return int(bool(candidate.sectors) and candidate.sectors[0] == sector and km <= 15)

    return Trial("peer", requester, {near.id: 1}, [near, decoy], judge=judge)


SCENARIOS: dict[str, Callable[..., Trial]] = {
    "1 one right, decoys wrong one way": one_way,
    "2 graded, several right": graded,
    "3 text-only signal": text_only,
    "4 sparse profiles": sparse,
    "5 decoys wrong two ways": two_ways,
    "6 real clustered geography": one_way,
}
