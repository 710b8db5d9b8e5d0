"""Every figure the evidence pages show: one function each, pure, over a `Dataset`.

Views, templates, exports and the JSON endpoint only read what these return, so a figure means
the same everywhere and is tested once, on a small hand-built dataset with known answers.
Figures count over the dataset's columns (`Dataset.frame`), by theme: reach, funnel, value,
gaps and network health.
"""

from __future__ import annotations

from directory.evidence.dataset import Dataset
from directory.evidence.figures.common import memoised
from directory.evidence.figures.funnel import (
    FUNNEL_STEPS,
    coordinator_workload,
    expired_unanswered,
    funnel,
    funnel_conversion,
    introductions_per_month,
    median_days_to_acceptance,
    median_days_to_decision,
)
from directory.evidence.figures.gaps import (
    needs_versus_offers,
    needs_without_introduction,
    regional_gaps,
    unconnected_regions,
    unconnected_sectors,
)
from directory.evidence.figures.health import (
    clusters,
    cross_network_introductions,
    gini,
    helping_concentration,
    reciprocal_connections,
    repeat_connections,
)
from directory.evidence.figures.reach import (
    COMPLETENESS_BANDS,
    by_network,
    by_region,
    by_sector,
    by_stage,
    organisations_active,
    organisations_claimed,
    organisations_listed,
    profile_completeness,
    registrations_per_month,
)
from directory.evidence.figures.value import (
    describe,
    differences_made,
    needs_helped,
    shared_stories,
    stages_of,
    value_ladder,
)

__all__ = [
    "COMPLETENESS_BANDS",
    "FUNNEL_STEPS",
    "all_figures",
    "by_network",
    "by_region",
    "by_sector",
    "by_stage",
    "clusters",
    "coordinator_workload",
    "cross_network_introductions",
    "describe",
    "differences_made",
    "expired_unanswered",
    "funnel",
    "funnel_conversion",
    "gini",
    "helping_concentration",
    "introductions_per_month",
    "median_days_to_acceptance",
    "median_days_to_decision",
    "member_panel",
    "needs_helped",
    "needs_versus_offers",
    "needs_without_introduction",
    "organisations_active",
    "organisations_claimed",
    "organisations_listed",
    "profile_completeness",
    "reciprocal_connections",
    "regional_gaps",
    "registrations_per_month",
    "repeat_connections",
    "shared_stories",
    "stages_of",
    "unconnected_regions",
    "unconnected_sectors",
    "value_ladder",
]


def all_figures(ds: Dataset) -> dict:
    """Every figure, by section: what the page, /evidence.json and the exports show."""
    figures = dict(_rows_figures(ds))
    figures["funnel"] = funnel(ds)
    figures["conversion"] = funnel_conversion(ds)
    figures["timing"] = {**figures["timing"], "coordinator_workload": coordinator_workload(ds)}
    return figures


@memoised
def _rows_figures(ds: Dataset) -> dict:
    """The figures that depend on the loaded rows alone (not on suggestion views or the clock)."""
    return {
        "reach": {
            "listed": organisations_listed(ds),
            "claimed": organisations_claimed(ds),
            "active": organisations_active(ds),
            "by_sector": by_sector(ds),
            "by_stage": by_stage(ds),
            "by_region": by_region(ds),
            "by_network": by_network(ds),
            "registrations_per_month": registrations_per_month(ds),
            "profile_completeness": profile_completeness(ds),
        },
        "funnel": None,
        "introductions_per_month": introductions_per_month(ds),
        "conversion": None,
        "timing": {
            "median_days_to_decision": median_days_to_decision(ds),
            "median_days_to_acceptance": median_days_to_acceptance(ds),
            "expired_unanswered": expired_unanswered(ds),
        },
        "value": {
            "ladder": value_ladder(ds),
            "differences": differences_made(ds),
            "needs_helped": needs_helped(ds),
            "stories": shared_stories(ds),
        },
        "gaps": {
            "needs_versus_offers": needs_versus_offers(ds),
            "regional": regional_gaps(ds),
            "unconnected_sectors": unconnected_sectors(ds),
            "unconnected_regions": unconnected_regions(ds),
            "needs_without_introduction": needs_without_introduction(ds),
        },
        "health": {
            "cross_network": cross_network_introductions(ds),
            "helping": helping_concentration(ds),
            "repeat_pairs": repeat_connections(ds),
            "reciprocal_pairs": reciprocal_connections(ds),
            "clusters": clusters(ds),
        },
    }


def member_panel(ds: Dataset) -> dict:
    """The small "your network this year" panel members see."""
    counts = funnel(ds)
    return {
        "organisations": organisations_listed(ds),
        "introductions": counts["accepted"],
        "rated_useful": counts["rated_useful"],
        "changed_practice": next(r["count"] for r in value_ladder(ds) if r["key"] == "applied"),
    }
