"""Gaps: needs nobody offers, places and sectors with no introductions, organisations waiting."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from directory.evidence.columns import TOPIC_CODES, Pairs, member
from directory.evidence.dataset import Dataset
from directory.evidence.figures.common import count
from matching.vocab import REGIONS, SECTORS, TOPICS


def needs_versus_offers(ds: Dataset) -> list[dict]:
    """Per topic: organisations needing it, offering it, and the gap; biggest gap first."""
    f = ds.frame
    needs = TOPIC_CODES.counts(f.listed_needs.value)
    offers = TOPIC_CODES.counts(f.listed_offers.value)
    table = [
        {
            "key": t,
            "label": label,
            "needs": needs[t],
            "offers": offers[t],
            "gap": needs[t] - offers[t],
        }
        for t, label in TOPICS.items()
        if needs[t] or offers[t]
    ]
    return sorted(table, key=lambda r: (-r["gap"], r["label"]))


def _by_region(pairs: Pairs, regions: list[str], region: np.ndarray) -> Counter:
    """Organisations per (topic, region)."""
    keys = pairs.value * len(regions) + region[pairs.row]
    found: list[int] = np.bincount(keys).tolist() if len(keys) else []
    return Counter(
        {
            (TOPIC_CODES.words[key // len(regions)], regions[key % len(regions)]): n
            for key, n in enumerate(found)
            if n
        }
    )


def regional_gaps(ds: Dataset, limit: int = 10) -> list[dict]:
    """Topic and region pairs where many need help and few offer it (needs per offer)."""
    f = ds.frame
    regions, region = np.unique(f.orgs.region.astype(str), return_inverse=True)
    regions, region = regions.tolist(), region.reshape(-1)
    needs = _by_region(f.listed_needs, regions, region)
    offers = _by_region(f.listed_offers, regions, region)
    table: list[dict[str, Any]] = [
        {
            "topic": TOPICS.get(t, t),
            "region": REGIONS.get(r, r),
            "needs": n,
            "offers": offers[t, r],
            "needs_per_offer": round(n / max(offers[t, r], 1), 1),
        }
        for (t, r), n in needs.items()
        if n > offers[t, r]
    ]
    table.sort(key=lambda r: (-r["needs_per_offer"], -r["needs"], r["topic"], r["region"]))
    return table[:limit]


def _unconnected(ds: Dataset, column: str) -> set:
    """Values of a column among listed organisations that no introduction of the period
    reached (on either side, listed or not)."""
    f = ds.frame
    values = getattr(f.orgs, column)
    present = set(values[f.orgs.listed].tolist())
    return present - set(values[f.period_side_rows].tolist())


def unconnected_sectors(ds: Dataset) -> list[str]:
    """Sectors with listed organisations but none in an introduction in the period."""
    return sorted(SECTORS[s] for s in _unconnected(ds, "sector"))


def unconnected_regions(ds: Dataset) -> list[str]:
    return sorted(REGIONS.get(r, r) for r in _unconnected(ds, "region"))


def needs_without_introduction(ds: Dataset) -> int:
    """Listed organisations with needs that have never been in an introduction."""
    f = ds.frame
    orgs, intros = f.orgs, f.intros
    involved = member(orgs.id, np.concatenate((intros.requester, intros.target)))
    return count(orgs.listed & orgs.needs.any_per_row(len(orgs)) & ~involved)
