"""Hard rules: what must never be suggested, whatever the scores."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matching import Matcher
from matching.reasons import why_empty
from matching.vocab import STAGE_ORDER
from tests.matching.factories import business, mentor, sample_requesters


@pytest.mark.parametrize("kind", ["peer", "mentor"])
def test_never_suggests_the_business_itself_or_one_of_its_owner(requester, kind):
    own = mentor(2, owner_id=requester.owner_id)  # the same person's other business
    fitted = Matcher().fit([requester, own, mentor(3)])

    ids = [s.id for s in fitted.suggest(requester, kind)]

    assert ids == [3]


@pytest.mark.parametrize(
    ("requester_stage", "fields"),
    [
        ("starting", {"willing_to_mentor": False}),
        ("starting", {"stage": "starting"}),  # not further along
        ("growing", {"stage": "starting"}),  # behind
        ("exploring", {"stage": "starting"}),  # further along, but not yet growing
        ("starting", {"offers": frozenset({"marketing", "staff"})}),  # nothing that is needed
        ("starting", {"offers": frozenset()}),
        ("starting", {"accepting_requests": False}),  # paused
        ("starting", {"mentor_capacity": 2, "open_introductions": 2}),  # at capacity
        ("starting", {"mentor_capacity": 2, "open_introductions": 5}),  # over capacity
        ("starting", {"mentor_capacity": 0}),
    ],
    ids=[
        "unwilling",
        "same-stage",
        "behind",
        "below-growing",
        "offers-other-topics",
        "offers-nothing",
        "paused",
        "at-capacity",
        "over-capacity",
        "zero-capacity",
    ],
)
def test_never_suggests_a_mentor_who_cannot_help(requester_stage, fields):
    requester = business(1, km=0.0, stage=requester_stage)
    # The ineligible one is otherwise the better match: nearer and more helpful.
    wrong = mentor(2, km=1.0, **({"offers": frozenset({"funding", "volunteers"})} | fields))
    fitted = Matcher().fit([requester, wrong, mentor(3, km=40.0)])

    ids = [s.id for s in fitted.suggest(requester, "mentor")]

    assert ids == [3]


def test_a_mentor_under_capacity_or_without_a_limit_is_suggested(requester):
    fitted = Matcher().fit(
        [mentor(2, mentor_capacity=3, open_introductions=2), mentor(3, mentor_capacity=None)]
    )

    assert {s.id for s in fitted.suggest(requester, "mentor")} == {2, 3}


def test_no_needs_means_no_mentors(requester):
    fitted = Matcher().fit([mentor(2)])

    assert fitted.suggest(replace(requester, needs=frozenset()), "mentor") == []


def test_hard_rules_hold_for_every_suggestion_in_a_realistic_directory(fitted, synthetic):
    by_id = {p.id: p for p in synthetic}
    requesters = sample_requesters(synthetic, seed=3, members=40, visitors=20)

    for requester in requesters:
        for kind in ("peer", "mentor"):
            for s in fitted.suggest(requester, kind, limit=10):
                candidate = by_id[s.id]
                assert candidate.id != requester.id
                assert requester.owner_id is None or candidate.owner_id != requester.owner_id
                assert 0.0 <= s.score <= 1.0
                if kind == "mentor":
                    assert candidate.willing_to_mentor and candidate.accepting_requests
                    assert STAGE_ORDER[candidate.stage] > STAGE_ORDER[requester.stage]
                    assert STAGE_ORDER[candidate.stage] >= STAGE_ORDER["growing"]
                    assert candidate.offers & requester.needs
                    capacity = candidate.mentor_capacity
                    assert capacity is None or candidate.open_introductions < capacity


@pytest.mark.parametrize("limit_km", [5.0, 25.0, 80.0])
def test_max_distance_is_a_hard_limit_on_the_geodesic_distance(fitted, synthetic, limit_km):
    for requester in synthetic[:30]:
        for kind in ("peer", "mentor"):
            found = fitted.suggest(requester, kind, max_distance_km=limit_km)
            assert all(s.distance_km <= limit_km for s in found)


def test_never_suggests_a_paused_business_as_a_peer(requester):
    paused = business(2, km=1.0, accepting_requests=False)
    fitted = Matcher().fit([requester, paused, business(3, km=30.0)])

    assert [s.id for s in fitted.suggest(requester, "peer")] == [3]


# -- unknown stage (organisations imported from open data) ---------------------------------


def test_an_unknown_stage_is_never_guessed_for_peers():
    requester = business(1, km=0.0, stage=None)
    alone = [Matcher().fit([business(2, stage=s)]).suggest(requester, "peer")[0] for s in
             ("exploring", "mature", None)]  # fmt: skip

    assert len({s.score for s in alone}) == 1  # stage counted for none of them
    for s in alone:
        assert "Your stage is not known, so stage did not count" in s.reasons
        assert not {"Same stage", "Similar stage"} & set(s.reasons)


def test_a_candidate_of_unknown_stage_is_not_taken_for_a_mentor():
    requester = business(1, km=0.0, stage="starting")
    fitted = Matcher().fit([mentor(2, stage=None), mentor(3)])

    assert [s.id for s in fitted.suggest(requester, "mentor")] == [3]
    (peer,) = [s for s in fitted.suggest(requester, "peer") if s.id == 2]
    assert "Their stage is not known, so stage did not count" in peer.reasons


def test_a_requester_of_unknown_stage_gets_mentors_from_growing_on_and_is_told_why():
    requester = business(1, km=0.0, stage=None)
    fitted = Matcher().fit([mentor(2, stage="growing"), mentor(3, stage="starting")])

    (found,) = fitted.suggest(requester, "mentor")

    assert found.id == 2
    assert "Growing (your stage is not on your profile)" in found.reasons


@pytest.mark.parametrize(
    ("fields", "max_km", "expected"),
    [
        ({"needs": frozenset()}, None, "Add what you need help with"),
        ({"stage": "mature"}, None, "You are among the most experienced"),
        ({"stage": None}, 10.0, "Add your stage"),
        ({}, 10.0, "Try a wider distance"),
    ],
)
def test_an_empty_mentor_column_is_explained(fields, max_km, expected):
    requester = business(1, km=0.0, **fields)

    assert Matcher().fit([business(2)]).suggest(requester, "mentor", max_distance_km=max_km) == []
    assert expected in why_empty(requester, "mentor", max_km)


def test_peers_beyond_the_soft_limit_sink_below_a_weaker_near_one():
    requester = business(1, km=0.0)
    far_twin = business(2, km=150.0)  # same sector, stage, needs and words
    near_other = business(3, km=1.0, sectors=("pub",), needs=frozenset(), description="")

    found = Matcher().fit([far_twin, near_other]).suggest(requester, "peer")

    assert [s.id for s in found] == [3, 2]
    assert "Ranked lower for distance: 150 km away" in found[1].reasons
