"""Profiles for hand-built directories, and requesters sampled from synthetic ones."""

from __future__ import annotations

import random
from typing import Any

from matching import Profile
from matching.synthetic import random_profile

HOME = (52.0, -1.0)  # the requester's place in hand-built directories
KM_PER_DEGREE_LAT = 111.2


def business(id: int | None, *, km: float = 5.0, **fields: Any) -> Profile:
    """A profile `km` north of HOME; every field can be overridden."""
    defaults: dict[str, Any] = {
        "name": f"Business {id}",
        "slug": f"business-{id}",
        "sectors": ("shop",),
        "stage": "starting",
        "latitude": HOME[0] + km / KM_PER_DEGREE_LAT,
        "longitude": HOME[1],
        "needs": frozenset({"funding", "volunteers"}),
        "offers": frozenset(),
        "description": "A village shop run by volunteers selling local produce.",
        "owner_id": None if id is None else 1000 + id,
    }
    return Profile(id=id, **(defaults | fields))


def mentor(id: int, **fields: Any) -> Profile:
    """A willing, established shop offering what the default requester needs."""
    defaults = {
        "stage": "established",
        "willing_to_mentor": True,
        "offers": frozenset({"funding", "marketing"}),
        "needs": frozenset({"staff"}),
    }
    return business(id, **(defaults | fields))


def sample_requesters(synthetic: list[Profile], seed: int, members: int, visitors: int) -> list:
    """Some of the directory's own businesses, and some visitors (id None) it has never seen."""
    rng = random.Random(seed)
    return rng.sample(synthetic, members) + [random_profile(rng, None) for _ in range(visitors)]
