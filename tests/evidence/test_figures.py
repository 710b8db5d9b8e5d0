"""Every evidence figure on a small hand-built dataset whose answers are worked out by hand.

The dataset: six organisations (one unlisted), seven introductions (one before the period),
four outcome answers (one for the introduction before the period), ten suggestion views.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from directory.evidence import figures as fig
from directory.evidence.dataset import Dataset, Filters, Intro, Org, OutcomeRow
from directory.evidence.ladder import stages_reached


def d(text: str) -> datetime:
    return datetime.fromisoformat(text)


def org(id, name, sector, stage, region, district, created, **extra) -> Org:
    defaults = dict(
        latitude=52.0,
        longitude=-1.0,
        claimed=False,
        listed=True,
        named=False,
        mentor=False,
        completeness=0.5,
    )
    defaults.update(extra)
    return Org(id, name, sector, stage, region, district, created_at=d(created), **defaults)


A, B, C, D, E, F = 1, 2, 3, 4, 5, 6


@pytest.fixture
def ds() -> Dataset:
    orgs = [
        org(A, "Ashby Stores", "shop", "starting", "north-west", "M1", "2025-12-15",
            claimed=True, named=True, completeness=0.3, networks=frozenset({1}),
            needs=frozenset({"funding", "legal"})),
        org(B, "Bolton Shop", "shop", "established", "north-west", "M2", "2026-02-10",
            claimed=True, mentor=True, completeness=0.9, networks=frozenset({1}),
            offers=frozenset({"funding"})),
        org(C, "Crediton Arms", "pub", "mature", "south-west", "EX1", "2026-02-20",
            mentor=True, completeness=0.6, networks=frozenset({2}), offers=frozenset({"legal"})),
        org(D, "Dartmoor Energy", "energy", "growing", "south-west", "EX2", "2026-05-05",
            networks=frozenset({2}), needs=frozenset({"funding"})),
        org(E, "Ealing Hub", "hub", "exploring", "london", "E1", "2026-03-01",
            listed=False, needs=frozenset({"funding"})),
        org(F, "Finchley Library", "library", "growing", "london", "N3", "2025-06-01",
            completeness=0.2, networks=frozenset({2}), needs=frozenset({"marketing"})),
    ]  # fmt: skip
    intros = [
        Intro(6, A, B, 1, "mentor", "completed", d("2025-11-01"), d("2025-11-02"),
              d("2025-11-05"), needs=("funding",)),
        Intro(1, A, B, 1, "mentor", "accepted", d("2026-01-10"), d("2026-01-12"),
              d("2026-01-15"), needs=("funding",)),
        Intro(2, A, C, 1, "mentor", "completed", d("2026-02-01"), d("2026-02-05"),
              d("2026-02-11"), d("2026-03-01"), needs=("legal",)),
        Intro(3, D, C, 2, "mentor", "declined", d("2026-03-01"), closed_at=d("2026-03-04"),
              needs=("funding",)),
        Intro(4, D, B, 2, "peer", "expired", d("2026-04-01"), closed_at=d("2026-04-22")),
        Intro(5, B, A, 1, "peer", "requested", d("2026-05-01")),
        Intro(7, A, B, 1, "mentor", "accepted", d("2026-06-01"), d("2026-06-02"),
              d("2026-06-04"), needs=("funding",)),
    ]  # fmt: skip
    outcomes = [
        OutcomeRow(1, A, True, 5, ("funding",), True, True, ("money",), False,
                   "We raised five thousand pounds.", True, d("2026-02-20")),
        OutcomeRow(1, B, True, 3, (), False, None, (), None, "Private note", False,
                   d("2026-02-21")),
        OutcomeRow(2, C, True, 4, (), True, False, ("time", "people"), True,
                   "Saved weeks of work.", True, d("2026-03-15")),
        OutcomeRow(6, A, True, 5, ("funding",), True, True, (), True, "Old", True,
                   d("2025-12-01")),
    ]  # fmt: skip
    return Dataset(
        filters=Filters(date(2026, 1, 1), date(2026, 6, 30)),
        now=d("2026-07-01T12:00"),
        orgs={o.id: o for o in orgs},
        all_intros=intros,
        outcomes=outcomes,
        views=10,
        networks={1: "North", 2: "South"},
    )


def counts(rows: list[dict], value: str = "count") -> dict:
    return {row["key"]: row[value] for row in rows}


# -- reach -----------------------------------------------------------------------------------


def test_reach_counts_listed_claimed_and_active_organisations(ds):
    assert fig.organisations_listed(ds) == 5
    assert fig.organisations_claimed(ds) == 2
    assert fig.organisations_active(ds) == 4  # A, B, C, D; F never, E unlisted and idle


@pytest.mark.parametrize(
    "figure, expected",
    [
        (fig.by_sector, {"shop": 2, "pub": 1, "energy": 1, "library": 1}),
        (fig.by_stage, {"starting": 1, "established": 1, "mature": 1, "growing": 2}),
        (fig.by_region, {"north-west": 2, "south-west": 2, "london": 1}),
        (fig.by_network, {"1": 2, "2": 3}),
    ],
)
def test_breakdowns_count_listed_organisations_largest_first(ds, figure, expected):
    rows = figure(ds)
    assert counts(rows) == expected
    assert [r["count"] for r in rows] == sorted(expected.values(), reverse=True)


def test_network_breakdown_is_labelled_with_network_names(ds):
    assert {r["label"] for r in fig.by_network(ds)} == {"North", "South"}


def test_registrations_per_month_covers_every_month_of_the_period(ds):
    assert fig.registrations_per_month(ds) == [
        {"month": "2026-01", "count": 0},
        {"month": "2026-02", "count": 2},
        {"month": "2026-03", "count": 1},
        {"month": "2026-04", "count": 0},
        {"month": "2026-05", "count": 1},
        {"month": "2026-06", "count": 0},
    ]


def test_profile_completeness_mean_and_bands(ds):
    assert fig.profile_completeness(ds) == {
        "mean": 0.5,
        "bands": [
            {"label": "Under half", "count": 2},
            {"label": "Half or more", "count": 2},
            {"label": "Four in five", "count": 1},
        ],
    }


# -- funnel ----------------------------------------------------------------------------------


def test_funnel_counts_each_introduction_of_the_period_once_per_step(ds):
    assert fig.funnel(ds) == {
        "suggestions_viewed": 10,
        "requested": 6,
        "approved": 3,
        "accepted": 3,
        "met": 2,
        "outcome_recorded": 2,
        "rated_useful": 2,
    }


def test_conversion_is_each_step_over_the_one_before(ds):
    rates = {s["key"]: s["rate"] for s in fig.funnel_conversion(ds)}
    assert rates == {
        "suggestions_viewed": None,
        "requested": 0.6,
        "approved": 0.5,
        "accepted": 1.0,
        "outcome_recorded": 0.667,
        "met": 1.0,
        "rated_useful": 1.0,
    }


def test_median_days_to_decision_counts_approvals_and_declines(ds):
    assert fig.median_days_to_decision(ds) == 2.5  # 2, 4, 3 (declined), 1


def test_median_days_to_acceptance(ds):
    assert fig.median_days_to_acceptance(ds) == 5.0  # 5, 10, 3


def test_expired_and_coordinator_workload(ds):
    assert fig.expired_unanswered(ds) == 1
    assert fig.coordinator_workload(ds) == {"waiting": 1, "oldest_days": 61}


def test_introductions_per_month(ds):
    rows = {r["month"]: (r["requested"], r["accepted"]) for r in fig.introductions_per_month(ds)}
    assert rows == {
        "2026-01": (1, 1),
        "2026-02": (1, 1),
        "2026-03": (1, 0),
        "2026-04": (1, 0),
        "2026-05": (1, 0),
        "2026-06": (1, 1),
    }


# -- value -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answers, expected",
    [
        ((None, None, None, (), None), []),
        ((3, False, False, (), False), []),
        ((4, None, None, (), None), ["immediate"]),
        ((1, True, None, ("time",), None), ["potential", "realised"]),
        ((5, True, True, ("money",), True), ["immediate", "potential", "applied", "realised",
                                            "reframing"]),
    ],
)  # fmt: skip
def test_stages_reached_follow_the_answers(answers, expected):
    assert stages_reached(*answers) == expected


def test_value_ladder_counts_introductions_not_answers(ds):
    assert counts(fig.value_ladder(ds)) == {
        "immediate": 2,
        "potential": 2,
        "applied": 1,
        "realised": 2,
        "reframing": 1,
    }


def test_differences_made_include_kinds_nobody_reported(ds):
    assert counts(fig.differences_made(ds)) == {"money": 1, "time": 1, "people": 1, "services": 0}


def test_needs_helped_against_needs_asked(ds):
    rows = {r["key"]: (r["asked"], r["helped"]) for r in fig.needs_helped(ds)}
    assert rows == {"funding": (3, 1), "legal": (1, 0)}


def test_shared_stories_only_with_consent_and_names_only_when_agreed(ds):
    stories = fig.shared_stories(ds)
    assert [s["story"] for s in stories] == [
        "Saved weeks of work.",
        "We raised five thousand pounds.",
    ]
    assert stories[0]["who"] == "Community pub (mature, EX1)"
    assert stories[1]["who"] == "Ashby Stores"  # agreed to be named
    assert "Private note" not in str(stories)


# -- gaps ------------------------------------------------------------------------------------


def test_needs_versus_offers_biggest_gap_first(ds):
    rows = fig.needs_versus_offers(ds)
    assert {r["key"]: (r["needs"], r["offers"], r["gap"]) for r in rows} == {
        "funding": (2, 1, 1),
        "marketing": (1, 0, 1),
        "legal": (1, 1, 0),
    }
    assert rows[-1]["key"] == "legal"


def test_regional_gaps_where_needs_outnumber_offers(ds):
    found = [(r["topic"], r["region"], r["needs"], r["offers"]) for r in fig.regional_gaps(ds)]
    assert found == [  # funding in the North West is met by Bolton Shop's offer
        ("Grants and fundraising", "South West", 1, 0),
        ("Legal structure and compliance", "North West", 1, 0),
        ("Marketing and communications", "London", 1, 0),
    ]


def test_unconnected_sectors_and_regions(ds):
    assert fig.unconnected_sectors(ds) == ["Library"]
    assert fig.unconnected_regions(ds) == ["London"]


def test_organisations_with_needs_and_no_introduction(ds):
    assert fig.needs_without_introduction(ds) == 1  # F; E is unlisted


# -- health ----------------------------------------------------------------------------------


def test_cross_network_introductions(ds):
    assert fig.cross_network_introductions(ds) == {"count": 2, "share": 0.333}


def test_helping_concentration(ds):
    assert fig.helping_concentration(ds) == {
        "mentors": 2,
        "mentoring": 3,
        "top10_share": 0.667,
        "gini": 0.167,
    }


@pytest.mark.parametrize(
    "values, expected", [([5, 5], 0.0), ([0, 0, 0, 10], 0.75), ([], None), ([0, 0], None)]
)
def test_gini(values, expected):
    assert fig.gini(values) == expected


def test_repeat_and_reciprocal_connections(ds):
    assert fig.repeat_connections(ds) == 1  # A and B, accepted twice in the period
    assert fig.reciprocal_connections(ds) == 1  # A asked B and B asked A


def test_clusters_and_isolated_organisations(ds):
    assert fig.clusters(ds) == {"sizes": [3], "isolated": 2}  # {A, B, C}; D and F


def test_member_panel(ds):
    assert fig.member_panel(ds) == {
        "organisations": 5,
        "introductions": 3,
        "rated_useful": 2,
        "changed_practice": 1,
    }


def test_all_figures_has_every_section(ds):
    figures = fig.all_figures(ds)
    assert set(figures) == {
        "reach", "funnel", "introductions_per_month", "conversion", "timing", "value", "gaps",
        "health",
    }  # fmt: skip
    assert figures["funnel"]["requested"] == 6


def test_funnel_never_widens_even_when_usefulness_is_rated_without_meeting(ds):
    ds.outcomes.append(OutcomeRow(7, A, False, 5, created_at=d("2026-06-20")))
    counts = fig.funnel(ds)
    assert (counts["outcome_recorded"], counts["met"], counts["rated_useful"]) == (3, 2, 2)
    steps = list(counts.values())[1:]
    assert steps == sorted(steps, reverse=True)
