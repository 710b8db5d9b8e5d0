"""Co-operatives UK open data, as tests, benchmarks and evaluations read it (never the product)."""

from __future__ import annotations

import os
from pathlib import Path

# Beside the project's checkout; PEERLINK_SHARED_DATA points elsewhere (another worktree).
DATA = Path(
    os.environ.get("PEERLINK_SHARED_DATA")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data"
)
COOPS_CSV = DATA / "coops_uk_open_data_2023.csv"

# The dataset's `Sector` column, mapped to Peerlink's sector slugs.
SECTOR_MAP = {
    "Housing": "housing",
    "Retail": "shop",
    "Sports and Recreation": "sport-leisure",
    "Agriculture": "food-growing",
    "Finance": "finance",
    "Food service, Accommodation and Pubs": "pub",
    "Energy and Environment": "energy",
    "Education": "employment-training",
    "Arts and Culture": "arts-culture",
    "Digital, Media and Communication": "digital",
    "Health and Social Care": "health-care",
    "Transport": "transport",
    "Membership associations, social clubs and trade unions": "hub",
}
