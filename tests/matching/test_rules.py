"""Hard rules: what must never be suggested, whatever the scores."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matching import Matcher
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
