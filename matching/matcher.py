"""The matching estimator: fit it on the directory, then ask it for anyone's peers and mentors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from matching.geo import geodesic_km
from matching.ranking import best, diversify
from matching.reasons import explain
from matching.scoring import Scores, Scoring, score, stage_gaps
from matching.store import TOPIC_BIT, UNKNOWN_STAGE, Store, bits, stage_of
from matching.text import TextIndex
from matching.types import KINDS, Kind, Profile, Suggestion
from matching.weights import DEFAULT_WEIGHTS, Weights


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
        rules = self._allowed(store, profile, kind)
        # Most peers pass the rules: score the contiguous columns and mask. Few mentors do:
        # gather the allowed rows first, so that nothing is computed for the others.
        where: slice | np.ndarray
        allowed: np.ndarray | None = None  # a mask still to apply
        if np.count_nonzero(rules) > store.size // 4:
            rows, where, allowed = store.positions(), slice(0, store.size), rules
        else:
            rows = where = rules.nonzero()[0]
        scores = score(self._scoring(kind), store, profile, kind, where)
        if max_distance_km is not None:
            # A little slack: the sphere and WGS84 differ by up to 0.5%; `_within` decides.
            near = scores.distance <= max_distance_km * 1.01
            allowed = near if allowed is None else allowed & near
        if allowed is not None:
            scores.score[(~allowed).nonzero()[0]] = -1.0
        pool = best(store, scores, rows, self.pool_size)
        if max_distance_km is not None:
            pool = pool[_within(store, rows[pool], profile, max_distance_km)]
        picked, shown = diversify(self.weights, store, scores, rows, pool, limit)
        return self._suggestions(store, profile, kind, scores, rows, picked, shown)

    def _allowed(self, store: Store, profile: Profile, kind: Kind) -> np.ndarray:
        """The hard rules, as one mask over the rows in use."""
        n = store.size
        allowed = store.alive[:n] & store.accepting[:n]  # a paused business cannot be asked
        if profile.id in store.row_of:  # never oneself: one row, not a pass over the ids
            allowed[store.row_of[profile.id]] = False
        if profile.owner_id is not None:  # nor one's own other businesses
            allowed &= store.owners[:n] != profile.owner_id
        if kind == "mentor":
            allowed &= store.can_mentor[:n]
            allowed &= (store.offers[:n] & np.uint32(bits(profile.needs, TOPIC_BIT))) != 0
            stage = stage_of(profile)
            if stage != UNKNOWN_STAGE:  # an unknown stage is not taken for any stage
                allowed &= store.stage[:n] > stage
        return allowed

    def _scoring(self, kind: Kind) -> Scoring:
        """The parameters as `score` takes them, kept until one is set anew (hashing the
        weights on every suggestion would cost more than looking them up)."""
        params = (self.weights, self.radius_km, self.peer_radius_km, self.peer_soft_km)
        cached = self.__dict__.get("_scoring_cache")
        if cached is None or any(a is not b for a, b in zip(cached[0], params, strict=True)):
            cached = self.__dict__["_scoring_cache"] = (params, {
                k: Scoring(
                    weights=self.weights,
                    radius_km=self.radius_km if k == "mentor" else self.peer_radius_km,
                    soft_km=None if k == "mentor" else self.peer_soft_km,
                    shares=self.weights.shares(k),
                )
                for k in KINDS
            })  # fmt: skip
        return cached[1][kind]

    def _suggestions(
        self,
        store: Store,
        profile: Profile,
        kind: Kind,
        scores: Scores,
        rows: np.ndarray,
        picked: np.ndarray,
        shown: np.ndarray,
    ) -> list[Suggestion]:
        """Word the reasons for the picked candidates only, from the parts of their scores."""
        chosen = rows[picked]
        terms = zip(*(term[picked].tolist() for term in scores.terms.values()), strict=True)
        wordy = scores.description[picked] >= self.weights.description_reason_min
        words = iter(store.text.shared_words(scores.text, chosen[wordy].tolist()))
        near_km = self.radius_km if kind == "mentor" else self.peer_soft_km
        found = []
        for row, term, gap, with_words, factor, km, shown_score in zip(
            chosen.tolist(),
            terms,
            stage_gaps(store, chosen, profile),
            wordy.tolist(),
            scores.factor[picked].tolist(),
            _distances(store, chosen.tolist(), profile).tolist(),
            shown.tolist(),
            strict=True,
        ):
            candidate = store.profiles[row]
            assert candidate is not None and candidate.id is not None, "suggested rows are alive"
            reasons = explain(
                kind,
                profile,
                candidate,
                dict(zip(scores.terms, term, strict=True)),
                stage_gap=gap,
                shared_words=next(words) if with_words else [],
                distance_km=km,
                near_km=near_km,
                factor=factor,
            )
            found.append(
                Suggestion(
                    id=candidate.id,
                    name=candidate.name,
                    slug=candidate.slug,
                    kind=kind,
                    score=shown_score,
                    distance_km=km,
                    reasons=reasons,
                )
            )
        return found


def _check_ids(profiles: Sequence[Profile]) -> None:
    ids = [p.id for p in profiles]
    if None in ids:
        raise ValueError("every profile in the directory needs an id")
    if len(set(ids)) != len(ids):
        raise ValueError("profile ids must be unique")


def _distances(store: Store, rows, profile: Profile) -> np.ndarray:
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
