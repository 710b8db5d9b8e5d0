"""Plain-language reasons, worded from the same parts that made the score.

Each reason carries the part's contribution to the score (weight x value) and reasons are
listed strongest first, so the first reason is what mattered most.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from matching.types import Kind, Profile
from matching.vocab import RELATED_SECTORS, SECTOR_PLURALS, SECTORS, STAGES, TOPICS

MAX_REASONS = 5
MAX_TOPICS = 3
# "Other" is not a sector two businesses can have in common.
NO_SECTOR = "other"


@functools.lru_cache(maxsize=4096)
def _topics(slugs: frozenset[str]) -> str:
    """Topic labels in vocabulary order, joined by semicolons (labels hold commas).
    Cached: the same few sets come up in reason after reason."""
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


def _further_along(mentor: Profile, stages: int | None) -> str:
    """Experience as stages, never years: founding dates say little (a 1920s society may
    have restarted last year) and made for "82 years further along"."""
    assert mentor.stage is not None, "mentors are at least growing"
    where = STAGES[mentor.stage].split(",")[0].lower()
    if stages is None:
        return f"{where.capitalize()} (your stage is not on your profile)"
    ahead = "One stage" if stages == 1 else f"{_NUMBER.get(stages, stages)} stages"
    return f"{ahead} further along: {where}"


_NUMBER = {2: "Two", 3: "Three", 4: "Four"}


def explain(
    kind: Kind,
    requester: Profile,
    candidate: Profile,
    contributions: Mapping[str, float],
    *,
    stage_gap: int | None,
    shared_words: list[str],
    distance_km: float,
    near_km: float,
    factor: float = 1.0,
) -> tuple[str, ...]:
    """The reasons for one suggestion, strongest first, only for parts that count; then what
    lowered the score (an unknown stage, a mentor's open introductions, distance)."""
    words = ", ".join(f"“{w}”" for w in shared_words)
    said = {
        "sector": _sector_reason(requester, candidate),
        "description": f"Similar work: both mention {words}" if shared_words else None,
        "distance": _distance(distance_km) if distance_km <= near_km else None,
    }
    gives = requester.needs & candidate.offers
    notes = []
    if kind == "mentor":
        said["coverage"] = f"Offers help with {_topics(gives)}, which you need"
        said["experience"] = _further_along(candidate, stage_gap)
        if candidate.open_introductions and factor < 1:
            n = candidate.open_introductions
            notes.append(
                f"Ranked a little lower: already in {n} open introduction{'s' if n > 1 else ''}"
            )
    else:
        shared = requester.needs & candidate.needs
        said["stage"] = (
            None if stage_gap is None else {0: "Same stage", 1: "Similar stage"}.get(abs(stage_gap))
        )
        said["shared_needs"] = f"Also needs help with {_topics(shared)}" if shared else None
        said["mutual_help"] = _help(gives, candidate.needs & requester.offers)
        if stage_gap is None:
            whose = "Your" if requester.stage is None else "Their"
            notes.append(f"{whose} stage is not known, so stage did not count")
        if distance_km > near_km:
            notes.append(f"Ranked lower for distance: {_distance(distance_km)}")
    return _strongest(said, contributions)[: MAX_REASONS - len(notes)] + tuple(notes)


def why_empty(profile: Profile, kind: Kind, max_distance_km: float | None) -> str:
    """Why a column of suggestions is empty, and what would fill it."""
    wider = " Try a wider distance." if max_distance_km is not None else ""
    if kind == "peer":
        return "No peers found yet." + wider
    if not profile.needs:
        return "Add what you need help with to your profile: mentors are found for needs."
    if profile.stage == "mature":
        return (
            "You are among the most experienced: no one is further along. "
            "Consider offering to mentor."
        )
    if profile.stage is None:
        return "No mentor offers what you need yet. Add your stage to your profile." + wider
    return "No willing mentor further along offers what you need yet." + wider


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
    # strongest first; equal ones in the order said (a stable sort, reversed or not)
    ranked = sorted((p for p, text in said.items() if text), key=contributions.__getitem__,
                    reverse=True)  # fmt: skip
    return tuple(text for part in ranked[:MAX_REASONS] if (text := said[part]))
