"""From scores to the few shown: the best candidates, then a diversity re-rank.

Order everywhere: higher score first, then nearer, then lower id, so that equal candidates
always come in the same order.
"""

from __future__ import annotations

import heapq

import numpy as np

from matching.scoring import Scores
from matching.store import LIKENESS_SHARES, UNKNOWN_STAGE, Store
from matching.weights import Weights

_SET_SHARES = np.array(
    [[[LIKENESS_SHARES[name]]] for name in ("sectors", "needs", "offers")], np.float32
)
# Above this many candidates per pool place, the pool's cut is found among a few.
_GROUPS_PER_PLACE = 16


def best(store: Store, scores: Scores, rows: np.ndarray, size: int) -> np.ndarray:
    """Positions (in `rows`) of the best `size` allowed candidates (score >= 0), in order."""
    score = scores.score
    if score.size > size:
        cut = kth_largest(score, size)
        at = np.flatnonzero(score >= max(cut, 0.0))  # with every tie at the cut
    else:
        at = np.flatnonzero(score >= 0)
    order = np.lexsort((store.ids[rows[at]], scores.distance[at], -score[at]))
    return at[order][:size]


def kth_largest(values: np.ndarray, k: int) -> np.floating:
    """The k-th largest of `values` (1 <= k <= values.size), as np.partition finds it,
    without partitioning them all.

    Split the values into groups (column j holds values j, j + g, j + 2g, ...) and take each
    group's largest: the k-th largest of those is a floor (k values reach it), so the k-th
    largest value is among the few values at or above it.
    """
    groups = k * _GROUPS_PER_PLACE
    if values.size < 8 * groups:
        return np.partition(values, values.size - k)[values.size - k]
    depth = values.size // groups
    tops = np.concatenate(
        [values[: depth * groups].reshape(depth, groups).max(axis=0), values[depth * groups :]]
    )
    floor = np.partition(tops, tops.size - k)[tops.size - k]
    above = values[values >= floor]
    if above.size < k:  # NaN in the values: no floor holds
        return np.partition(values, values.size - k)[values.size - k]
    return np.partition(above, above.size - k)[above.size - k]


def diversify(
    w: Weights, store: Store, scores: Scores, rows: np.ndarray, pool: np.ndarray, limit: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pick up to `limit` of the pool, each discounted by its likeness to the ones picked
    before it: positions in `rows`, and the scores shown (never above the last one)."""
    threshold = w.redundancy_threshold
    excess = (likeness(store, rows[pool]).astype(np.float64) - threshold) / (1 - threshold)
    discount = w.diversity * np.minimum(np.maximum(excess, 0.0, out=excess), 1.0, out=excess)
    at, shown = greedy(
        discount, scores.score[pool], scores.distance[pool], store.ids[rows[pool]], limit
    )
    return pool[at], shown


def greedy(
    discount: np.ndarray, base: np.ndarray, distance: np.ndarray, ids: np.ndarray, limit: int
) -> tuple[np.ndarray, np.ndarray]:
    """Greedily pick the best score after discounts (ties: nearer, then lower id), where a
    candidate's discount is the largest `discount[picked, candidate]` of the picks so far
    and its score `base x (1 - discount)`.

    Discounts are zero but for candidates alike enough to a pick, so a heap holds every
    candidate by undiscounted score, and only the ones a pick discounts go back in."""
    scores, near, who = base.tolist(), distance.tolist(), ids.tolist()
    adjusted, worst = list(scores), [0.0] * len(scores)
    heap = list(zip([-s for s in scores], near, who, range(len(scores)), strict=True))
    heapq.heapify(heap)  # a no-op for a pool in order
    picked: list[int] = []
    shown: list[float] = []
    while heap and len(picked) < limit:
        negative, _, _, at = heapq.heappop(heap)
        if negative != -adjusted[at] or worst[at] < 0:  # discounted since, or picked (-1)
            continue
        picked.append(at)
        shown.append(adjusted[at])
        worst[at] = -1.0
        row = discount[at]
        for other in row.nonzero()[0].tolist():
            if row[other] > worst[other] >= 0:
                worst[other] = float(row[other])
                adjusted[other] = scores[other] * (1 - worst[other])
                heapq.heappush(heap, (-adjusted[other], near[other], who[other], other))
    return np.array(picked, dtype=np.int64), np.array(shown)


def likeness(store: Store, rows: np.ndarray) -> np.ndarray:
    """Cosine likeness of these rows' sectors, stage, needs, offers and words, blended by
    `LIKENESS_SHARES`, as the cosine of the blocks' weighted concatenation: bit sets by
    popcount (the three at once), words by a small dense product over the words they use."""
    f32 = np.float32
    if not rows.size:
        return np.zeros((0, 0), f32)
    sets = np.array([store.sectors[rows], store.needs[rows], store.offers[rows]])
    size = np.bitwise_count(sets).astype(f32)
    norm = np.sqrt(size[:, :, None] * size[:, None, :])
    both = np.bitwise_count(sets[:, :, None] & sets[:, None, :]).astype(f32)
    # Counts are whole: a norm is 0 (and then so is `both`) or at least 1.
    cosine = np.divide(both, np.maximum(norm, f32(1), out=norm), out=both)
    cosine *= _SET_SHARES
    total = cosine[0] + cosine[1]
    total += cosine[2]
    stage = store.stage[rows]
    same_stage = (stage[:, None] == stage[None, :]) & (stage != UNKNOWN_STAGE)
    total += LIKENESS_SHARES["stage"] * same_stage
    at, columns, values = store.text.rows(rows)
    used = np.zeros(len(store.text.words_), bool)  # the words these rows use, in word order
    used[columns] = True
    used = used.nonzero()[0]
    column = np.empty(len(store.text.words_), np.intp)
    column[used] = np.arange(used.size)
    words = np.zeros((rows.size, used.size), dtype=f32)
    words[at, column[columns]] = values
    norm = np.sqrt(np.add.reduce(words * words, axis=1))  # np.linalg.norm's own sum
    words /= np.where(norm > 0, norm, 1)[:, None]
    total += LIKENESS_SHARES["text"] * (words @ words.T)
    # A row with no block present is alike to nothing (total 0): 0 / tiny is 0.
    present = store.present[rows]
    scale = np.sqrt(present[:, None] * present[None, :])
    return np.divide(total, np.maximum(scale, f32(1e-30), out=scale), out=total)
