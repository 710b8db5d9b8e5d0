"""Evidence rows as columns: one numpy array per field (a dataset's are gathered in `frame`).

Figures over 7,000 organisations and 20,000 introductions are counts, masks and groupings: as
vector operations on columns they take a few milliseconds where loops over records took
hundreds. The loader fills the columns straight from the database's tuples; a hand-built
dataset (the tests) converts its records; exports and the connection map turn columns back
into records when they need them.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from itertools import chain
from typing import Any, TypeVar

import numpy as np

from directory.evidence.records import Intro, Org, OutcomeRow

TIME = "datetime64[us]"
NO_ID = -1  # an id or row column's "none"


def times(values: Sequence[Any]) -> np.ndarray:
    """Timestamps as datetime64[us], None as NaT, from datetimes or from the ISO text both
    databases give for a timestamp cast to text (numpy parses it in C)."""
    first = next((v for v in values if v is not None), None)
    if isinstance(first, str):
        return np.array([v or "NaT" for v in values], dtype=TIME)
    return np.array(list(values), dtype=TIME).reshape(len(values))


def ids(values: Iterable[int | None]) -> np.ndarray:
    return np.array([NO_ID if v is None else v for v in values], dtype=np.int64)


def objects(values: Iterable[Any]) -> np.ndarray:
    """A one-dimensional object array, even of equal-length tuples."""
    values = list(values)
    return np.fromiter(values, dtype=object, count=len(values))


def flags(values: Iterable[Any]) -> np.ndarray:
    return np.array([bool(v) for v in values], dtype=bool)


def distinct(values: np.ndarray) -> np.ndarray:
    """The values once each, ascending (sorting is several times faster here than
    `np.unique`, which hashes)."""
    ordered = np.sort(values)
    if not len(ordered):
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def member(values: np.ndarray, of: np.ndarray) -> np.ndarray:
    """Which values are among `of` (`np.isin`, by sorting and binary search)."""
    known = distinct(of)
    if not len(known):
        return np.zeros(len(values), dtype=bool)
    return known[np.minimum(np.searchsorted(known, values), len(known) - 1)] == values


def rows_of(sorted_ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Each wanted id's row in an ascending id column, NO_ID where it is not there."""
    if not len(sorted_ids):
        return np.full(len(wanted), NO_ID, dtype=np.int64)
    at = np.searchsorted(sorted_ids, wanted)
    found = sorted_ids[np.minimum(at, len(sorted_ids) - 1)] == wanted
    return np.where(found, at, NO_ID)


