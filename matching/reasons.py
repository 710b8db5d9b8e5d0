"""Plain-language reasons, worded from the same parts that made the score.

Each reason carries the part's contribution to the score (weight x value) and reasons are
listed strongest first, so the first reason is what mattered most.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from matching.types import Kind, Profile
from matching.vocab import RELATED_SECTORS, SECTOR_PLURALS, SECTORS, TOPICS

MAX_REASONS = 5
MAX_TOPICS = 3
# "Other" is not a sector two businesses can have in common.
NO_SECTOR = "other"


def _topics(slugs: Iterable[str]) -> str:
    """Topic labels in vocabulary order, joined by semicolons (labels hold commas)."""
    labels = [TOPICS[t].lower() for t in TOPICS if t in slugs]
    if len(labels) > MAX_TOPICS:
        labels = [*labels[: MAX_TOPICS - 1], f"and {len(labels) - MAX_TOPICS + 1} more"]
    return "; ".join(labels)


def _distance(km: float) -> str:
    return "Less than 1 km away" if round(km) == 0 else f"{round(km)} km away"


def _sector_reason(requester: Profile, candidate: Profile) -> str | None:
    """The most specific way the sectors meet: a sector in common, else a related one."""
    mine = [s for s in requester.sectors if s != NO_SECTOR]
    for sector in mine:
        if sector in candidate.sectors:
            return f"Both {SECTOR_PLURALS[sector]}"
    for sector in candidate.sectors:
        if any(sector in RELATED_SECTORS[s] for s in mine):
            return f"Related sector: {SECTORS[sector]}"
    return None


def _further_along(requester: Profile, mentor: Profile, stages: int) -> str:
    if requester.founded_year is not None and mentor.founded_year is not None:
        years = requester.founded_year - mentor.founded_year
        if years >= 1:
            return f"{years} year{'s' if years > 1 else ''} further along"
    return "One stage further along" if stages == 1 else f"{stages} stages further along"


def explain(
    kind: Kind,
    requester: Profile,
    candidate: Profile,
    contributions: Mapping[str, float],
    *,
    stage_gap: int,
    text_similarity: float,
    distance_km: float,
    near_km: float,
    text_min: float,
) -> tuple[str, ...]:
    """The reasons for one suggestion, strongest first, only for parts that count."""
    said = {
        "sector": _sector_reason(requester, candidate),
        "description": "Similar work (description)" if text_similarity >= text_min else None,
        "distance": _distance(distance_km) if distance_km <= near_km else None,
    }
    gives = requester.needs & candidate.offers
    if kind == "mentor":
        said["coverage"] = f"Offers help with {_topics(gives)}, which you need"
        said["experience"] = _further_along(requester, candidate, stage_gap)
    else:
        shared = requester.needs & candidate.needs
        said["stage"] = {0: "Same stage", 1: "Similar stage"}.get(abs(stage_gap))
        said["shared_needs"] = f"Also needs help with {_topics(shared)}" if shared else None
        said["mutual_help"] = _help(gives, candidate.needs & requester.offers)
    return _strongest(said, contributions)


def _help(gives: frozenset[str], takes: frozenset[str]) -> str | None:
    if gives and takes:
        return f"Can help each other: they offer {_topics(gives)}, and you offer {_topics(takes)}"
    if gives:
        return f"Offers help with {_topics(gives)}, which you need"
    if takes:
        return f"Needs help with {_topics(takes)}, which you offer"
    return None


def _strongest(
    said: Mapping[str, str | None], contributions: Mapping[str, float]
) -> tuple[str, ...]:
    ranked = sorted((p for p, text in said.items() if text), key=lambda p: -contributions[p])
    return tuple(said[part] for part in ranked[:MAX_REASONS])
