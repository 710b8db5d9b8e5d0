"""Peerlink's matching engine: plain profiles in, ranked peers and mentors with reasons out.

    matcher = Matcher().fit(profiles)           # the whole directory, once
    matcher.suggest(profile, "mentor", limit=10)  # -> [Suggestion(score, distance_km, reasons)]
    matcher.update([edited]); matcher.remove([gone_id])   # after the directory changes

The public names load on first use, so that importing `matching.vocab` (as the web app does
on every start) does not pay for importing scikit-learn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matching.matcher import Matcher
    from matching.types import Kind, Profile, Suggestion
    from matching.weights import DEFAULT_WEIGHTS, Weights

__all__ = ["DEFAULT_WEIGHTS", "Kind", "Matcher", "Profile", "Suggestion", "Weights"]

_HOME = {
    "Matcher": "matching.matcher",
    "Kind": "matching.types",
    "Profile": "matching.types",
    "Suggestion": "matching.types",
    "Weights": "matching.weights",
    "DEFAULT_WEIGHTS": "matching.weights",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'matching' has no attribute {name!r}")
