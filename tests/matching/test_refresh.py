"""Fitting, refreshing after the directory changes, and who may ask."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sklearn.exceptions import NotFittedError

from matching import Matcher
from tests.matching.factories import business, mentor


@pytest.mark.parametrize(
    "call",
    [
        lambda m, p: m.suggest(p, "peer"),
        lambda m, p: m.update([p]),
        lambda m, p: m.remove([p.id]),
    ],
    ids=["suggest", "update", "remove"],
)
def test_using_a_matcher_before_fit_raises_not_fitted(requester, call):
    with pytest.raises(NotFittedError):
        call(Matcher(), requester)


def test_init_stores_parameters_only():
    matcher = Matcher(radius_km=30.0)

    assert matcher.get_params()["radius_km"] == 30.0
    assert not [name for name in vars(matcher) if name.endswith("_")]


def test_update_adds_a_new_business_to_suggestions(requester, synthetic):
    fitted = Matcher().fit(synthetic[:500])
    newcomer = mentor(99_999, km=1.0, offers=frozenset({"funding", "volunteers"}))
    assert 99_999 not in [s.id for s in fitted.suggest(requester, "mentor")]

    fitted.update([newcomer])

    assert fitted.suggest(requester, "mentor")[0].id == 99_999


def test_update_replaces_an_edited_business_in_place():
    requester = business(1, km=0.0)
    fitted = Matcher().fit([requester, mentor(2), mentor(3, km=30.0)])
    assert [s.id for s in fitted.suggest(requester, "mentor")] == [2, 3]

    fitted.update([mentor(2, willing_to_mentor=False)])  # stopped mentoring
    assert [s.id for s in fitted.suggest(requester, "mentor")] == [3]

    fitted.update([mentor(2, km=1.0, offers=frozenset({"funding", "volunteers"}))])
    assert [s.id for s in fitted.suggest(requester, "mentor")] == [2, 3]
    assert len(fitted) == 3


def test_update_of_open_introductions_changes_the_order():
    requester = business(1, km=0.0)
    fitted = Matcher().fit([mentor(2), mentor(3)])

    fitted.update([mentor(2, open_introductions=4)])

    assert [s.id for s in fitted.suggest(requester, "mentor")] == [3, 2]


def test_remove_forgets_businesses_and_ignores_unknown_ids():
    requester = business(1, km=0.0)
    fitted = Matcher().fit([mentor(2), mentor(3)])

    fitted.remove([2, 404])

    assert [s.id for s in fitted.suggest(requester, "mentor")] == [3]


def test_update_suggests_as_if_the_edited_directory_had_been_encoded_at_once(synthetic):
    edited = [replace(p, stage="mature", willing_to_mentor=True) for p in synthetic[:50]]
    final = edited + synthetic[50:500]
    refreshed = Matcher().fit(synthetic[:400]).update(edited + synthetic[400:500])
    at_once = Matcher().fit(final)
    # The same description length norm, so that the two differ only in how they got there.
    at_once.store_.text.avg_length_ = refreshed.store_.text.avg_length_
    at_once.update(final)

    def seen(matcher, requester, kind):
        return [(s.id, round(s.score, 6), s.reasons) for s in matcher.suggest(requester, kind)]

    for requester in synthetic[::50]:
        for kind in ("peer", "mentor"):
            assert seen(refreshed, requester, kind) == seen(at_once, requester, kind)


def test_a_visitor_without_id_or_owner_gets_suggestions(synthetic, fitted):
    visitor = replace(synthetic[0], id=None, owner_id=None, slug="")

    peers = fitted.suggest(visitor, "peer", limit=5)

    assert len(peers) == 5
    assert synthetic[0].id in [s.id for s in fitted.suggest(visitor, "peer", limit=50)]


def test_the_profile_passed_in_wins_over_the_fitted_copy(synthetic, fitted):
    me = synthetic[0]
    moved = replace(me, stage="exploring", needs=frozenset({"funding"}))

    for s in fitted.suggest(moved, "mentor"):
        assert s.id != me.id


def test_an_empty_directory_suggests_nothing(requester):
    fitted = Matcher().fit([])

    assert fitted.suggest(requester, "peer") == []
    fitted.update([mentor(2)])
    assert [s.id for s in fitted.suggest(requester, "mentor")] == [2]


@pytest.mark.parametrize(
    ("profiles", "message"),
    [
        ([business(None)], "needs an id"),
        ([business(2), business(2)], "unique"),
    ],
)
def test_fit_rejects_profiles_without_unique_ids(profiles, message):
    with pytest.raises(ValueError, match=message):
        Matcher().fit(profiles)


@pytest.mark.parametrize(("args", "message"), [(("friend",), "kind"), (("peer", 0), "limit")])
def test_suggest_rejects_bad_arguments(fitted, requester, args, message):
    with pytest.raises(ValueError, match=message):
        fitted.suggest(requester, *args)
