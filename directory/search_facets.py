"""Counts beside the directory's facet options, from the search snapshot in a few vector sums.

An option's count is how many results the search would give with that option ticked and the
other facets kept, as shops show them: the businesses that pass the text, the place and the
mentor switch (the search's base) and every other chosen facet, counted per option of this
one. Ticking boxes costs no query.
"""

from __future__ import annotations

import numpy as np


def facet_counts(result) -> dict[str, dict[str | None, int]]:
    """Counts per option of every facet (and networks) for a search result."""
    scope = result.scope
    if scope is None or scope.snapshot is None:  # the place was not found: nothing to count
        return {}
    snapshot = scope.snapshot
    everyone = np.ones(snapshot.size, dtype=bool)
    counts = {}
    for name, facet in snapshot.facets.items():
        keep = everyone if scope.base is None else scope.base
        for other, mask in scope.chosen.items():
            if other != name:
                keep = keep & mask
        tally = np.bincount(facet.values[keep[facet.rows]], minlength=len(facet.options))
        counts[name] = {option: int(n) for option, n in zip(facet.options, tally, strict=True) if n}
    return counts
