"""The WGS84 distances shown on suggestions agree with geopy's exact geodesic."""

from __future__ import annotations

import random

import pytest
from geopy.distance import geodesic

from matching.geo import geodesic_km


def test_distances_agree_with_geopy_within_ten_metres():
    rng = random.Random(3)
    pairs = [
        ((rng.uniform(49.9, 55.8), rng.uniform(-6.4, 1.8)),
         (rng.uniform(49.9, 55.8), rng.uniform(-6.4, 1.8)))
        for _ in range(300)
    ]  # fmt: skip
    pairs += [((52.0, -1.0), (52.0, -1.0)), ((52.0, -1.0), (52.0072, -1.0))]  # 0 and ~0.8 km

    ours = geodesic_km(*(list(col) for col in zip(*(a + b for a, b in pairs), strict=True)))

    for (a, b), km in zip(pairs, ours, strict=True):
        assert km == pytest.approx(geodesic(a, b).km, abs=0.01)
