"""The plain records the engine takes and returns: no ORM rows, no Flask objects."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from matching.vocab import SECTORS, STAGES, TOPICS

Kind = Literal["peer", "mentor"]
KINDS: tuple[Kind, ...] = ("peer", "mentor")


@dataclass(frozen=True)
class Profile:
    """One business as the matcher sees it.

    Slugs are checked against `matching.vocab` here, once, so that a typo in the app fails
    loudly instead of silently never matching. Lists and sets are accepted and frozen.
    """

    id: int | None
    name: str
    slug: str
    sectors: tuple[str, ...]  # primary first
    stage: str | None  # None: not known (imported from open data), never guessed
    latitude: float
    longitude: float
    needs: frozenset[str] = field(default_factory=frozenset)
    offers: frozenset[str] = field(default_factory=frozenset)
    description: str = ""
    willing_to_mentor: bool = False
    owner_id: int | None = None
    town: str = ""
    founded_year: int | None = None
    open_introductions: int = 0  # current active introductions (mentor load)
    mentor_capacity: int | None = None  # most open introductions a mentor takes; None = no limit
    accepting_requests: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "sectors", tuple(dict.fromkeys(self.sectors)))
        object.__setattr__(self, "needs", frozenset(self.needs))
        object.__setattr__(self, "offers", frozenset(self.offers))
        _check_slugs("sector", self.sectors, SECTORS)
        _check_slugs("stage", () if self.stage is None else (self.stage,), STAGES)
        _check_slugs("topic", self.needs | self.offers, TOPICS)
        if not (-90 <= self.latitude <= 90 and -180 <= self.longitude <= 180):
            raise ValueError(f"{self.name}: no such place ({self.latitude}, {self.longitude})")
        if self.open_introductions < 0 or (self.mentor_capacity or 0) < 0:
            raise ValueError(f"{self.name}: introduction counts cannot be negative")


def _check_slugs(what: str, values: tuple[str, ...] | frozenset[str], known: dict) -> None:
    unknown = sorted(set(values) - known.keys())
    if unknown:
        raise ValueError(f"unknown {what} slug(s): {', '.join(unknown)}")


@dataclass(frozen=True)
class Suggestion:
    """One ranked result: who, how good (0..1), how far, and why, in words."""

    id: int
    name: str
    slug: str
    kind: Kind
    score: float
    distance_km: float  # geodesic (WGS84) from the requester
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, rounded for display: the API and templates use this."""
        return {
            "id": self.id,
            "name": self.name,
            "slug": self.slug,
            "score": round(self.score, 3),
            "distance_km": round(self.distance_km, 1),
            "reasons": list(self.reasons),
        }

    def __post_init__(self) -> None:
        if not (0.0 <= self.score <= 1.0) or math.isnan(self.distance_km):
            raise ValueError(f"bad suggestion figures: score {self.score}, {self.distance_km} km")
