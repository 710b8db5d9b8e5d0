"""Soft preferences: what ranks higher, and in what order ties come."""

from __future__ import annotations

import pytest

from matching import Matcher, Weights
from tests.matching.factories import business, mentor


def _ids(fitted: Matcher, requester, kind: str, **kwargs) -> list[int]:
    return [s.id for s in fitted.suggest(requester, kind, **kwargs)]


def test_peers_within_one_stage_rank_above_peers_further_apart_even_when_closer():
    requester = business(1, km=0.0, stage="growing")
    near_but_far_along = [
        business(10, km=1.0, stage="exploring"),
        business(11, km=1.0, stage="mature"),
    ]
    within_one = [
        business(20, km=30.0, stage="starting", needs=frozenset({"funding"})),
        business(21, km=30.0, stage="growing", needs=frozenset({"staff"})),
        business(22, km=30.0, stage="established", needs=frozenset({"funding"})),
    ]
    fitted = Matcher().fit([requester, *near_but_far_along, *within_one])

    found = fitted.suggest(requester, "peer")

    assert {s.id for s in found[:3]} == {20, 21, 22}
    assert {s.id for s in found[3:]} == {10, 11}
    assert max(s.score for s in found[3:]) < 0.75 * min(s.score for s in found[:3])


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        ({"sectors": ("shop",)}, {"sectors": ("pub",)}),  # same sector over related
        ({"sectors": ("pub",)}, {"sectors": ("energy",)}),  # related over unrelated
        ({"stage": "starting"}, {"stage": "growing"}),  # same stage over one step
        ({"km": 5.0}, {"km": 60.0}),  # closer
        ({"needs": frozenset({"funding", "volunteers"})}, {"needs": frozenset({"funding"})}),
        (  # they can help with a need and the requester with one of theirs
            {"offers": frozenset({"funding"}), "needs": frozenset({"volunteers", "legal"})},
            {"offers": frozenset({"funding"}), "needs": frozenset({"volunteers", "staff"})},
        ),
        (
            {"description": "A village shop run by volunteers selling local produce."},
            {"description": "We install solar panels on school roofs."},
        ),
    ],
    ids=["sector", "related-sector", "stage", "distance", "shared-needs", "mutual", "words"],
)
def test_a_better_peer_on_one_count_ranks_first(better, worse):
    requester = business(1, km=0.0, offers=frozenset({"legal"}))
    fitted = Matcher().fit([business(3, **worse), business(2, **better)])

    assert _ids(fitted, requester, "peer") == [2, 3]


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        ({"offers": frozenset({"funding", "volunteers"})}, {"offers": frozenset({"funding"})}),
        ({"km": 10.0}, {"km": 70.0}),
        ({"sectors": ("shop",)}, {"sectors": ("energy",)}),
        ({"stage": "established"}, {"stage": "growing"}),  # two stages on, not one
        ({"open_introductions": 0}, {"open_introductions": 3}),
    ],
    ids=["coverage", "distance", "sector", "experience", "load"],
)
def test_a_better_mentor_on_one_count_ranks_first(better, worse):
    requester = business(1, km=0.0)
    fitted = Matcher().fit([mentor(3, **worse), mentor(2, **better)])

    assert _ids(fitted, requester, "mentor") == [2, 3]


def test_distance_weighs_more_for_mentors_than_for_peers():
    requester = business(1, km=0.0)
    # Near but only related, versus far but the same sector: peers prefer the sector...
    near_related = {"km": 2.0, "sectors": ("pub",)}
    far_same = {"km": 50.0, "sectors": ("shop",)}
    peers = Matcher().fit([business(2, **near_related), business(3, **far_same)])
    mentors = Matcher().fit([mentor(2, **near_related), mentor(3, **far_same)])

    assert _ids(peers, requester, "peer") == [3, 2]
    assert _ids(mentors, requester, "mentor") == [2, 3]  # ...mentors the meeting


def test_mentor_load_lowers_the_score_smoothly():
    requester = business(1, km=0.0)
    fitted = Matcher().fit([mentor(10 + load, open_introductions=load) for load in range(5)])

    found = fitted.suggest(requester, "mentor", limit=5)

    assert [s.id for s in found] == [10, 11, 12, 13, 14]
    scores = [s.score for s in found]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 5


def test_identical_candidates_come_in_id_order():
    requester = business(1, km=0.0)
    fitted = Matcher().fit([mentor(i, km=7.0) for i in (9, 4, 7, 2)])

    assert _ids(fitted, requester, "mentor") == [2, 4, 7, 9]


def test_equal_scores_come_nearest_first_then_by_id():
    requester = business(1, km=0.0)
    no_distance = Weights(peer_distance=0.0, diversity=0.0)
    fitted = Matcher(weights=no_distance).fit(
        [business(5, km=20.0), business(3, km=20.0), business(4, km=2.0), business(2, km=50.0)]
    )

    found = fitted.suggest(requester, "peer")

    assert len({s.score for s in found}) == 1
    assert [s.id for s in found] == [4, 3, 5, 2]


def _clones_and_alternatives() -> list:
    clones = [
        business(100 + i, km=3.0 + i / 10, needs=frozenset({"funding", "volunteers"}))
        for i in range(10)
    ]
    alternatives = [
        business(
            200 + i,
            km=12.0,
            needs=frozenset({"funding", "premises"}),
            description=text,
        )
        for i, text in enumerate(
            [
                "Community owned village store with a post office counter and cafe.",
                "Our shop stocks groceries, newspapers and bread from the local bakery.",
                "Volunteer-run shop and delivery service for housebound neighbours.",
                "A farm shop and deli selling meat and vegetables from nearby farms.",
                "Shop and community hub in the old chapel, with a weekly market.",
            ]
        )
    ]
    return clones + alternatives


@pytest.mark.parametrize(("diversity", "clones_in_top_5"), [(0.0, range(5, 6)), (0.3, range(1, 5))])
def test_near_clones_do_not_fill_the_top_five_when_good_alternatives_exist(
    diversity, clones_in_top_5
):
    requester = business(1, km=0.0)
    fitted = Matcher(weights=Weights(diversity=diversity)).fit(_clones_and_alternatives())

    found = fitted.suggest(requester, "peer", limit=5)

    clones = sum(100 <= s.id < 200 for s in found)
    assert clones in clones_in_top_5  # without the discount the clones win on score alone
    scores = [s.score for s in found]
    assert scores == sorted(scores, reverse=True)


def test_suggestions_are_deterministic(fitted, synthetic):
    again = Matcher().fit(list(synthetic))
    for requester in synthetic[:20]:
        for kind in ("peer", "mentor"):
            assert fitted.suggest(requester, kind) == again.suggest(requester, kind)
