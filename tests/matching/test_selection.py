"""The fast steps of a suggestion give what the plain ones they replace gave, ties included."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from matching import Matcher, Weights
from matching.ranking import best, greedy, kth_largest
from matching.scoring import PARTS, Candidates, score, sphere_km
from matching.vocab import RELATED_SECTORS
from tests.matching.factories import sample_requesters


def _values(rng: np.random.Generator, size: int, order: str) -> np.ndarray:
    """Scores with many ties (few distinct values) and excluded ones (-1)."""
    values = rng.integers(0, 40, size).astype(np.float32) / np.float32(40)
    values[rng.random(size) < 0.3] = -1.0
    if order == "ascending":  # the best all in the last group: the floor is at its lowest
        values.sort()
    elif order == "continuous":
        values = rng.random(size, dtype=np.float32)
    return values


@pytest.mark.parametrize("order", ["shuffled", "ascending", "continuous"])
@pytest.mark.parametrize(
    ("size", "k"),
    [(1, 1), (7, 5), (50, 10), (50, 50), (6_399, 50), (6_400, 50), (20_000, 1),
     (20_000, 10), (100_003, 50)],
)  # fmt: skip
def test_kth_largest_is_the_kth_of_a_full_sort(order, size, k):
    values = _values(np.random.default_rng(size + k), size, order)

    assert kth_largest(values, k) == np.sort(values)[::-1][k - 1]


def _allowed_order(matcher, scores, rows) -> list[int]:
    """Every allowed candidate by score, then distance, then id: a full sort."""
    ids = matcher.store_.ids[rows]
    order = np.lexsort((ids, scores.distance, -scores.score))
    return [int(at) for at in order if scores.score[at] >= 0]


@pytest.mark.parametrize("kind", ["peer", "mentor"])
@pytest.mark.parametrize("rounded", [False, True], ids=["scores", "tied-scores"])
def test_the_pool_is_the_top_of_a_full_sort(fitted, synthetic, kind, rounded):
    store = fitted.store_
    rows = np.arange(store.size)
    for requester in sample_requesters(synthetic, seed=5, members=15, visitors=5):
        scores = score(fitted._scoring(kind), store, requester, kind, slice(0, store.size))
        scores.score[np.flatnonzero(~fitted._allowed(store, requester, kind))] = -1.0
        if rounded:  # ties at the cut: the nearer, then the lower id, gets in
            np.copyto(scores.score, np.round(scores.score, 1))

        pool = best(store, scores, rows, fitted.pool_size)

        assert pool.tolist() == _allowed_order(fitted, scores, rows)[: fitted.pool_size]


def _plain_greedy(discount, base, distance, ids, limit):
    """The re-rank as first written: rescore every candidate after each pick."""
    worst = np.zeros(base.size)
    taken = np.zeros(base.size, dtype=bool)
    picked, shown = [], []
    for _ in range(min(limit, base.size)):
        adjusted = base * (1 - worst)
        at = np.lexsort((ids, distance, -adjusted, taken))[0]
        picked.append(at)
        shown.append(adjusted[at])
        taken[at] = True
        worst = np.maximum(worst, discount[at])
    return picked, shown


@pytest.mark.parametrize("seed", range(40))
def test_the_diversity_re_rank_picks_as_rescoring_everyone_after_each_pick(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 60))
    base = rng.integers(0, 12, size).astype(np.float32) / np.float32(12)  # ties
    distance = rng.integers(0, 5, size).astype(np.float32)  # ties here too
    ids = rng.permutation(size) + 100
    discount = rng.choice([0.0, 0.0, 0.0, 0.1, 0.3, 0.15], size=(size, size))
    order = np.lexsort((ids, distance, -base))  # the pool comes sorted, but need not
    if seed % 2:
        order = rng.permutation(size)
    base, distance, ids = base[order], distance[order], ids[order]
    discount = discount[np.ix_(order, order)]

    picked, shown = greedy(discount, base, distance, ids, limit=10)

    expected_picked, expected_shown = _plain_greedy(discount, base, distance, ids, 10)
    assert picked.tolist() == expected_picked
    assert shown.tolist() == expected_shown


def test_a_pools_words_gathered_at_once_are_each_rows_words(synthetic):
    matcher = Matcher().fit(synthetic[:200])  # rows for 250
    matcher.update([replace(p, description=p.description + " orchard") for p in synthetic[:5]])
    matcher.remove([synthetic[5].id])
    matcher.update([replace(p, id=90_000 + i) for i, p in enumerate(synthetic[200:280])])
    text = matcher.store_.text
    rows = np.array(random.Random(3).sample(range(matcher.store_.size), 120) + [0, 5, 270])

    at, columns, values = text.rows(rows)

    for i, row in enumerate(rows.tolist()):
        cols, vals = text.row(row)
        mine = at == i
        assert sorted(zip(columns[mine].tolist(), values[mine].tolist(), strict=True)) == list(
            zip(cols.tolist(), vals.tolist(), strict=True)
        )


@pytest.mark.parametrize("kind", ["peer", "mentor"])
def test_scoring_all_rows_or_a_gathered_few_gives_the_same_numbers(fitted, synthetic, kind):
    """Mentors are scored on gathered rows, peers on all of them; reasons read the parts
    of a few: each candidate's numbers must not depend on which others came along."""
    store = fitted.store_
    rows = np.array(random.Random(1).sample(range(store.size), 300))
    scoring = fitted._scoring(kind)
    for requester in sample_requesters(synthetic, seed=9, members=8, visitors=4):
        everyone = score(scoring, store, requester, kind, slice(0, store.size))
        few = score(scoring, store, requester, kind, rows)

        assert np.array_equal(few.score, everyone.score[rows])
        assert np.array_equal(few.distance, everyone.distance[rows])
        for part, terms in few.terms.items():
            assert np.array_equal(terms, everyone.terms[part][rows]), part


