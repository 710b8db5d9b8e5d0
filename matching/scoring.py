"""Every candidate's score at once, as a few passes of float32 arithmetic over the columns.

Each part is one function of the candidates (`PARTS`); the reasons are worded from the
very numbers that made the score.

The parts take a few exact values (a sector part is 1, `shared_sector`, `related_sector` or
0) chosen by masks: they are written as products and maxima of masks, not `np.where` or
masked assignment (at 100,000 candidates a masked write costs 0.3 ms against 0.02 ms for a
multiply), and give the same float32 values to the last bit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matching.reasons import NO_SECTOR
from matching.store import (
    SECTOR_BIT,
    TOPIC_BIT,
    UNKNOWN_STAGE,
    Store,
    bits,
    related_bits,
    stage_of,
)
from matching.types import Kind, Profile
from matching.vocab import SECTORS
from matching.weights import Weights

EARTH_RADIUS_KM = 6371.0088  # mean radius: the sphere used to rank; shown distances are WGS84
F32 = np.float32
_SECTOR_INDEX = {s: i for i, s in enumerate(SECTORS)}


@dataclass(frozen=True)
class Scoring:
    """The parameters a score depends on besides the two profiles (a Matcher's)."""

    weights: Weights
    radius_km: float  # proximity is worth half at this distance
    soft_km: float | None  # peers: beyond this, the whole score falls off
    shares: dict[str, float]  # `weights.shares(kind)`, in order of summation


@dataclass(frozen=True)
class Scores:
    """Per candidate (aligned with the rows they were computed for)."""

    score: np.ndarray  # 0..1 before the diversity discount; -1 where a hard rule says no
    terms: dict[str, np.ndarray]  # share x part, named as in `Weights.shares`
    description: np.ndarray  # the description part (0..1), for "Similar work"
    factor: np.ndarray  # the multiplier applied to the summed terms
    distance: np.ndarray  # km on the sphere
    text: tuple  # the requester's query, for naming shared words


class Candidates:
    """The requester and the candidates `where` selects: what every part reads."""

    def __init__(self, store: Store, profile: Profile, where, distance, similarity):
        self.store, self.profile, self.where = store, profile, where
        self.distance, self.similarity = distance, similarity
        self.needs = np.uint32(bits(profile.needs, TOPIC_BIT))
        self.mine = None if profile.stage is None else np.int8(stage_of(profile))
        self.stage = store.stage[where]

    @functools.cached_property
    def apart(self) -> tuple[np.ndarray, np.ndarray]:
        """How many stages apart, and whether the candidate's stage is known."""
        assert self.mine is not None, "only asked when the requester's stage is known"
        return np.abs(self.stage - self.mine), self.stage != UNKNOWN_STAGE


def score(scoring: Scoring, store: Store, profile: Profile, kind: Kind, where) -> Scores:
    """The score and the distance of the candidates `where` selects (a slice of the rows in
    use, or an array of rows)."""
    distance = sphere_km(store, where, profile)
    text = store.text.query(profile.description)
    similarity = store.text.similarity(text, store.size)
    them = Candidates(store, profile, where, distance, similarity)
    terms = {}
    for name, share in scoring.shares.items():
        part = PARTS[name](scoring, them)
        terms[name] = np.multiply(F32(share), part, out=None if name == "description" else part)
    first, second, *rest = terms.values()  # summed in order: float32 sums depend on it
    total = first + second
    for term in rest:
        total += term
    multiplier = factor(scoring, kind, them)
    total *= multiplier
    np.maximum(total, F32(0), out=total)  # np.clip's result, without its Python wrapper
    np.minimum(total, F32(1), out=total)
    return Scores(total, terms, similarity[where], multiplier, distance, text)


def stage_gaps(store: Store, rows: np.ndarray, profile: Profile) -> list[int | None]:
    """Each candidate's stage minus the requester's, None unless both are known."""
    if profile.stage is None:
        return [None] * rows.size
    mine = stage_of(profile)
    return [None if s == UNKNOWN_STAGE else s - mine for s in store.stage[rows].tolist()]


def factor(scoring: Scoring, kind: Kind, c: Candidates) -> np.ndarray:
    """The multiplier of the weighted parts. Mentors: 1 / (1 + mentor_load x open
    introductions). Peers: `peer_far_stage_factor` for stages two or more apart, times a
    fall-off beyond `soft_km`: 1 / (1 + ((km - soft) / soft)^2)."""
    w = scoring.weights
    if kind == "mentor":
        return 1.0 / (1.0 + F32(w.mentor_load) * c.store.load[c.where])
    assert scoring.soft_km is not None, "peers have a soft distance limit"
    beyond = np.maximum(c.distance - F32(scoring.soft_km), F32(0))
    beyond *= F32(1 / scoring.soft_km)
    np.square(beyond, out=beyond)
    beyond += 1.0
    if c.mine is None:
        return np.divide(F32(1), beyond, out=beyond)
    apart, known = c.apart
    far = (apart >= 2) & known
    base = np.multiply(far, F32(w.peer_far_stage_factor), dtype=F32)
    base += ~far
    return np.divide(base, beyond, out=base)


def _sector(scoring: Scoring, c: Candidates) -> np.ndarray:
    """1 for the same primary sector, `shared_sector` for another sector in common,
    `related_sector` for a related one, else 0."""
    w, profile = scoring.weights, c.profile
    mine = [s for s in profile.sectors if s != NO_SECTOR]
    sectors = c.store.sectors[c.where]
    if not mine:
        return np.zeros(sectors.size, F32)
    primary = _SECTOR_INDEX[mine[0]] if mine[0] == profile.sectors[0] else -2
    same = c.store.primary[c.where] == primary
    shared = (sectors & np.uint32(bits(mine, SECTOR_BIT))) != 0
    related = (sectors & np.uint32(related_bits(mine))) != 0
    if w.shared_sector >= w.related_sector:  # as by default: the best that applies
        part = np.maximum(related * F32(w.related_sector), shared * F32(w.shared_sector))
        return np.maximum(part, same, out=part)
    shared &= ~same  # otherwise one mask per candidate, in order of precedence
    related &= ~same & ~shared
    part = np.multiply(related, F32(w.related_sector), dtype=F32)
    part += shared * F32(w.shared_sector)
    part += same
    return part


def _description(scoring: Scoring, c: Candidates) -> np.ndarray:
    return c.similarity[c.where]


def _distance(scoring: Scoring, c: Candidates) -> np.ndarray:
    """1 next door, a half at `radius_km`, then falling with the square of the distance."""
    near = c.distance * F32(1 / scoring.radius_km)
    np.square(near, out=near)
    near += 1.0
    return np.divide(1.0, near, out=near)


def _shared_needs(scoring: Scoring, c: Candidates) -> np.ndarray:
    """Cosine of the two sets of needs. Square roots of counts are 0 or at least 1, so
    dividing by max(1, product) leaves the cosine and turns 0 / 0 into 0."""
    shared = np.bitwise_count(c.store.needs[c.where] & c.needs).astype(F32)
    both = c.store.sqrt_needs[c.where] * F32(np.sqrt(len(c.profile.needs)))
    return np.divide(shared, np.maximum(both, F32(1), out=both), out=shared)


def _mutual_help(scoring: Scoring, c: Candidates) -> np.ndarray:
    """Half for their offers meeting the requester's needs, half the other way round; each
    half is full from two topics: (min(2, offered) + min(2, needed)) / 4, exact in float32."""
    they_need = np.uint32(bits(c.profile.offers, TOPIC_BIT))
    offered = np.minimum(np.bitwise_count(c.store.offers[c.where] & c.needs), np.uint8(2))
    offered += np.minimum(np.bitwise_count(c.store.needs[c.where] & they_need), np.uint8(2))
    return offered * F32(0.25)


def _stage(scoring: Scoring, c: Candidates) -> np.ndarray:
    """Peers: 1 for the same stage, `adjacent_stage` one apart, else 0."""
    if c.mine is None:
        return np.zeros(c.stage.size, F32)
    apart, known = c.apart  # an unknown stage (-1) is never 0 apart
    return (apart == 0) + ((apart == 1) & known) * F32(scoring.weights.adjacent_stage)


def _coverage(scoring: Scoring, c: Candidates) -> np.ndarray:
    """Mentors: the share of the requester's needs they offer."""
    offered = np.bitwise_count(c.store.offers[c.where] & c.needs)
    return offered * F32(1 / max(1, len(c.profile.needs)))


def _experience(scoring: Scoring, c: Candidates) -> np.ndarray:
    """Mentors: 0 for none or an unknown stage, half for one stage further along, then 1."""
    if c.mine is None:
        return np.zeros(c.stage.size, F32)
    gap = c.stage - c.mine
    return (gap >= 1) * F32(0.5) + (gap >= 2) * F32(0.5)


PARTS: dict[str, Callable[[Scoring, Candidates], np.ndarray]] = {
    "sector": _sector,
    "description": _description,
    "distance": _distance,
    "shared_needs": _shared_needs,
    "mutual_help": _mutual_help,
    "stage": _stage,
    "coverage": _coverage,
    "experience": _experience,
}


def sphere_km(store: Store, where, profile: Profile) -> np.ndarray:
    """Great-circle km from the chord between unit vectors: in float32 without the
    cancellation of 1 - cos for nearby points."""
    qx, qy, qz = _point(profile.latitude, profile.longitude)
    chord = np.subtract(store.x[where], qx)
    np.square(chord, out=chord)
    for q, column in ((qy, store.y), (qz, store.z)):
        d = np.subtract(column[where], q)
        chord += np.square(d, out=d)
    np.sqrt(chord, out=chord)
    chord *= 0.5
    np.minimum(chord, F32(1), out=chord)
    np.arcsin(chord, out=chord)
    chord *= F32(2 * EARTH_RADIUS_KM)
    return chord


@functools.lru_cache(maxsize=4096)
def _point(latitude: float, longitude: float) -> tuple[np.float32, np.float32, np.float32]:
    """The requester's unit vector in float32, as the columns hold theirs: `unit_vector`'s
    arithmetic on the two scalars, without stacking them into an array."""
    lat, lon = np.radians(latitude), np.radians(longitude)
    return F32(np.cos(lat) * np.cos(lon)), F32(np.cos(lat) * np.sin(lon)), F32(np.sin(lat))
