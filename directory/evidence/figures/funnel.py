"""The funnel: from suggestions seen to introductions rated useful, and how long each step took.

Counts of introductions are of those requested in the period (a cohort), with their outcomes.
"""

from __future__ import annotations

import math

import numpy as np

from directory.evidence.columns import member
from directory.evidence.dataset import Dataset
from directory.evidence.figures.common import (
    NAT,
    count,
    median_days,
    memoised,
    months,
    per_month,
    rate,
)
from directory.evidence.ladder import USEFUL_MIN
from directory.introductions import states as st

FUNNEL_STEPS = {
    "suggestions_viewed": "Suggestions viewed",
    "requested": "Introductions requested",
    "approved": "Approved by a coordinator",
    "accepted": "Accepted by the other side",
    "outcome_recorded": "Outcome recorded",
    "met": "Met",
    "rated_useful": f"Met and rated useful ({USEFUL_MIN} or 5 out of 5)",
}


def funnel(ds: Dataset) -> dict[str, int]:
    """How far the period's introductions got; an introduction counts once per step. "Met" and
    "rated useful" come from outcome answers, so each step is within the one before."""
    return {"suggestions_viewed": ds.views, **_introduction_steps(ds)}


@memoised
def _introduction_steps(ds: Dataset) -> dict[str, int]:
    f = ds.frame
    requested = f.intros.id[f.period]
    answered = f.answers.introduction

    def reached(answers: np.ndarray) -> int:
        """Introductions of the period with at least one of these answers."""
        return count(member(requested, answered[answers]))

    met = f.met
    return {
        "requested": len(requested),
        "approved": count(f.period & ~np.isnat(f.intros.approved)),
        "accepted": count(f.accepted),
        "outcome_recorded": reached(np.ones(len(answered), dtype=bool)),
        "met": reached(met),
        "rated_useful": reached(met & (f.usefulness >= USEFUL_MIN)),
    }


def funnel_conversion(ds: Dataset) -> list[dict]:
    """Each step as a share of the one before (the first step has none)."""
    counts = funnel(ds)
    steps, previous = [], None
    for key, label in FUNNEL_STEPS.items():
        share: float | None = None if previous is None else rate(counts[key], counts[previous])
        steps.append({"key": key, "label": label, "count": counts[key], "rate": share})
        previous = key
    return steps


def introductions_per_month(ds: Dataset) -> list[dict]:
    """Introductions requested, and accepted, per calendar month of the period."""
    f = ds.frame
    requested = per_month(f.intros.requested[f.period])
    accepted = per_month(f.intros.requested[f.accepted])
    return [
        {"month": m, "requested": requested.get(m, 0), "accepted": accepted.get(m, 0)}
        for m in months(ds.filters.start, ds.filters.end)
    ]


def median_days_to_decision(ds: Dataset) -> float | None:
    """From request to a coordinator's approval or decline."""
    f = ds.frame
    intros = f.intros
    declined = np.where(intros.state == st.DECLINED, intros.closed, NAT)
    decided = np.where(np.isnat(intros.approved), declined, intros.approved)
    chosen = f.period & ~np.isnat(decided)
    return median_days(decided[chosen], intros.requested[chosen])


def median_days_to_acceptance(ds: Dataset) -> float | None:
    f = ds.frame
    return median_days(f.intros.accepted[f.accepted], f.intros.requested[f.accepted])


def expired_unanswered(ds: Dataset) -> int:
    f = ds.frame
    return count(f.period & (f.intros.state == st.EXPIRED))


def coordinator_workload(ds: Dataset) -> dict:
    """Requests waiting for a coordinator now, whenever they were made, and the oldest's age."""
    waiting, oldest = _waiting(ds)
    return {
        "waiting": waiting,
        "oldest_days": None
        if oldest is None
        else math.floor((ds.now - oldest).total_seconds() / 86400),
    }


@memoised
def _waiting(ds: Dataset):
    intros = ds.frame.intros
    waiting = intros.requested[intros.state == st.REQUESTED]
    return len(waiting), (waiting.min().item() if len(waiting) else None)
