"""Co-operatives UK open data, as tests, benchmarks and evaluations read it (never the product)."""

from __future__ import annotations

import os
from pathlib import Path

from directory.opendata.coops_uk import SECTOR_MAP  # noqa: F401  (one mapping, re-used)

DATA = Path(
    os.environ.get("PEERLINK_SHARED_DATA")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data"
)
COOPS_CSV = DATA / "coops_uk_open_data_2023.csv"
