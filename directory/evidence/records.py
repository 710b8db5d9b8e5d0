"""One organisation, introduction or outcome answer as evidence reads it: what exports, the
connection map and hand-built test datasets deal in (figures count over columns instead)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(slots=True)
class Org:
    id: int
    name: str
    sector: str
    stage: str | None
    region: str
    district: str
    latitude: float
    longitude: float
    created_at: datetime
    claimed: bool
    listed: bool
    named: bool
    mentor: bool
    completeness: float
    networks: frozenset[int] = frozenset()
    needs: frozenset[str] = frozenset()
    offers: frozenset[str] = frozenset()


@dataclass(slots=True)
class Intro:
    id: int
    requester_id: int
    target_id: int
    network_id: int | None
    kind: str
    state: str
    created_at: datetime
    approved_at: datetime | None = None
    accepted_at: datetime | None = None
    closed_at: datetime | None = None
    needs: tuple[str, ...] = ()


@dataclass(slots=True)
class OutcomeRow:
    introduction_id: int
    business_id: int | None
    met: bool | None
    usefulness: int | None
    helped_needs: tuple[str, ...] = ()
    learned: bool | None = None
    applied: bool | None = None
    difference_kinds: tuple[str, ...] = ()
    reframed: bool | None = None
    story: str = ""
    share_story: bool = False
    created_at: datetime | None = None
