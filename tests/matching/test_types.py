"""The records that cross the boundary between the app and the engine."""

from __future__ import annotations

import json

import pytest

from matching import Suggestion
from tests.matching.factories import business


def test_suggestion_to_dict_is_json_ready_and_rounded():
    s = Suggestion(
        id=7, name="Hill Shop", slug="hill-shop", kind="peer", score=0.123456,
        distance_km=12.345, reasons=("Both community shops", "12 km away"),
    )  # fmt: skip

    assert json.loads(json.dumps(s.to_dict())) == {
        "id": 7,
        "name": "Hill Shop",
        "slug": "hill-shop",
        "score": 0.123,
        "distance_km": 12.3,
        "reasons": ["Both community shops", "12 km away"],
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sectors": ("bakery",)}, "sector"),
        ({"stage": "retired"}, "stage"),
        ({"needs": frozenset({"money"})}, "topic"),
        ({"latitude": 95.0}, "no such place"),
        ({"open_introductions": -1}, "negative"),
    ],
)
def test_profile_rejects_unknown_slugs_and_impossible_values(fields, message):
    with pytest.raises(ValueError, match=message):
        business(1, **fields)


def test_profile_accepts_lists_and_freezes_them():
    p = business(1, sectors=["shop", "hub", "shop"], needs=["funding"], offers=["legal"])

    assert p.sectors == ("shop", "hub")
    assert p.needs == frozenset({"funding"}) and p.offers == frozenset({"legal"})
    hash(p)
