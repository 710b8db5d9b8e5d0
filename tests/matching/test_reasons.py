"""Every reason a person reads must be true of the two businesses."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from matching import Matcher, Weights
from matching.text import tokens
from matching.vocab import (
    RELATED_SECTORS,
    SECTOR_PLURALS,
    SECTORS,
    STAGE_ORDER,
    STAGES,
    TOPICS,
)
from tests.matching.factories import business, mentor, sample_requesters

TOPIC_BY_LABEL = {label.lower(): slug for slug, label in TOPICS.items()}
SECTOR_BY_PLURAL = {plural: slug for slug, plural in SECTOR_PLURALS.items()}
SECTOR_BY_LABEL = {label: slug for slug, label in SECTORS.items()}


def topics(listed: str) -> tuple[set[str], int]:
    """The topics a reason names, and how many more it says there are."""
    named, more = set(), 0
    for item in listed.split("; "):
        if m := re.fullmatch(r"and (\d+) more", item):
            more = int(m[1])
        else:
            named.add(TOPIC_BY_LABEL[item])
    return named, more


def check(reason: str, kind: str, requester, candidate, distance_km: float) -> None:
    """Fail unless `reason` is one of the known phrasings and true of the data."""
    known = requester.stage is not None and candidate.stage is not None
    gap = STAGE_ORDER[candidate.stage] - STAGE_ORDER[requester.stage] if known else None
    gives = requester.needs & candidate.offers
    takes = candidate.needs & requester.offers

    def names_exactly(listed: str, expected: set[str]) -> None:
        named, more = topics(listed)
        assert named <= expected and len(named) + more == len(expected), reason

    if m := re.fullmatch(r"Both (.+)", reason):
        sector = SECTOR_BY_PLURAL[m[1]]
        assert sector in requester.sectors and sector in candidate.sectors
    elif m := re.fullmatch(r"Related sector: (.+)", reason):
        sector = SECTOR_BY_LABEL[m[1]]
        assert sector in candidate.sectors
        assert any(sector in RELATED_SECTORS[s] for s in requester.sectors)
        assert not set(requester.sectors) & set(candidate.sectors) - {"other"}
    elif m := re.fullmatch(r"Offers help with (.+), which you need", reason):
        names_exactly(m[1], gives)
    elif m := re.fullmatch(r"Needs help with (.+), which you offer", reason):
        assert kind == "peer" and not gives
        names_exactly(m[1], takes)
    elif m := re.fullmatch(r"Can help each other: they offer (.+), and you offer (.+)", reason):
        assert kind == "peer"
        names_exactly(m[1], gives)
        names_exactly(m[2], takes)
    elif m := re.fullmatch(r"Also needs help with (.+)", reason):
        names_exactly(m[1], requester.needs & candidate.needs)
    elif m := re.fullmatch(r"(\d+) km away", reason):
        assert int(m[1]) == round(distance_km) >= 1
    elif reason == "Less than 1 km away":
        assert round(distance_km) == 0
    elif reason == "Same stage":
        assert gap == 0
    elif reason == "Similar stage":
        assert abs(gap) == 1
    elif m := re.fullmatch(r"(One|Two|Three|Four) stages? further along: (.+)", reason):
        assert kind == "mentor"
        assert gap == ["One", "Two", "Three", "Four"].index(m[1]) + 1
        assert STAGES[candidate.stage].lower().startswith(m[2])
    elif m := re.fullmatch(r"(.+) \(your stage is not on your profile\)", reason):
        assert requester.stage is None
        assert STAGES[candidate.stage].startswith(m[1])
    elif m := re.fullmatch(r"Similar work: both mention (.+)", reason):
        words = re.findall(r"“([^”]+)”", m[1])
        assert words and all(
            w in tokens(requester.description) and w in tokens(candidate.description) for w in words
        )
    elif m := re.fullmatch(r"Ranked a little lower: already in (\d+) open introductions?", reason):
        assert kind == "mentor" and candidate.open_introductions == int(m[1]) > 0
    elif m := re.fullmatch(r"Ranked lower for distance: (\d+) km away", reason):
        assert kind == "peer" and int(m[1]) == round(distance_km) and distance_km > 50
    elif m := re.fullmatch(r"(Your|Their) stage is not known, so stage did not count", reason):
        assert kind == "peer"
        assert (requester if m[1] == "Your" else candidate).stage is None
    else:
        raise AssertionError(f"unknown reason {reason!r}")


def test_reasons_are_true_of_the_data_in_a_realistic_directory(fitted, synthetic):
    by_id = {p.id: p for p in synthetic}
    requesters = sample_requesters(synthetic, seed=11, members=60, visitors=20)
    seen = set()

    for requester in requesters:
        for kind in ("peer", "mentor"):
            for s in fitted.suggest(requester, kind):
                assert s.reasons and len(set(s.reasons)) == len(s.reasons)
                for reason in s.reasons:
                    check(reason, kind, requester, by_id[s.id], s.distance_km)
                    seen.add(re.sub(r"\d+|:.*|with .*", "", reason))

    assert len(seen) >= 10  # the directory exercised most phrasings


def test_mentor_reasons_come_strongest_first(requester):
    helper = mentor(2, km=12.3, offers=frozenset({"funding", "legal"}), founded_year=2001)
    weights = Weights(
        mentor_distance=0.3, mentor_sector=0.2, mentor_experience=0.1, mentor_description=0.1
    )
    fitted = Matcher(weights=weights).fit([helper])

    (found,) = fitted.suggest(replace(requester, founded_year=2006), "mentor")

    # distance 0.3 x 0.98 > sector 0.2 x 1 > coverage 0.3 x 1/2 > experience, words 0.1 x 1
    assert found.reasons[:3] == (
        "12 km away",
        "Both community shops",
        "Offers help with grants and fundraising, which you need",
    )
    assert set(found.reasons[3:]) == {
        "Two stages further along: established",  # stages, never years since founding
        "Similar work: both mention “village”, “shop”, “run”",
    }
    assert round(found.distance_km) == 12


@pytest.mark.parametrize(
    ("km", "expected"),
    [
        (0.3, "Less than 1 km away"),
        (40.0, "40 km away"),
        (200.0, "Ranked lower for distance: 200 km away"),
    ],
)
def test_distance_is_a_reason_only_within_the_radius(requester, km, expected):
    fitted = Matcher(radius_km=80.0).fit([business(2, km=km)])

    (found,) = fitted.suggest(requester, "peer")

    distance_reasons = [r for r in found.reasons if "away" in r]
    assert distance_reasons == ([expected] if expected else [])


def test_a_peer_that_can_help_both_ways_says_so(requester):
    two_way = business(2, offers=frozenset({"volunteers"}), needs=frozenset({"legal"}))
    fitted = Matcher().fit([two_way])

    (found,) = fitted.suggest(replace(requester, offers=frozenset({"legal"})), "peer")

    assert (
        "Can help each other: they offer recruiting and managing volunteers, "
        "and you offer legal structure and compliance"
    ) in found.reasons