class Vocabulary:
    """Words (topics, regions) as small integers, the same in every column of the process:
    counting them is then a bincount instead of hashing every string."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self._codes: dict[str, int] = {}
        self._lock = threading.Lock()

    def codes(self, words: Iterable[str]) -> np.ndarray:
        words = list(words)
        try:
            return np.array([self._codes[w] for w in words], dtype=np.int64)
        except KeyError:
            with self._lock:
                for word in words:
                    if word not in self._codes:
                        self._codes[word] = len(self.words)
                        self.words.append(word)
            return np.array([self._codes[w] for w in words], dtype=np.int64)

    def decode(self, codes: np.ndarray) -> np.ndarray:
        return objects(self.words)[codes] if len(codes) else objects([])

    def counts(self, codes: np.ndarray) -> Counter[str]:
        found = np.bincount(codes).tolist() if len(codes) else []
        return Counter({self.words[code]: n for code, n in enumerate(found) if n})


TOPIC_CODES = Vocabulary()  # needs and offers, as codes


@dataclass(eq=False)
class Pairs:
    """Several values per row (an organisation's networks, needs or offers): one row index and
    one value per pair."""

    row: np.ndarray
    value: np.ndarray

    @classmethod
    def of(cls, lists: Sequence[Iterable[Any]], vocabulary: Vocabulary | None = None) -> Pairs:
        """Pairs from each row's values: ids as they are, or words as a vocabulary's codes."""
        rows = [tuple(x) for x in lists]
        lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        values = list(chain.from_iterable(rows))
        value = np.array(values, dtype=np.int64) if vocabulary is None else vocabulary.codes(values)
        return cls(np.repeat(np.arange(len(rows), dtype=np.int64), lengths), value)

    def unique(self) -> Pairs:
        """Each value once per row."""
        if not len(self.row):
            return self
        width = int(self.value.max()) + 1
        key = distinct(self.row * width + self.value)
        return Pairs(key // width, key % width)

    def take(self, keep: np.ndarray, index: np.ndarray) -> Pairs:
        """The pairs of the kept rows, renumbered by `index`."""
        kept = keep[self.row]
        return Pairs(index[self.row[kept]], self.value[kept])

    def grouped(self, n: int) -> list[list[Any]]:
        groups: list[list[Any]] = [[] for _ in range(n)]
        for row, value in zip(self.row.tolist(), self.value.tolist(), strict=True):
            groups[row].append(value)
        return groups

    def any_per_row(self, n: int) -> np.ndarray:
        return np.bincount(self.row, minlength=n) > 0


T = TypeVar("T", "Orgs", "Intros", "Answers")


def take(table: T, keep: np.ndarray) -> T:
    """The kept rows of a column table (a boolean mask), pairs renumbered to match."""
    index = np.cumsum(keep) - 1
    values: dict[str, Any] = {}
    for f in fields(table):
        column = getattr(table, f.name)
        values[f.name] = column.take(keep, index) if isinstance(column, Pairs) else column[keep]
    return type(table)(**values)


def concat(first: T, second: T) -> T:
    """The rows of both tables, the second's after the first's."""
    values: dict[str, Any] = {}
    for f in fields(first):
        a, b = getattr(first, f.name), getattr(second, f.name)
        if isinstance(a, Pairs):
            values[f.name] = Pairs(
                np.concatenate((a.row, b.row + len(first))), np.concatenate((a.value, b.value))
            )
        else:
            values[f.name] = np.concatenate((a, b))
    return type(first)(**values)


def sort_by_id(table: T) -> T:
    """The rows in ascending order of their first column (the id), pairs renumbered."""
    order = np.argsort(table.id, kind="stable")
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    values: dict[str, Any] = {}
    for f in fields(table):
        column = getattr(table, f.name)
        values[f.name] = (
            Pairs(position[column.row], column.value)
            if isinstance(column, Pairs)
            else column[order]
        )
    return type(table)(**values)


@dataclass(eq=False)
class Orgs:
    """Organisations, ascending by id."""

    id: np.ndarray
    name: np.ndarray
    sector: np.ndarray
    stage: np.ndarray
    region: np.ndarray
    district: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    created: np.ndarray
    claimed: np.ndarray
    listed: np.ndarray
    named: np.ndarray
    mentor: np.ndarray
    completeness: np.ndarray
    networks: Pairs
    needs: Pairs
    offers: Pairs

    def __len__(self) -> int:
        return len(self.id)

    @classmethod
    def from_records(cls, records: Iterable[Org]) -> Orgs:
        orgs = sorted(records, key=lambda o: o.id)
        return cls(
            id=np.array([o.id for o in orgs], dtype=np.int64),
            name=objects(o.name for o in orgs),
            sector=objects(o.sector for o in orgs),
            stage=objects(o.stage for o in orgs),
            region=objects(o.region for o in orgs),
            district=objects(o.district for o in orgs),
            latitude=np.array([o.latitude for o in orgs], dtype=float),
            longitude=np.array([o.longitude for o in orgs], dtype=float),
            created=times([o.created_at for o in orgs]),
            claimed=flags(o.claimed for o in orgs),
            listed=flags(o.listed for o in orgs),
            named=flags(o.named for o in orgs),
            mentor=flags(o.mentor for o in orgs),
            completeness=np.array([o.completeness for o in orgs], dtype=float),
            networks=Pairs.of([sorted(o.networks) for o in orgs]),
            needs=Pairs.of([sorted(o.needs) for o in orgs], TOPIC_CODES),
            offers=Pairs.of([sorted(o.offers) for o in orgs], TOPIC_CODES),
        )

    def records(self) -> dict[int, Org]:
        n = len(self)
        networks = self.networks.grouped(n)
        needs, offers = (
            Pairs(p.row, TOPIC_CODES.decode(p.value)).grouped(n) for p in (self.needs, self.offers)
        )
        columns = zip(
            self.id.tolist(),
            self.name.tolist(),
            self.sector.tolist(),
            self.stage.tolist(),
            self.region.tolist(),
            self.district.tolist(),
            self.latitude.tolist(),
            self.longitude.tolist(),
            self.created.tolist(),
            self.claimed.tolist(),
            self.listed.tolist(),
            self.named.tolist(),
            self.mentor.tolist(),
            self.completeness.tolist(),
            strict=True,
        )
        records = {}
        for row, values in enumerate(columns):
            org = Org(*values)
            org.networks = frozenset(networks[row])
            org.needs, org.offers = frozenset(needs[row]), frozenset(offers[row])
            records[org.id] = org
        return records


@dataclass(eq=False)
class Intros:
    """Introductions; `network` is NO_ID for one no network reviews."""

    id: np.ndarray
    requester: np.ndarray
    target: np.ndarray
    network: np.ndarray
    kind: np.ndarray
    state: np.ndarray
    requested: np.ndarray
    approved: np.ndarray
    accepted: np.ndarray
    closed: np.ndarray
    needs: np.ndarray  # a tuple of topics each, as requested
    asked: Pairs  # the same needs as topic codes, each once

    def __len__(self) -> int:
        return len(self.id)

    @classmethod
    def from_records(cls, records: Sequence[Intro]) -> Intros:
        return cls(
            id=np.array([i.id for i in records], dtype=np.int64),
            requester=np.array([i.requester_id for i in records], dtype=np.int64),
            target=np.array([i.target_id for i in records], dtype=np.int64),
            network=ids(i.network_id for i in records),
            kind=objects(i.kind for i in records),
            state=objects(i.state for i in records),
            requested=times([i.created_at for i in records]),
            approved=times([i.approved_at for i in records]),
            accepted=times([i.accepted_at for i in records]),
            closed=times([i.closed_at for i in records]),
            needs=objects(tuple(i.needs) for i in records),
            asked=Pairs.of([i.needs for i in records], TOPIC_CODES).unique(),
        )

    def records(self) -> list[Intro]:
        columns = zip(
            self.id.tolist(),
            self.requester.tolist(),
            self.target.tolist(),
            [None if n == NO_ID else n for n in self.network.tolist()],
            self.kind.tolist(),
            self.state.tolist(),
            self.requested.tolist(),
            self.approved.tolist(),
            self.accepted.tolist(),
            self.closed.tolist(),
            self.needs.tolist(),
            strict=True,
        )
        return [Intro(*values) for values in columns]


@dataclass(eq=False)
class Answers:
    """Outcome answers, in the order they were recorded (by id). Yes/no answers keep None for
    "not answered" (figures count the yeses)."""

    id: np.ndarray
    introduction: np.ndarray
    business: np.ndarray
    met: np.ndarray
    usefulness: np.ndarray
    helped: np.ndarray  # a tuple of topics each
    learned: np.ndarray
    applied: np.ndarray
    differences: np.ndarray  # a tuple of kinds each
    reframed: np.ndarray
    story: np.ndarray
    share: np.ndarray
    created: np.ndarray

    def __len__(self) -> int:
        return len(self.introduction)

    @classmethod
    def from_records(cls, records: Sequence[OutcomeRow]) -> Answers:
        return cls(
            id=np.arange(len(records), dtype=np.int64),  # in the order given
            introduction=np.array([o.introduction_id for o in records], dtype=np.int64),
            business=ids(o.business_id for o in records),
            met=objects(o.met for o in records),
            usefulness=objects(o.usefulness for o in records),
            helped=objects(tuple(o.helped_needs) for o in records),
            learned=objects(o.learned for o in records),
            applied=objects(o.applied for o in records),
            differences=objects(tuple(o.difference_kinds) for o in records),
            reframed=objects(o.reframed for o in records),
            story=objects(o.story for o in records),
            share=flags(o.share_story for o in records),
            created=times([o.created_at for o in records]),
        )

    def records(self) -> list[OutcomeRow]:
        columns = zip(
            self.introduction.tolist(),
            [None if b == NO_ID else b for b in self.business.tolist()],
            self.met.tolist(),
            self.usefulness.tolist(),
            self.helped.tolist(),
            self.learned.tolist(),
            self.applied.tolist(),
            self.differences.tolist(),
            self.reframed.tolist(),
            self.story.tolist(),
            self.share.tolist(),
            self.created.tolist(),
            strict=True,
        )
        return [OutcomeRow(*values) for values in columns]
