"""The matching estimator: fit it on the directory, then ask it for anyone's peers and mentors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from matching.geo import geodesic_km
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
    peer_radius_km : float
        The same, for peers: a peer is someone to visit, so proximity falls off sooner (a
        same-sector co-op 0.8 km away used to lose to one 60 km away with a matching need).
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
        peer_radius_km: float = 40.0,
        peer_soft_km: float = 50.0,
        pool_size: int = 50,
    ):
        self.weights = weights
        self.radius_km = radius_km
        self.peer_radius_km = peer_radius_km
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
        self._check_fitted()
        _check_ids(profiles)
        for profile in profiles:
            self.store_.upsert(profile)
        return self

    def remove(self, ids: Iterable[int]) -> Matcher:
        """Forget these businesses (unknown ids are ignored)."""
        self._check_fitted()
        for id in ids:
            self.store_.delete(int(id))
        return self

    def _check_fitted(self) -> None:
        # scikit-learn's check_is_fitted inspects every attribute: a millisecond per call.
        if not hasattr(self, "store_"):
            raise NotFittedError("This Matcher is not fitted yet: call fit(profiles) first.")

    def stale_share(self) -> float:
        """The share of businesses edited since `fit`: refit when it grows."""
        self._check_fitted()
        return self.store_.text.stale_share()

    def __len__(self) -> int:
        self._check_fitted()
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
        self._check_fitted()
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        if limit < 1:
            raise ValueError("limit must be at least 1")
        store = self.store_
        allowed = self._allowed(store, profile, kind)
        # Most peers pass the rules: score the contiguous columns and mask. Few mentors do:
        # gather the allowed rows first, so that nothing is computed for the others.
        where: slice | np.ndarray
        if allowed.sum() > store.size // 4:
            rows, where = np.arange(store.size), slice(0, store.size)
        else:
            rows = where = np.flatnonzero(allowed)
            allowed = np.ones(rows.size, dtype=bool)
        scores = self._score(store, profile, kind, where, rows.size)
        if max_distance_km is not None:
            # A little slack: the sphere and WGS84 differ by up to 0.5%; `_within` decides.
            allowed &= scores.distance <= max_distance_km * 1.01
        scores.score[~allowed] = -1.0
        pool = self._pool(store, scores, rows)
        if max_distance_km is not None:
            pool = pool[_within(store, rows[pool], profile, max_distance_km)]
        picked, shown = self._diversify(store, scores, rows, pool, limit)
        km = _distances(store, rows[picked], profile)
        return [
            self._suggestion(store, profile, kind, scores, rows, at, score, d)
            for at, score, d in zip(picked, shown, km, strict=True)
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

    def _score(self, store: Store, profile: Profile, kind: Kind, where, size: int) -> _Scores:
        """The score, its parts and the distance of the candidates `where` selects."""
        w, f32 = self.weights, np.float32
        mine = [s for s in profile.sectors if s != NO_SECTOR]
        primary = _SECTOR_INDEX[mine[0]] if mine and mine[0] == profile.sectors[0] else -2
        sectors = store.sectors[where]
        needs = np.uint32(bits(profile.needs, TOPIC_BIT))
        they_offer = np.bitwise_count(store.offers[where] & needs).astype(f32)
        distance = _sphere_km(store, where, profile)
        stage = store.stage[where]
        if profile.stage is None:
            gap, known = np.zeros(size, np.int8), np.zeros(size, bool)
        else:
            known = stage != UNKNOWN_STAGE
            gap = np.where(known, stage - np.int8(stage_of(profile)), 0).astype(np.int8)
        sector = np.where(sectors & np.uint32(related_bits(mine)), f32(w.related_sector), f32(0))
        sector[(sectors & np.uint32(bits(mine, SECTOR_BIT))) != 0] = w.shared_sector
        sector[store.primary[where] == primary] = 1.0
        text = store.text.query(profile.description)
        parts = {
            "sector": sector,
            "description": store.text.similarity(text, store.size)[where],
            "distance": 1.0 / (1.0 + (distance * f32(1 / self._radius(kind))) ** 2),
        }
        if kind == "mentor":
            parts["coverage"] = they_offer * f32(1 / max(1, len(profile.needs)))
            parts["experience"] = _EXPERIENCE[gap + 4] * known
            factor = 1.0 / (1.0 + f32(w.mentor_load) * store.load[where])
        else:
            shared = np.bitwise_count(store.needs[where] & needs).astype(f32)
            offers = np.uint32(bits(profile.offers, TOPIC_BIT))
            they_need = np.bitwise_count(store.needs[where] & offers).astype(f32)
            both = store.sqrt_needs[where] * f32(np.sqrt(len(profile.needs)))
            parts["shared_needs"] = np.divide(shared, both, out=np.zeros(size, f32), where=both > 0)
            parts["mutual_help"] = (
                np.minimum(f32(1), they_offer * f32(0.5)) + np.minimum(f32(1), they_need * f32(0.5))
            ) * f32(0.5)
            parts["stage"] = self._stage_table(w)[gap + 4] * known
            factor = np.where(known & (np.abs(gap) >= 2), f32(w.peer_far_stage_factor), f32(1))
            beyond = np.maximum(f32(0), distance - f32(self.peer_soft_km))
            factor /= 1.0 + (beyond * f32(1 / self.peer_soft_km)) ** 2
        shares = self._shares(kind)
        score = sum(f32(shares[part]) * parts[part] for part in shares) * factor
        return _Scores(np.clip(score, 0.0, 1.0), parts, distance, gap, known, factor, text)

    def _radius(self, kind: Kind) -> float:
        return self.radius_km if kind == "mentor" else self.peer_radius_km

    def _shares(self, kind: Kind) -> dict[str, float]:
        cache = self.__dict__.setdefault("_shares_cache", {})
        if (kind, self.weights) not in cache:
            cache[kind, self.weights] = self.weights.shares(kind)
        return cache[kind, self.weights]

    @staticmethod
    def _stage_table(w: Weights) -> np.ndarray:
        """Peer stage credit by gap + 4 (gaps run from -4 to 4)."""
        return np.array([0, 0, 0, w.adjacent_stage, 1, w.adjacent_stage, 0, 0, 0], np.float32)

    # -- ranking ---------------------------------------------------------------------------

    def _pool(self, store: Store, scores: _Scores, rows: np.ndarray) -> np.ndarray:
        """Positions (in `rows`) of the best `pool_size` allowed candidates (score >= 0), in
        (score, distance, id) order."""
        score = scores.score
        if score.size > self.pool_size:
            cut = -np.partition(-score, self.pool_size - 1)[self.pool_size - 1]
            at = np.flatnonzero(score >= max(cut, 0.0))  # with every tie at the cut
        else:
            at = np.flatnonzero(score >= 0)
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
        km: float,
    ) -> Suggestion:
        row = int(rows[at])
        candidate = store.profiles[row]
        assert candidate is not None and candidate.id is not None, "suggested rows are alive"
        similarity = float(scores.parts["description"][at])
        words = (
            store.text.shared_words(scores.text, row)
            if similarity >= self.weights.description_reason_min
            else []
        )
        reasons = explain(
            kind,
            profile,
            candidate,
            {part: share * scores.parts[part][at] for part, share in self._shares(kind).items()},
            stage_gap=int(scores.gap[at]) if scores.known[at] else None,
            shared_words=words,
            distance_km=km,
            near_km=self.radius_km if kind == "mentor" else self.peer_soft_km,
            factor=float(np.broadcast_to(scores.factor, scores.score.shape)[at]),
        )
        return Suggestion(
            id=candidate.id,
            name=candidate.name,
            slug=candidate.slug,
            kind=kind,
            score=float(score),
            distance_km=float(km),
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


# The share of each block in how alike two suggestions look, for the diversity discount.
_LIKENESS_SHARES = {"sectors": 0.15, "stage": 0.1, "needs": 0.15, "offers": 0.1, "text": 0.5}


def _likeness(store: Store, rows: np.ndarray) -> np.ndarray:
    """Cosine likeness of these rows' sectors, stage, needs, offers and words, blended by
    `_LIKENESS_SHARES`, as the cosine of the blocks' weighted concatenation: bit sets by
    popcount, words by a small dense product over the words they use."""
    f32 = np.float32
    if not rows.size:
        return np.zeros((0, 0), f32)
    total = np.zeros((rows.size, rows.size), f32)
    present = np.zeros(rows.size, f32)  # the summed shares of each row's non-empty blocks
    for name in ("sectors", "needs", "offers"):
        values = getattr(store, name)[rows]
        size = np.bitwise_count(values).astype(f32)
        norm = np.sqrt(np.outer(size, size))
        both = np.bitwise_count(values[:, None] & values[None, :]).astype(f32)
        total += _LIKENESS_SHARES[name] * np.divide(both, norm, out=both, where=norm > 0)
        present += _LIKENESS_SHARES[name] * (size > 0)
    stage = store.stage[rows]
    known = stage != UNKNOWN_STAGE
    total += _LIKENESS_SHARES["stage"] * ((stage[:, None] == stage[None, :]) & known)
    present += _LIKENESS_SHARES["stage"] * known
    texts = [store.text.row(int(r)) for r in rows]
    used, column = np.unique(np.concatenate([c for c, _ in texts]), return_inverse=True)
    words = np.zeros((rows.size, used.size), dtype=f32)
    words[np.repeat(np.arange(rows.size), [c.size for c, _ in texts]), column] = np.concatenate(
        [v for _, v in texts]
    )
    norm = np.linalg.norm(words, axis=1)
    words /= np.where(norm > 0, norm, 1)[:, None]
    total += _LIKENESS_SHARES["text"] * (words @ words.T)
    present += _LIKENESS_SHARES["text"] * (norm > 0)
    scale = np.sqrt(np.outer(present, present))
    return np.divide(total, scale, out=np.zeros_like(total), where=scale > 0)


def _check_ids(profiles: Sequence[Profile]) -> None:
    ids = [p.id for p in profiles]
    if None in ids:
        raise ValueError("every profile in the directory needs an id")
    if len(set(ids)) != len(ids):
        raise ValueError("profile ids must be unique")


def _sphere_km(store: Store, where, profile: Profile) -> np.ndarray:
    """Great-circle km from the chord between unit vectors: in float32 without the
    cancellation of 1 - cos for nearby points."""
    qx, qy, qz = (np.float32(v) for v in unit_vector(profile.latitude, profile.longitude))
    chord = np.sqrt((store.x[where] - qx) ** 2 + (store.y[where] - qy) ** 2
                    + (store.z[where] - qz) ** 2)  # fmt: skip
    return np.float32(2 * EARTH_RADIUS_KM) * np.arcsin(np.minimum(np.float32(1), chord * 0.5))


def _distances(store: Store, rows: np.ndarray, profile: Profile) -> np.ndarray:
    """WGS84 km to these rows, for display and the distance filter."""
    found = [store.profiles[r] for r in rows]
    return geodesic_km(
        profile.latitude,
        profile.longitude,
        np.array([p.latitude for p in found]),
        np.array([p.longitude for p in found]),
    )


def _within(store: Store, rows: np.ndarray, profile: Profile, limit: float) -> np.ndarray:
    """Which rows are within `limit` km on WGS84."""
    return _distances(store, rows, profile) <= limit


_EXPERIENCE = np.array([0, 0, 0, 0, 0, 0.5, 1, 1, 1], np.float32)  # mentor credit by gap + 4
