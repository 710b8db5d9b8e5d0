"""The matching estimator: fit it on the directory, then ask it for anyone's peers and mentors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from geopy.distance import geodesic
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from matching.reasons import NO_SECTOR, explain
from matching.store import (
    SECTOR_BIT,
    TOPIC_BIT,
    UNKNOWN_STAGE,
    Store,
    bits,
    related_bits,
    stage_of,
    unit_vector,
)
from matching.text import TextIndex
from matching.types import KINDS, Kind, Profile, Suggestion
from matching.vocab import SECTORS
from matching.weights import DEFAULT_WEIGHTS, Weights

EARTH_RADIUS_KM = 6371.0088  # mean radius: the sphere used to rank; shown distances are WGS84
_SECTOR_INDEX = {s: i for i, s in enumerate(SECTORS)}


class Matcher(BaseEstimator):
    """Suggest peers and mentors for a business, with a score in 0..1 and reasons.

    `fit` encodes the whole directory once; `suggest` applies the hard rules as one mask,
    scores the remaining candidates with a few numpy expressions over bit sets and columns,
    and words the reasons only for the results shown. `update` and `remove` change the fitted
    rows in place (microseconds, no copy), and new words count at once; refit now and then to
    compact the text index (`stale_share` says how much has changed).

    Not safe to `update` while another thread calls `suggest`: the app holds a lock.

    Parameters
    ----------
    weights : Weights
        How much each part counts; see `matching.weights`.
    radius_km : float
        The distance at which proximity is worth half of what next door is; also the distance
        within which "12 km away" is worth saying.
    peer_soft_km : float
        Peers farther than this lose score quickly (a third at twice the distance, most of it
        beyond): a peer is someone to visit. Mentors have no such limit, so a rural business
        with no mentor within reach still gets the best ones further off.
    pool_size : int
        How many of the best candidates the diversity re-ranking considers.
    """

    def __init__(
        self,
        *,
        weights: Weights = DEFAULT_WEIGHTS,
        radius_km: float = 80.0,
        peer_soft_km: float = 50.0,
        pool_size: int = 50,
    ):
        self.weights = weights
        self.radius_km = radius_km
        self.peer_soft_km = peer_soft_km
        self.pool_size = pool_size

    def fit(self, profiles: Sequence[Profile]) -> Matcher:
        _check_ids(profiles)
        capacity = max(16, len(profiles) + len(profiles) // 4)
        text = TextIndex().fit([p.description for p in profiles], capacity)
        self.store_ = Store(profiles, text, capacity)
        return self

    def update(self, profiles: Sequence[Profile]) -> Matcher:
        """Add these profiles, or overwrite the fitted ones with the same ids, in place."""
        check_is_fitted(self)
        _check_ids(profiles)
        for profile in profiles:
            self.store_.upsert(profile)
        return self

    def remove(self, ids: Iterable[int]) -> Matcher:
        """Forget these businesses (unknown ids are ignored)."""
        check_is_fitted(self)
        for id in ids:
            self.store_.delete(int(id))
        return self

    def stale_share(self) -> float:
        """The share of businesses edited since `fit`: refit when it grows."""
        check_is_fitted(self)
        return self.store_.text.stale_share()

    def __len__(self) -> int:
        check_is_fitted(self)
        return len(self.store_)

    def __contains__(self, id: int) -> bool:
        return id in self.store_.row_of

    def suggest(
        self,
        profile: Profile,
        kind: Kind,
        limit: int = 10,
        max_distance_km: float | None = None,
    ) -> list[Suggestion]:
        """The best `limit` peers or mentors for `profile`, best first.

        `profile` need not be in the fitted directory (a visitor has id None); if it is, the
        profile passed in wins over the fitted copy. Ties are ordered by distance, then id.
        Mentors are only found for needs: a profile without needs gets none.
        """
        check_is_fitted(self)
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        if limit < 1:
            raise ValueError("limit must be at least 1")
        store = self.store_
        rows = np.flatnonzero(self._allowed(store, profile, kind))
        scores = self._score(store, profile, kind, rows)
        if max_distance_km is not None:
            # A little slack: the sphere and WGS84 differ by up to 0.5%; `_within` decides.
            near = scores.distance <= max_distance_km * 1.01
            rows, scores = rows[near], scores.take(near)
        pool = self._pool(store, scores, rows)
        if max_distance_km is not None:
            pool = pool[_within(store, rows[pool], profile, scores.distance[pool], max_distance_km)]
        picked, shown = self._diversify(store, scores, rows, pool, limit)
        return [
            self._suggestion(store, profile, kind, scores, rows, at, score)
            for at, score in zip(picked, shown, strict=True)
        ]

    def _allowed(self, store: Store, profile: Profile, kind: Kind) -> np.ndarray:
        """The hard rules, as one mask over the rows in use."""
        n = store.size
        allowed = store.alive[:n] & store.accepting[:n]  # a paused business cannot be asked
        if profile.id is not None:
            allowed &= store.ids[:n] != profile.id
        if profile.owner_id is not None:
            allowed &= store.owners[:n] != profile.owner_id
        if kind == "mentor":
            allowed &= store.can_mentor[:n]
            allowed &= (store.offers[:n] & np.uint32(bits(profile.needs, TOPIC_BIT))) != 0
            mine = stage_of(profile)
            if mine != UNKNOWN_STAGE:  # an unknown stage is not taken for any stage
                allowed &= store.stage[:n] > mine
        return allowed

    def _score(self, store: Store, profile: Profile, kind: Kind, rows: np.ndarray) -> _Scores:
        """Every allowed candidate's score, its parts and its distance."""
        w = self.weights
        mine = [s for s in profile.sectors if s != NO_SECTOR]
        primary = _SECTOR_INDEX[mine[0]] if mine and mine[0] == profile.sectors[0] else -2
        sectors = store.sectors[rows]
        needs = np.uint32(bits(profile.needs, TOPIC_BIT))
        they_offer = np.bitwise_count(store.offers[rows] & needs).astype(np.float32)
        cos_angle = store.xyz[rows] @ unit_vector(profile.latitude, profile.longitude)
        distance = EARTH_RADIUS_KM * np.arccos(np.clip(cos_angle, -1.0, 1.0))
        stage = store.stage[rows]
        known = stage != UNKNOWN_STAGE
        if profile.stage is not None:
            gap = np.where(known, stage - np.int8(stage_of(profile)), 0).astype(np.int8)
        else:
            gap, known = np.zeros(rows.size, np.int8), np.zeros(rows.size, bool)
        text = self._query_text(profile)
        parts = {
            "sector": np.maximum.reduce(
                [
                    np.where(store.primary[rows] == primary, 1.0, 0.0),
                    np.where(sectors & np.uint32(bits(mine, SECTOR_BIT)), w.shared_sector, 0.0),
                    np.where(sectors & np.uint32(related_bits(mine)), w.related_sector, 0.0),
                ]
            ),
            "description": store.text.similarity(text, store.size)[rows],
            "distance": 1.0 / (1.0 + (distance / self.radius_km) ** 2),
        }
        if kind == "mentor":
            parts["coverage"] = they_offer / max(1, len(profile.needs))
            parts["experience"] = np.where(known, np.minimum(1.0, gap / 2), 0.0)
            factor = 1.0 / (1.0 + w.mentor_load * store.load[rows])
        else:
            shared = np.bitwise_count(store.needs[rows] & needs).astype(np.float32)
            offers = np.uint32(bits(profile.offers, TOPIC_BIT))
            they_need = np.bitwise_count(store.needs[rows] & offers).astype(np.float32)
            both = np.sqrt(len(profile.needs) * store.n_needs[rows])
            parts["shared_needs"] = np.divide(
                shared, both, out=np.zeros(rows.size, np.float32), where=both > 0
            )
            parts["mutual_help"] = (
                np.minimum(1.0, they_offer / 2) + np.minimum(1.0, they_need / 2)
            ) / 2
            far = np.abs(gap)
            parts["stage"] = np.where(
                known, np.select([far == 0, far == 1], [1.0, w.adjacent_stage], 0.0), 0.0
            )
            factor = np.where(known & (far >= 2), w.peer_far_stage_factor, 1.0)
            beyond = np.maximum(0.0, distance - self.peer_soft_km) / self.peer_soft_km
            factor = factor / (1.0 + beyond**2)
        shares = w.shares(kind)
        score = sum(shares[part] * parts[part] for part in shares) * factor
        return _Scores(np.clip(score, 0.0, 1.0), parts, distance, gap, known, factor, text)

    def _query_text(self, profile: Profile):
        return self.store_.text.query(profile.description)

    # -- ranking ---------------------------------------------------------------------------

    def _pool(self, store: Store, scores: _Scores, rows: np.ndarray) -> np.ndarray:
        """Positions (in `rows`) of the best `pool_size` candidates, in (score, distance, id)
        order."""
        score = scores.score
        at = np.arange(score.size)
        if score.size > self.pool_size:
            cut = -np.partition(-score, self.pool_size - 1)[self.pool_size - 1]
            at = np.flatnonzero(score >= cut)  # with every tie at the cut
        order = np.lexsort((store.ids[rows[at]], scores.distance[at], -score[at]))
        return at[order][: self.pool_size]

    def _diversify(
        self, store: Store, scores: _Scores, rows: np.ndarray, pool: np.ndarray, limit: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Greedily pick from the pool, discounting each candidate by its likeness to the
        ones already picked. Discounts only grow, so the shown scores never increase."""
        w = self.weights
        likeness = _likeness(store, rows[pool])
        ids, distance, base = store.ids[rows[pool]], scores.distance[pool], scores.score[pool]
        closest = np.zeros(pool.size)
        taken = np.zeros(pool.size, dtype=bool)
        picked, shown = [], []
        for _ in range(min(limit, pool.size)):
            excess = (closest - w.redundancy_threshold) / (1 - w.redundancy_threshold)
            adjusted = base * (1 - w.diversity * np.clip(excess, 0.0, 1.0))
            best = np.lexsort((ids, distance, -adjusted, taken))[0]
            picked.append(pool[best])
            shown.append(adjusted[best])
            taken[best] = True
            closest = np.maximum(closest, likeness[best])
        return np.array(picked, dtype=np.int64), np.array(shown)

    def _suggestion(
        self,
        store: Store,
        profile: Profile,
        kind: Kind,
        scores: _Scores,
        rows: np.ndarray,
        at: int,
        score: float,
    ) -> Suggestion:
        row = int(rows[at])
        candidate = store.profiles[row]
        km = _geodesic_km(profile, candidate)
        similarity = float(scores.parts["description"][at])
        words = (
            store.text.shared_words(profile.description, row)
            if similarity >= self.weights.description_reason_min
            else []
        )
        reasons = explain(
            kind,
            profile,
            candidate,
            {
                part: share * scores.parts[part][at]
                for part, share in self.weights.shares(kind).items()
            },
            stage_gap=int(scores.gap[at]) if scores.known[at] else None,
            shared_words=words,
            distance_km=km,
            near_km=self.radius_km,
            factor=float(scores.factor[at]),
        )
        return Suggestion(
            id=candidate.id,
            name=candidate.name,
            slug=candidate.slug,
            kind=kind,
            score=float(score),
            distance_km=km,
            reasons=reasons,
        )


@dataclass(frozen=True)
class _Scores:
    """Per allowed candidate (aligned with the `rows` they were computed for)."""

    score: np.ndarray  # 0..1, before the diversity discount
    parts: dict[str, np.ndarray]  # each 0..1, named as in `Weights.shares`
    distance: np.ndarray  # km on the sphere
    gap: np.ndarray  # candidate's stage minus the requester's (0 where unknown)
    known: np.ndarray  # both stages known
    factor: np.ndarray  # the multiplier applied to the weighted parts
    text: tuple

    def take(self, keep: np.ndarray) -> _Scores:
        return _Scores(
            self.score[keep],
            {part: values[keep] for part, values in self.parts.items()},
            self.distance[keep],
            self.gap[keep],
            self.known[keep],
            np.broadcast_to(self.factor, self.score.shape)[keep],
            self.text,
        )


# The share of each block in how alike two suggestions look, for the diversity discount.
_LIKENESS_SHARES = {"sectors": 0.15, "stage": 0.1, "needs": 0.15, "offers": 0.1, "text": 0.5}


def _likeness(store: Store, rows: np.ndarray) -> np.ndarray:
    """Cosine likeness of these rows' sectors, stage, needs, offers and words, blended."""
    if not rows.size:
        return np.zeros((0, 0))
    blocks = {
        "sectors": _bit_matrix(store.sectors[rows], len(SECTOR_BIT)),
        "stage": (store.stage[rows][:, None] == np.arange(5)).astype(np.float32),
        "needs": _bit_matrix(store.needs[rows], len(TOPIC_BIT)),
        "offers": _bit_matrix(store.offers[rows], len(TOPIC_BIT)),
    }
    texts = [store.text.row(int(r)) for r in rows]
    used, column = np.unique(np.concatenate([c for c, _ in texts]), return_inverse=True)
    words = np.zeros((rows.size, used.size), dtype=np.float32)
    words[np.repeat(np.arange(rows.size), [c.size for c, _ in texts]), column] = np.concatenate(
        [v for _, v in texts]
    )
    blocks["text"] = words
    parts = []
    for name, matrix in blocks.items():
        norm = np.linalg.norm(matrix, axis=1, keepdims=True)
        parts.append(np.divide(matrix, norm, out=np.zeros_like(matrix), where=norm > 0)
                     * np.sqrt(_LIKENESS_SHARES[name]))  # fmt: skip
    blend = np.hstack(parts)
    norm = np.linalg.norm(blend, axis=1, keepdims=True)
    blend = np.divide(blend, norm, out=np.zeros_like(blend), where=norm > 0)
    return blend @ blend.T


def _bit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    return ((values[:, None] >> np.arange(width, dtype=np.uint32)) & 1).astype(np.float32)


def _check_ids(profiles: Sequence[Profile]) -> None:
    ids = [p.id for p in profiles]
    if None in ids:
        raise ValueError("every profile in the directory needs an id")
    if len(set(ids)) != len(ids):
        raise ValueError("profile ids must be unique")


def _geodesic_km(a: Profile, b: Profile) -> float:
    return float(geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).km)


def _within(
    store: Store, rows: np.ndarray, profile: Profile, km: np.ndarray, limit: float
) -> np.ndarray:
    """Which rows are within `limit` km on WGS84; only the borderline few are measured."""
    inside = km <= limit * 0.99
    for i in np.flatnonzero(~inside):
        inside[i] = _geodesic_km(profile, store.profiles[rows[i]]) <= limit
    return inside
