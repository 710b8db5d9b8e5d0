"""Every figure the evidence pages show: one function each, pure, over a `Dataset`.

Views, templates, exports and the JSON endpoint only read what these return, so a figure means
the same everywhere and is tested once, on a small hand-built dataset with known answers.
Counts of introductions are of those requested in the period (a cohort), with their outcomes.
"""

from __future__ import annotations

import functools
import math
from collections import Counter, defaultdict
from datetime import date, datetime
from statistics import median
from typing import Any

from directory.evidence.dataset import Dataset, Intro
from directory.evidence.ladder import DIFFERENCE_KINDS, LADDER, USEFUL_MIN, stages_reached
from directory.introductions import states as st
from matching.vocab import REGIONS, SECTORS, STAGES, TOPICS

# -- helpers ---------------------------------------------------------------------------------


def _memoised(fn):
    """Compute once per loaded dataset: the rows behind it do not change while it is cached."""

    @functools.wraps(fn)
    def wrapper(ds: Dataset):
        if fn.__name__ not in ds.memo:
            ds.memo[fn.__name__] = fn(ds)
        return ds.memo[fn.__name__]

    return wrapper


def _rows(counts: Counter, labels: dict[str, str], keep_zero: bool = False) -> list[dict]:
    """Counts as rows for tables, charts and exports: largest first, then by label."""
    keys = labels if keep_zero else [k for k in labels if counts.get(k)]
    extra = [k for k in counts if k not in labels]
    rows = [{"key": k, "label": labels.get(k, k), "count": counts.get(k, 0)} for k in keys]
    rows += [{"key": k, "label": str(k), "count": counts[k]} for k in extra]
    return sorted(rows, key=lambda r: (-r["count"], r["label"]))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _months(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _days(later, earlier) -> float:
    return (later - earlier).total_seconds() / 86400


def _pair(intro: Intro) -> tuple[int, int]:
    low, high = sorted((intro.requester_id, intro.target_id))
    return low, high


def _outcomes_by_intro(ds: Dataset) -> dict[int, list]:
    grouped = defaultdict(list)
    for outcome in ds.outcomes:
        grouped[outcome.introduction_id].append(outcome)
    return grouped


# -- reach -----------------------------------------------------------------------------------


def organisations_listed(ds: Dataset) -> int:
    return sum(1 for org in ds.orgs.values() if org.listed)


def organisations_claimed(ds: Dataset) -> int:
    """Listed organisations someone has an account for (most are imported without one)."""
    return sum(1 for org in ds.orgs.values() if org.listed and org.claimed)


def organisations_active(ds: Dataset) -> int:
    """Organisations in scope on either side of an introduction requested in the period."""
    sides = {i.requester_id for i in ds.intros} | {i.target_id for i in ds.intros}
    return len(sides & ds.orgs.keys())


def by_sector(ds: Dataset) -> list[dict]:
    return _rows(Counter(o.sector for o in ds.orgs.values() if o.listed), SECTORS)


def by_stage(ds: Dataset) -> list[dict]:
    return _rows(Counter(o.stage for o in ds.orgs.values() if o.listed), STAGES)


def by_region(ds: Dataset) -> list[dict]:
    return _rows(Counter(o.region for o in ds.orgs.values() if o.listed), REGIONS)


def by_network(ds: Dataset) -> list[dict]:
    counts = Counter(n for o in ds.orgs.values() if o.listed for n in o.networks)
    labels = {str(k): v for k, v in ds.networks.items()}
    return _rows(Counter({str(k): v for k, v in counts.items()}), labels)


def registrations_per_month(ds: Dataset) -> list[dict]:
    """New organisations per calendar month of the period, months with none included."""
    counts = Counter(
        o.created_at.strftime("%Y-%m")
        for o in ds.orgs.values()
        if ds.filters.in_period(o.created_at)
    )
    return [
        {"month": m, "count": counts.get(m, 0)} for m in _months(ds.filters.start, ds.filters.end)
    ]


def introductions_per_month(ds: Dataset) -> list[dict]:
    """Introductions requested, and accepted, per calendar month of the period."""
    requested = Counter(i.created_at.strftime("%Y-%m") for i in ds.intros)
    accepted = Counter(i.created_at.strftime("%Y-%m") for i in ds.intros if i.accepted_at)
    return [
        {"month": m, "requested": requested.get(m, 0), "accepted": accepted.get(m, 0)}
        for m in _months(ds.filters.start, ds.filters.end)
    ]


COMPLETENESS_BANDS = (("Under half", 0.0), ("Half or more", 0.5), ("Four in five", 0.8))


def profile_completeness(ds: Dataset) -> dict:
    """Mean share of profile fields filled in, and how many profiles fall in each band."""
    values = [o.completeness for o in ds.orgs.values() if o.listed]
    bands: Counter[str] = Counter()
    for value in values:
        label = [name for name, floor in COMPLETENESS_BANDS if value >= floor][-1]
        bands[label] += 1
    return {
        "mean": round(sum(values) / len(values), 3) if values else None,
        "bands": [{"label": name, "count": bands.get(name, 0)} for name, _ in COMPLETENESS_BANDS],
    }


# -- the funnel ------------------------------------------------------------------------------

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


@_memoised
def _introduction_steps(ds: Dataset) -> dict[str, int]:
    outcomes = _outcomes_by_intro(ds)
    return {
        "requested": len(ds.intros),
        "approved": sum(1 for i in ds.intros if i.approved_at is not None),
        "accepted": sum(1 for i in ds.intros if i.accepted_at is not None),
        "outcome_recorded": sum(1 for i in ds.intros if i.id in outcomes),
        "met": sum(1 for i in ds.intros if any(o.met for o in outcomes.get(i.id, ()))),
        "rated_useful": sum(
            1
            for i in ds.intros
            if any(o.met and (o.usefulness or 0) >= USEFUL_MIN for o in outcomes.get(i.id, ()))
        ),
    }


def funnel_conversion(ds: Dataset) -> list[dict]:
    """Each step as a share of the one before (the first step has none)."""
    counts = funnel(ds)
    steps, previous = [], None
    for key, label in FUNNEL_STEPS.items():
        rate: float | None = None if previous is None else _rate(counts[key], counts[previous])
        steps.append({"key": key, "label": label, "count": counts[key], "rate": rate})
        previous = key
    return steps


def median_days_to_decision(ds: Dataset) -> float | None:
    """From request to a coordinator's approval or decline."""
    days = []
    for i in ds.intros:
        decided = i.approved_at or (i.closed_at if i.state == st.DECLINED else None)
        if decided is not None:
            days.append(_days(decided, i.created_at))
    return round(median(days), 1) if days else None


def median_days_to_acceptance(ds: Dataset) -> float | None:
    days = [_days(i.accepted_at, i.created_at) for i in ds.intros if i.accepted_at]
    return round(median(days), 1) if days else None


def expired_unanswered(ds: Dataset) -> int:
    return sum(1 for i in ds.intros if i.state == st.EXPIRED)


def coordinator_workload(ds: Dataset) -> dict:
    """Requests waiting for a coordinator now, whenever they were made, and the oldest's age."""
    waiting, oldest = _waiting(ds)
    return {
        "waiting": waiting,
        "oldest_days": None if oldest is None else math.floor(_days(ds.now, oldest)),
    }


@_memoised
def _waiting(ds: Dataset) -> tuple[int, datetime | None]:
    waiting = [i.created_at for i in ds.all_intros if i.state == st.REQUESTED]
    return len(waiting), min(waiting, default=None)


# -- value -----------------------------------------------------------------------------------


def stages_of(outcome) -> list[str]:
    return stages_reached(
        outcome.usefulness,
        outcome.learned,
        outcome.applied,
        outcome.difference_kinds,
        outcome.reframed,
    )


def value_ladder(ds: Dataset) -> list[dict]:
    """Introductions reaching each value-creation cycle, by what either side answered."""
    reached = defaultdict(set)
    for outcome in ds.outcomes:
        for stage in stages_of(outcome):
            reached[stage].add(outcome.introduction_id)
    return [
        {
            "key": key,
            "label": label.split(":")[0],
            "description": label,
            "count": len(reached[key]),
        }
        for key, label in LADDER.items()
    ]


def differences_made(ds: Dataset) -> list[dict]:
    """Introductions that made each kind of realised difference."""
    reached = defaultdict(set)
    for outcome in ds.outcomes:
        for kind in outcome.difference_kinds:
            reached[kind].add(outcome.introduction_id)
    counts = Counter({k: len(v) for k, v in reached.items()})
    return _rows(counts, DIFFERENCE_KINDS, keep_zero=True)


def needs_helped(ds: Dataset) -> list[dict]:
    """Per need that motivated requests: how many asked about it, how many said it helped."""
    asked = Counter(t for i in ds.intros for t in set(i.needs))
    helped_sets = defaultdict(set)
    for outcome in ds.outcomes:
        for topic in outcome.helped_needs:
            helped_sets[topic].add(outcome.introduction_id)
    rows = [
        {
            "key": t,
            "label": TOPICS.get(t, t),
            "asked": asked[t],
            "helped": len(helped_sets[t]),
        }
        for t in asked
    ]
    return sorted(rows, key=lambda r: (-r["asked"], r["label"]))


def describe(org) -> str:
    """How evidence names an organisation: by name only with its consent."""
    if org is None:
        return "An organisation"
    if org.named:
        return org.name
    where = org.district or REGIONS.get(org.region, org.region)
    return f"{SECTORS.get(org.sector, org.sector)} ({org.stage}, {where})"


def shared_stories(ds: Dataset) -> list[dict]:
    """Stories their authors agreed to share, newest first, with the stages they reached."""
    stories = [
        {
            "who": describe(None if o.business_id is None else ds.orgs.get(o.business_id)),
            "story": o.story,
            "stages": [LADDER[s].split(":")[0] for s in stages_of(o)],
            "date": o.created_at.date().isoformat() if o.created_at else "",
        }
        for o in ds.outcomes
        if o.share_story and o.story
    ]
    return sorted(stories, key=lambda s: s["date"], reverse=True)


# -- gaps ------------------------------------------------------------------------------------


def needs_versus_offers(ds: Dataset) -> list[dict]:
    """Per topic: organisations needing it, offering it, and the gap; biggest gap first."""
    needs = Counter(t for o in ds.orgs.values() if o.listed for t in o.needs)
    offers = Counter(t for o in ds.orgs.values() if o.listed for t in o.offers)
    rows = [
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
    return sorted(rows, key=lambda r: (-r["gap"], r["label"]))


def regional_gaps(ds: Dataset, limit: int = 10) -> list[dict]:
    """Topic and region pairs where many need help and few offer it (needs per offer)."""
    needs: Counter[tuple[str, str]] = Counter()
    offers: Counter[tuple[str, str]] = Counter()
    for o in ds.orgs.values():
        if o.listed:
            needs.update((t, o.region) for t in o.needs)
            offers.update((t, o.region) for t in o.offers)
    rows: list[dict[str, Any]] = [
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
    rows.sort(key=lambda r: (-r["needs_per_offer"], -r["needs"], r["topic"], r["region"]))
    return rows[:limit]


def unconnected_sectors(ds: Dataset) -> list[str]:
    """Sectors with listed organisations but none in an introduction in the period."""
    present = {o.sector for o in ds.orgs.values() if o.listed}
    connected = {
        ds.orgs[side].sector
        for i in ds.intros
        for side in (i.requester_id, i.target_id)
        if side in ds.orgs
    }
    return sorted(SECTORS[s] for s in present - connected)


def unconnected_regions(ds: Dataset) -> list[str]:
    present = {o.region for o in ds.orgs.values() if o.listed}
    connected = {
        ds.orgs[side].region
        for i in ds.intros
        for side in (i.requester_id, i.target_id)
        if side in ds.orgs
    }
    return sorted(REGIONS.get(r, r) for r in present - connected)


def needs_without_introduction(ds: Dataset) -> int:
    """Listed organisations with needs that have never been in an introduction."""
    involved = {i.requester_id for i in ds.all_intros} | {i.target_id for i in ds.all_intros}
    return sum(1 for o in ds.orgs.values() if o.listed and o.needs and o.id not in involved)


# -- network health --------------------------------------------------------------------------


def cross_network_introductions(ds: Dataset) -> dict:
    """Introductions between members of peer networks who share none of them (organisations
    in no network are left out: their introductions cross nothing)."""
    known = [
        i
        for i in ds.intros
        if i.requester_id in ds.orgs
        and i.target_id in ds.orgs
        and ds.orgs[i.requester_id].networks
        and ds.orgs[i.target_id].networks
    ]
    crossing = sum(
        1 for i in known if not ds.orgs[i.requester_id].networks & ds.orgs[i.target_id].networks
    )
    return {"count": crossing, "share": _rate(crossing, len(known))}


def gini(values: list[int]) -> float | None:
    """0 when everyone does the same share, towards 1 when one does everything."""
    values = sorted(values)
    n, total = len(values), sum(values)
    if n == 0 or total == 0:
        return None
    weighted = sum((rank + 1) * v for rank, v in enumerate(values))
    return round((2 * weighted) / (n * total) - (n + 1) / n, 3)


def helping_concentration(ds: Dataset) -> dict:
    """Accepted mentor introductions per willing mentor: the top 10%'s share, and a Gini."""
    done = Counter(
        i.target_id for i in ds.intros if i.kind == "mentor" and i.accepted_at is not None
    )
    mentors = {o.id for o in ds.orgs.values() if o.mentor} | set(done)
    counts = sorted((done.get(m, 0) for m in mentors), reverse=True)
    total = sum(counts)
    top = math.ceil(len(counts) / 10)
    return {
        "mentors": len(counts),
        "mentoring": total,
        "top10_share": _rate(sum(counts[:top]), total),
        "gini": gini(counts),
    }


def repeat_connections(ds: Dataset) -> int:
    """Pairs of organisations introduced and accepted more than once."""
    pairs = Counter(_pair(i) for i in ds.intros if i.accepted_at is not None)
    return sum(1 for n in pairs.values() if n > 1)


def reciprocal_connections(ds: Dataset) -> int:
    """Pairs where each side has asked to meet the other."""
    asked = {(i.requester_id, i.target_id) for i in ds.intros}
    return sum(1 for a, b in asked if a < b and (b, a) in asked)


def clusters(ds: Dataset) -> dict:
    """Connected groups of organisations through accepted introductions (period), and how many
    listed organisations have no connection at all."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i in ds.intros:
        if i.accepted_at is not None:
            parent[find(i.requester_id)] = find(i.target_id)
    sizes = Counter(find(x) for x in list(parent))
    connected = set(parent)
    return {
        "sizes": sorted(sizes.values(), reverse=True),
        "isolated": sum(1 for o in ds.orgs.values() if o.listed and o.id not in connected),
    }


# -- all together ----------------------------------------------------------------------------


def all_figures(ds: Dataset) -> dict:
    """Every figure, by section: what the page, /evidence.json and the exports show."""
    figures = dict(_rows_figures(ds))
    figures["funnel"] = funnel(ds)
    figures["conversion"] = funnel_conversion(ds)
    figures["timing"] = {**figures["timing"], "coordinator_workload": coordinator_workload(ds)}
    return figures


@_memoised
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
