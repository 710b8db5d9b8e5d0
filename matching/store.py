"""The fitted directory as columns that edits and deletions change in place.

One row per business, in numpy arrays with spare capacity; a deleted business leaves a dead
row that the next addition reuses. Sectors, needs and offers are bit sets in one integer each,
so counting what two businesses share is one AND and one popcount over the whole directory.
Nothing here copies the arrays except growing past the capacity (which doubles it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.text import TextIndex
from matching.types import Profile
from matching.vocab import RELATED_SECTORS, SECTORS, STAGE_ORDER, TOPICS

SECTOR_BIT = {s: 1 << i for i, s in enumerate(SECTORS)}
TOPIC_BIT = {t: 1 << i for i, t in enumerate(TOPICS)}
UNKNOWN_STAGE = -1
_GROWING = STAGE_ORDER["growing"]
# The share of each block in how alike two suggestions look, for the diversity discount.
LIKENESS_SHARES = {"sectors": 0.15, "needs": 0.15, "offers": 0.1, "stage": 0.1, "text": 0.5}
# name: (dtype, value of an empty row)
_COLUMNS: dict[str, tuple[type, object]] = {
    "ids": (np.int64, -1),
    "alive": (bool, False),
    "owners": (np.float64, np.nan),  # NaN when unknown, so that it never equals anyone
    "primary": (np.int8, -1),  # index in SECTORS, -1 without sectors
    "sectors": (np.uint32, 0),  # bit set of all sectors
    "related": (np.uint32, 0),  # bit set of the sectors related to any of them
    "stage": (np.int8, UNKNOWN_STAGE),
    "needs": (np.uint32, 0),
    "offers": (np.uint32, 0),
    "n_needs": (np.float32, 0.0),
    "sqrt_needs": (np.float32, 0.0),
    "accepting": (bool, False),  # open to new introductions (a paused business is not)
    "can_mentor": (bool, False),  # willing, accepting, under capacity, at least growing
    "load": (np.float32, 0.0),  # open introductions
    "present": (np.float32, 0.0),  # the LIKENESS_SHARES of its non-empty blocks, summed
    # The point on the unit sphere, one contiguous column per axis.
    "x": (np.float32, 0.0),
    "y": (np.float32, 0.0),
    "z": (np.float32, 0.0),
}


def bits(slugs, table: dict[str, int]) -> int:
    out = 0
    for slug in slugs:
        out |= table[slug]
    return out


def related_bits(sectors: Sequence[str]) -> int:
    return bits(set().union(*(RELATED_SECTORS[s] for s in sectors)) if sectors else (), SECTOR_BIT)


def stage_of(profile: Profile) -> int:
    return UNKNOWN_STAGE if profile.stage is None else STAGE_ORDER[profile.stage]


class Store:
    """The directory's columns; rows `[:size]` are in use, dead ones have `alive` False."""

    # The _COLUMNS arrays, set with setattr; declared here for type checkers.
    ids: np.ndarray
    alive: np.ndarray
    owners: np.ndarray
    primary: np.ndarray
    sectors: np.ndarray
    related: np.ndarray
    stage: np.ndarray
    needs: np.ndarray
    offers: np.ndarray
    n_needs: np.ndarray
    sqrt_needs: np.ndarray
    accepting: np.ndarray
    can_mentor: np.ndarray
    load: np.ndarray
    present: np.ndarray
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray

    def __init__(self, profiles: Sequence[Profile], text: TextIndex, capacity: int):
        self.text = text
        self.size = 0
        self.capacity = capacity
        self.profiles: list[Profile | None] = [None] * capacity
        self.row_of: dict[int, int] = {}
        self.free: list[int] = []
        for name, (dtype, empty) in _COLUMNS.items():
            setattr(self, name, np.full(capacity, empty, dtype=dtype))
        self._positions = np.arange(capacity)
        for profile in profiles:
            self._write(self._new_row(), profile)
        words = np.diff(text.by_row_.indptr)[: self.size] > 0  # nothing edited yet
        self._sum_present(slice(0, self.size), words)

    def __len__(self) -> int:
        return len(self.row_of)

    def positions(self) -> np.ndarray:
        """The rows in use, 0 to size - 1: a view, not a new array for every suggestion."""
        if self._positions.size < self.size:
            self._positions = np.arange(self.capacity)
        return self._positions[: self.size]

    def upsert(self, profile: Profile) -> None:
        """Add a business, or overwrite its row in place."""
        assert profile.id is not None, "only businesses of the directory are stored"
        row = self.row_of.get(profile.id)
        if row is None:
            row = self.free.pop() if self.free else self._new_row()
        self._write(row, profile)
        self.text.set_row(row, profile.description)
        self._sum_present(slice(row, row + 1), np.array([self.text.row(row)[0].size > 0]))

    def delete(self, id: int) -> None:
        row = self.row_of.pop(id, None)
        if row is None:
            return
        for name, (_, empty) in _COLUMNS.items():
            getattr(self, name)[row] = empty
        self.profiles[row] = None
        self.text.set_row(row, None)
        self.free.append(row)

    def _new_row(self) -> int:
        if self.size == self.capacity:
            self._grow()
        self.size += 1
        return self.size - 1

    def _grow(self) -> None:
        """Double the capacity: the one copy, amortised over as many additions."""
        extra = max(self.capacity, 16)
        for name, (dtype, empty) in _COLUMNS.items():
            setattr(self, name, np.concatenate([getattr(self, name), np.full(extra, empty, dtype)]))
        self.profiles.extend([None] * extra)
        self.capacity += extra

    def _sum_present(self, rows: slice, words: np.ndarray) -> None:
        """Which blocks of these rows are not empty, as their summed likeness shares: in
        the order and float32 steps that the likeness of a pool summed them."""
        present = np.zeros(rows.stop - rows.start, np.float32)
        for name in ("sectors", "needs", "offers"):
            present += LIKENESS_SHARES[name] * (getattr(self, name)[rows] != 0)
        present += LIKENESS_SHARES["stage"] * (self.stage[rows] != UNKNOWN_STAGE)
        present += LIKENESS_SHARES["text"] * words
        self.present[rows] = present

    def _write(self, row: int, p: Profile) -> None:
        assert p.id is not None, "only businesses of the directory are stored"
        stage = stage_of(p)
        load = p.open_introductions
        under_capacity = p.mentor_capacity is None or load < p.mentor_capacity
        self.ids[row] = p.id
        self.alive[row] = True
        self.owners[row] = np.nan if p.owner_id is None else p.owner_id
        self.primary[row] = list(SECTORS).index(p.sectors[0]) if p.sectors else -1
        self.sectors[row] = bits(p.sectors, SECTOR_BIT)
        self.related[row] = related_bits(p.sectors)
        self.stage[row] = stage
        self.needs[row] = bits(p.needs, TOPIC_BIT)
        self.offers[row] = bits(p.offers, TOPIC_BIT)
        self.n_needs[row] = len(p.needs)
        self.sqrt_needs[row] = np.sqrt(len(p.needs))
        self.accepting[row] = p.accepting_requests
        self.can_mentor[row] = (
            p.willing_to_mentor and p.accepting_requests and under_capacity and stage >= _GROWING
        )
        self.load[row] = load
        self.x[row], self.y[row], self.z[row] = unit_vector(p.latitude, p.longitude)
        self.profiles[row] = p
        self.row_of[p.id] = row


def unit_vector(lat, lon) -> np.ndarray:
    lat, lon = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)
