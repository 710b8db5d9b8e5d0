"""Reach: who is in the directory, how complete their profiles are, who is taking part."""

from __future__ import annotations

from collections import Counter

import numpy as np

from directory.evidence.dataset import Dataset
from directory.evidence.figures.common import count, months, per_month, period, rows
from matching.vocab import REGIONS, SECTORS, STAGES


def organisations_listed(ds: Dataset) -> int:
    return count(ds.frame.orgs.listed)


def organisations_claimed(ds: Dataset) -> int:
    """Listed organisations someone has an account for (most are imported without one)."""
    orgs = ds.frame.orgs
    return count(orgs.listed & orgs.claimed)


def organisations_active(ds: Dataset) -> int:
    """Organisations in scope on either side of an introduction requested in the period."""
    return len(ds.frame.period_side_rows)


def _listed(ds: Dataset, column: str) -> Counter:
    orgs = ds.frame.orgs
    return Counter(getattr(orgs, column)[orgs.listed].tolist())


def by_sector(ds: Dataset) -> list[dict]:
    return rows(_listed(ds, "sector"), SECTORS)


def by_stage(ds: Dataset) -> list[dict]:
    return rows(_listed(ds, "stage"), STAGES)


def by_region(ds: Dataset) -> list[dict]:
    return rows(_listed(ds, "region"), REGIONS)


def by_network(ds: Dataset) -> list[dict]:
    orgs = ds.frame.orgs
    memberships = orgs.networks.value[orgs.listed[orgs.networks.row]]
    counts = Counter(str(n) for n in memberships.tolist())
    return rows(counts, {str(k): v for k, v in ds.networks.items()})


def registrations_per_month(ds: Dataset) -> list[dict]:
    """New organisations per calendar month of the period, months with none included."""
    created = ds.frame.orgs.created
    start, end = period(ds)
    counts = per_month(created[(created >= start) & (created < end)])
    return [
        {"month": m, "count": counts.get(m, 0)} for m in months(ds.filters.start, ds.filters.end)
    ]


COMPLETENESS_BANDS = (("Under half", 0.0), ("Half or more", 0.5), ("Four in five", 0.8))


def profile_completeness(ds: Dataset) -> dict:
    """Mean share of profile fields filled in, and how many profiles fall in each band."""
    orgs = ds.frame.orgs
    values = orgs.completeness[orgs.listed]
    floors = [floor for _, floor in COMPLETENESS_BANDS]
    band = np.searchsorted(floors, values, side="right") - 1  # the highest floor reached
    bands = np.bincount(band, minlength=len(floors)).tolist()
    return {
        "mean": round(sum(values.tolist()) / len(values), 3) if len(values) else None,
        "bands": [
            {"label": name, "count": n}
            for (name, _), n in zip(COMPLETENESS_BANDS, bands, strict=True)
        ],
    }
