"""The matching estimator: fit it on the directory, then ask it for anyone's peers and mentors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from geopy.distance import geodesic
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from matching.features import ProfileVectorizer
from matching.reasons import NO_SECTOR, explain
from matching.types import KINDS, Kind, Profile, Suggestion
from matching.vocab import RELATED_SECTORS, SECTORS, STAGE_ORDER
from matching.weights import DEFAULT_WEIGHTS, Weights

EARTH_RADIUS_KM = 6371.0088  # mean radius: the sphere used to rank; shown distances are WGS84
_GROWING = STAGE_ORDER["growing"]
_SECTOR_INDEX = {s: i for i, s in enumerate(SECTORS)}


class Matcher(BaseEstimator):
    """Suggest peers and mentors for a business, with a score in 0..1 and reasons.

    `fit` encodes the whole directory once; `suggest` then scores every candidate with a few
    sparse products and numpy expressions, applies the hard rules as masks and words the
    reasons only for the results shown. `update` and `remove` refresh the fitted directory
    after an edit without re-encoding everyone else; they keep the fitted TF-IDF vocabulary,
    so refit now and then (nightly, say) to learn new words.

    Parameters
    ----------
    weights : Weights
        How much each part counts; see `matching.weights`.
    radius_km : float
        The distance at which proximity is worth half of what next door is; also the distance
        within which "12 km away" is worth saying. Farther candidates are not excluded: a
        rural business with no mentor within reach still gets the best ones further off.
    pool_size : int
        How many of the best candidates the diversity re-ranking considers.
    """

    def __init__(
        self, *, weights: Weights = DEFAULT_WEIGHTS, radius_km: float = 80.0, pool_size: int = 50
    ):
        self.weights = weights
        self.radius_km = radius_km
        self.pool_size = pool_size

    def fit(self, profiles: Sequence[Profile]) -> Matcher:
        _check_ids(profiles)
        self.vectorizer_ = ProfileVectorizer().fit(profiles)
        self.directory_ = _Directory.encode(profiles, self.vectorizer_)
        return self

    def update(self, profiles: Sequence[Profile]) -> Matcher:
        """Add these profiles, or replace the fitted ones with the same ids.

        Costs one pass over the arrays (milliseconds at 7,000 businesses) instead of a refit.
        `suggest` may run meanwhile; two updates or removals must not (the app serialises them).
        """
        check_is_fitted(self)
        _check_ids(profiles)
        new = _Directory.encode(profiles, self.vectorizer_)
        # One assignment, so that a concurrent `suggest` sees the old or the new directory.
        self.directory_ = self.directory_.take(~np.isin(self.directory_.ids, new.ids)).concat(new)
        return self

    def remove(self, ids: Iterable[int]) -> Matcher:
        """Forget these businesses (unknown ids are ignored)."""
        check_is_fitted(self)
        ids = np.fromiter(ids, dtype=np.int64)
        self.directory_ = self.directory_.take(~np.isin(self.directory_.ids, ids))
        return self

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
        directory = self.directory_  # read once: `update` may swap it meanwhile
        scores = self._score(directory, profile, kind)
        allowed = self._allowed(directory, profile, kind, scores, max_distance_km)
        pool = self._pool(directory, scores, allowed)
        if max_distance_km is not None:
            pool = pool[_within(directory, pool, profile, scores.distance, max_distance_km)]
        picked, shown = self._diversify(directory, scores, pool, limit)
        return [
            self._suggestion(directory, profile, kind, scores, row, score)
            for row, score in zip(picked, shown, strict=True)
        ]

    def _score(self, directory: _Directory, profile: Profile, kind: Kind) -> _Scores:
        """Every candidate's score, its parts and its distance, hard rules aside."""
        w = self.weights
        primary, query, text = self._query(profile)
        shared, related, shared_needs, they_need, they_offer = (directory.indicators @ query).T
        cos_angle = directory.xyz @ _unit_vector(profile.latitude, profile.longitude)
        distance = EARTH_RADIUS_KM * np.arccos(np.clip(cos_angle, -1.0, 1.0))
        gap = directory.stage - np.int8(STAGE_ORDER[profile.stage])
        parts = {
            "sector": np.maximum.reduce(
                [
                    np.where(directory.primary == primary, 1.0, 0.0),
                    np.where(shared > 0, w.shared_sector, 0.0),
                    np.where(related > 0, w.related_sector, 0.0),
                ]
            ),
            "description": np.clip(directory.text @ text, 0.0, 1.0),
            "distance": 1.0 / (1.0 + (distance / self.radius_km) ** 2),
        }
        # Per-stage-gap tables, indexed by gap + 4 (gaps run from -4 to 4).
        if kind == "mentor":
            parts["coverage"] = they_offer / max(1, len(profile.needs))
            parts["experience"] = _by_gap({g: min(1.0, g / 2) for g in range(1, 5)})[gap + 4]
            factor = 1.0 / (1.0 + w.mentor_load * directory.load)
        else:
            both = np.sqrt(len(profile.needs) * directory.n_needs)
            parts["shared_needs"] = np.divide(
                shared_needs, both, out=np.zeros(len(directory)), where=both > 0
            )
            parts["mutual_help"] = (
                np.minimum(1.0, they_offer / 2) + np.minimum(1.0, they_need / 2)
            ) / 2
            parts["stage"] = _by_gap({0: 1.0, -1: w.adjacent_stage, 1: w.adjacent_stage})[gap + 4]
            factor = _by_gap({g: 1.0 for g in (-1, 0, 1)}, w.peer_far_stage_factor)[gap + 4]
        shares = w.shares(kind)
        score = sum(shares[part] * parts[part] for part in shares) * factor
        return _Scores(np.clip(score, 0.0, 1.0), parts, distance, gap)

    def _query(self, profile: Profile) -> tuple[int, np.ndarray, np.ndarray]:
        """The requester's primary sector (-2 to match no one); the columns whose product with
        the directory's indicators counts, per candidate, the sectors in common, the related
        sectors, the needs in common, the candidate's needs the requester offers and the
        requester's needs the candidate offers; and the requester's TF-IDF row."""
        row, text = self.vectorizer_.encode(profile)
        sectors, needs, offers = (
            self.vectorizer_.slices_[b] for b in ("sectors", "needs", "offers")
        )
        mine = [s for s in profile.sectors if s != NO_SECTOR]
        primary = _SECTOR_INDEX[mine[0]] if mine and mine[0] == profile.sectors[0] else -2
        related = set().union(*(RELATED_SECTORS[s] for s in mine))
        query = np.zeros((row.size, 5), dtype=np.float32)
        query[[sectors.start + _SECTOR_INDEX[s] for s in mine], 0] = 1
        query[[sectors.start + _SECTOR_INDEX[s] for s in related], 1] = 1
        query[needs, 2] = row[needs]
        query[needs, 3] = row[offers]
        query[offers, 4] = row[needs]
        return primary, query, text

    def _allowed(
        self,
        directory: _Directory,
        profile: Profile,
        kind: Kind,
        scores: _Scores,
        max_distance_km: float | None,
    ) -> np.ndarray:
        """The hard rules, as one mask."""
        allowed = (
            directory.ids != profile.id if profile.id is not None else np.ones(len(directory), bool)
        )
        if profile.owner_id is not None:
            allowed &= directory.owners != profile.owner_id
        allowed &= directory.accepting  # a paused business cannot be asked, so is not suggested
        if kind == "mentor":
            allowed &= directory.can_mentor & (scores.gap > 0) & (scores.parts["coverage"] > 0)
        if max_distance_km is not None:
            # A little slack: the sphere and WGS84 differ by up to 0.5%; `_within` decides.
            allowed &= scores.distance <= max_distance_km * 1.01
        return allowed

    # -- ranking ---------------------------------------------------------------------------

    def _pool(self, directory: _Directory, scores: _Scores, allowed: np.ndarray) -> np.ndarray:
        """Rows of the best `pool_size` allowed candidates, in (score, distance, id) order."""
        ranked = np.where(allowed, scores.score, -1.0)
        if ranked.size > self.pool_size:
            cut = -np.partition(-ranked, self.pool_size - 1)[self.pool_size - 1]
            rows = np.flatnonzero(ranked >= max(cut, 0.0))  # with every tie at the cut
        else:
            rows = np.flatnonzero(allowed)
        order = np.lexsort((directory.ids[rows], scores.distance[rows], -scores.score[rows]))
        return rows[order][: self.pool_size]

    def _diversify(
        self, directory: _Directory, scores: _Scores, pool: np.ndarray, limit: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Greedily pick from the pool, discounting each candidate by its likeness to the
        ones already picked. Discounts only grow, so the shown scores never increase."""
        w = self.weights
        likeness = _gram(directory.redundancy[pool])
        ids, distance, base = directory.ids[pool], scores.distance[pool], scores.score[pool]
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
        directory: _Directory,
        profile: Profile,
        kind: Kind,
        scores: _Scores,
        row: int,
        score: float,
    ) -> Suggestion:
        candidate = directory.profiles[row]
        km = _geodesic_km(profile, candidate)
        reasons = explain(
            kind,
            profile,
            candidate,
            {
                part: share * scores.parts[part][row]
                for part, share in self.weights.shares(kind).items()
            },
            stage_gap=int(scores.gap[row]),
            text_similarity=float(scores.parts["description"][row]),
            distance_km=km,
            near_km=self.radius_km,
            text_min=self.weights.description_reason_min,
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
    score: np.ndarray  # 0..1, before the hard rules and the diversity discount
    parts: dict[str, np.ndarray]  # each 0..1, named as in `Weights.shares`
    distance: np.ndarray  # km on the sphere
    gap: np.ndarray  # candidate's stage minus the requester's


@dataclass(frozen=True)
class _Directory:
    """The fitted directory, one row per business, in columns the scoring reads at once."""

    profiles: tuple[Profile, ...]
    ids: np.ndarray  # int64
    owners: np.ndarray  # float64, NaN when unknown so that it never equals anyone
    xyz: np.ndarray  # (n, 3) unit vectors
    primary: np.ndarray  # int8 index in SECTORS, -1 without sectors
    stage: np.ndarray  # int8, STAGE_ORDER
    can_mentor: np.ndarray  # bool: willing, accepting, under capacity, at least growing
    accepting: np.ndarray  # bool: open to new introductions (a paused business is not)
    load: np.ndarray  # float64, open introductions
    n_needs: np.ndarray  # float64
    # `ProfileVectorizer` indicators, dense on purpose: with 58 columns, one BLAS product
    # counts every overlap about 3x faster than scipy's sparse product.
    indicators: np.ndarray
    text: sp.csr_matrix  # l2-normalised TF-IDF
    redundancy: sp.csr_matrix  # see `ProfileVectorizer.redundancy_matrix`

    @classmethod
    def encode(cls, profiles: Sequence[Profile], vectorizer: ProfileVectorizer) -> _Directory:
        indicators, text = vectorizer.transform(profiles)

        def column(values: Iterable, dtype: type) -> np.ndarray:
            return np.fromiter(values, dtype=dtype, count=len(profiles))

        stage = column((STAGE_ORDER[p.stage] for p in profiles), np.int8)
        load = column((p.open_introductions for p in profiles), np.float64)
        capacity = column((_or_nan(p.mentor_capacity) for p in profiles), np.float64)
        accepting = column((p.accepting_requests for p in profiles), bool)
        willing = column((p.willing_to_mentor for p in profiles), bool) & accepting
        return cls(
            profiles=tuple(profiles),
            ids=column((p.id for p in profiles), np.int64),
            owners=column((_or_nan(p.owner_id) for p in profiles), np.float64),
            xyz=_unit_vector(
                column((p.latitude for p in profiles), np.float64),
                column((p.longitude for p in profiles), np.float64),
            ),
            primary=column(
                (_SECTOR_INDEX[p.sectors[0]] if p.sectors else -1 for p in profiles), np.int8
            ),
            stage=stage,
            can_mentor=willing & ~(load >= capacity) & (stage >= _GROWING),  # NaN: no limit
            accepting=accepting,
            load=load,
            n_needs=np.asarray(indicators[:, vectorizer.slices_["needs"]].sum(axis=1)).ravel(),
            indicators=indicators.toarray(),
            text=text,
            redundancy=vectorizer.redundancy_matrix(indicators, text),
        )

    def __len__(self) -> int:
        return self.ids.size

    def take(self, keep: np.ndarray) -> _Directory:
        rows = np.flatnonzero(keep)
        return _Directory(
            profiles=tuple(self.profiles[i] for i in rows),
            **{name: getattr(self, name)[rows] for name in _ROW_ARRAYS},
        )

    def concat(self, other: _Directory) -> _Directory:
        def stack(a, b):
            return sp.vstack([a, b], format="csr") if sp.issparse(a) else np.concatenate([a, b])

        return _Directory(
            profiles=self.profiles + other.profiles,
            **{name: stack(getattr(self, name), getattr(other, name)) for name in _ROW_ARRAYS},
        )


_ROW_ARRAYS = [name for name in _Directory.__dataclass_fields__ if name != "profiles"]


def _check_ids(profiles: Sequence[Profile]) -> None:
    ids = [p.id for p in profiles]
    if None in ids:
        raise ValueError("every profile in the directory needs an id")
    if len(set(ids)) != len(ids):
        raise ValueError("profile ids must be unique")


def _gram(rows: sp.csr_matrix) -> np.ndarray:
    """rows @ rows.T, dense, over only the columns these rows use: for a few dozen rows this
    is several times faster than a sparse product."""
    used, column = np.unique(rows.indices, return_inverse=True)
    dense = np.zeros((rows.shape[0], used.size), dtype=np.float32)
    dense[np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr)), column] = rows.data
    return dense @ dense.T


def _or_nan(value: int | None) -> float:
    return np.nan if value is None else value


def _by_gap(values: dict[int, float], default: float = 0.0) -> np.ndarray:
    """A lookup table over stage gaps -4..4, to index with `gap + 4`."""
    return np.array([values.get(gap, default) for gap in range(-4, 5)])


def _unit_vector(lat, lon) -> np.ndarray:
    lat, lon = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)


def _geodesic_km(a: Profile, b: Profile) -> float:
    return float(geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).km)


def _within(
    directory: _Directory, rows: np.ndarray, profile: Profile, km: np.ndarray, limit: float
) -> np.ndarray:
    """Which rows are within `limit` km on WGS84; only the borderline few are measured."""
    inside = km[rows] <= limit * 0.99
    for i in np.flatnonzero(~inside):
        inside[i] = _geodesic_km(profile, directory.profiles[rows[i]]) <= limit
    return inside