@pytest.mark.parametrize(
    ("shared_sector", "related_sector"), [(0.8, 0.5), (0.3, 0.6)], ids=["default", "related-above"]
)
def test_the_sector_part_is_the_most_specific_relation(synthetic, shared_sector, related_sector):
    """The same primary sector counts 1, another shared sector `shared_sector`, a related
    one `related_sector`, whichever weight is the larger."""
    weights = Weights(shared_sector=shared_sector, related_sector=related_sector)
    matcher = Matcher(weights=weights).fit(synthetic[:400])
    store = matcher.store_
    where = slice(0, store.size)
    for requester in synthetic[400:430]:
        them = Candidates(store, requester, where, sphere_km(store, where, requester), None)

        part = PARTS["sector"](matcher._scoring("peer"), them)

        mine = [s for s in requester.sectors if s != "other"]
        for row, value in enumerate(part.tolist()):
            theirs = store.profiles[row].sectors
            related = {r for s in mine for r in RELATED_SECTORS[s]}
            expected = (
                1.0 if mine and mine[0] == requester.sectors[0] == theirs[0]
                else shared_sector if set(mine) & set(theirs)
                else related_sector if related & set(theirs)
                else 0.0
            )  # fmt: skip
            assert value == pytest.approx(expected), (requester.sectors, theirs)


def test_kth_largest_with_nan_falls_back_to_a_full_partition():
    """No NaN should reach it, but if one did, the answer is np.partition's (NaN last)."""
    values = _values(np.random.default_rng(1), 20_000, "continuous")
    values[::997] = np.nan

    for k in (1, 10, 50):
        expected = np.partition(values, values.size - k)[values.size - k]
        assert np.array_equal(kth_largest(values, k), expected, equal_nan=True)


def test_every_business_is_0_km_from_its_own_row(fitted, synthetic):
    """The requester's point is computed apart from the columns (and cached): it must be
    the very same float32 point, or ties by distance would break differently."""
    store = fitted.store_
    for profile in synthetic[::25]:
        row = store.row_of[profile.id]

        assert sphere_km(store, np.array([row]), profile)[0] == 0.0


def test_the_likeness_weight_kept_per_row_follows_edits(synthetic):
    """Each row keeps which of its blocks are not empty (for the diversity likeness):
    after edits that empty or fill them it is what a fresh fit would compute."""
    emptied = [
        replace(p, description="", needs=frozenset(), offers=frozenset(), stage=None)
        for p in synthetic[:20]
    ]
    filled = [replace(p, description="Orchard and cider press") for p in synthetic[20:40]]
    final = emptied + filled + synthetic[40:200]
    matcher = Matcher().fit(synthetic[:200]).update(emptied + filled)
    fresh = Matcher().fit(final)

    def weights(m):
        store = m.store_
        return {p.id: float(store.present[store.row_of[p.id]]) for p in final}

    assert weights(matcher) == weights(fresh)
    assert len(set(weights(fresh).values())) > 2
