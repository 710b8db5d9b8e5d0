"""The rows evidence is computed from, for one viewer and one set of filters.

Figures are pure functions of a `Dataset`: the loader applies the viewer's scope and the page's
filters, so every figure on the page, in the JSON and in the exports agrees, and the tests can
build a Dataset by hand, as records, with known answers.
"""

from __future__ import annotations

import copy
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from flask import Flask, current_app

from directory.evidence.columns import Answers, Intros, Orgs
from directory.evidence.frame import Frame
from directory.evidence.reading import read_stamp
from directory.evidence.records import Intro, Org, OutcomeRow
from directory.evidence.snapshot import Snapshot, ViewLog
from matching.vocab import REGIONS, SECTORS

__all__ = ["Dataset", "FilterError", "Filters", "Intro", "Org", "OutcomeRow", "load"]


class FilterError(ValueError):
    """A filter in the URL is not valid; the message says which, for the person who typed it."""


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters, as they appear in its URL."""

    start: date
    end: date  # inclusive
    network: str | None = None
    sector: str | None = None
    region: str | None = None

    @classmethod
    def from_args(cls, args, today: date) -> Filters:
        """Read ?network=&from=&to=&sector=&region=; the default period is the last 12 months."""
        end = _date(args.get("to"), "to") or today
        start = _date(args.get("from"), "from") or (end - timedelta(days=365))
        if start > end:
            raise FilterError("The start of the period must be before its end.")
        sector = args.get("sector") or None
        if sector is not None and sector not in SECTORS:
            raise FilterError(f"Unknown sector “{sector}”.")
        region = args.get("region") or None
        if region is not None and region not in REGIONS:
            raise FilterError(f"Unknown region “{region}”.")
        return cls(start, end, args.get("network") or None, sector, region)

    def to_args(self) -> dict[str, str]:
        args = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        for key in ("network", "sector", "region"):
            if getattr(self, key):
                args[key] = getattr(self, key)
        return args

    def in_period(self, when: datetime | None) -> bool:
        return when is not None and self.start <= when.date() <= self.end

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as [start, end) timestamps."""
        start = datetime.combine(self.start, datetime.min.time())
        return start, datetime.combine(self.end + timedelta(days=1), datetime.min.time())


def _date(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FilterError(f"“{text}” is not a date (use YYYY-MM-DD) for “{name}”.") from None


class Dataset:
    """Organisations in scope, introductions touching them (all time; `intros` is the
    period's), the period's outcome answers and suggestion views, and the networks' names.

    Made from records (by hand) or from columns (by the loader); either form is built from
    the other when first asked for. `memo` holds what depends on the rows alone (columns,
    records, figures): copies of a cached dataset share it, so it is computed once per load.
    """

    def __init__(
        self,
        filters: Filters,
        now: datetime,
        orgs: dict[int, Org] | None = None,
        all_intros: list[Intro] | None = None,
        outcomes: list[OutcomeRow] | None = None,
        views: int = 0,
        networks: dict[int, str] | None = None,
        *,
        frame: Frame | None = None,
    ) -> None:
        self.filters = filters
        self.now = now
        self.views = views
        self.networks = networks or {}
        self.memo: dict[str, Any] = {}
        if frame is not None:
            self.memo["rows:frame"] = frame
            return
        intros = list(all_intros or ())
        period = [i for i in intros if filters.in_period(i.created_at)]
        ids = {i.id for i in period}
        self.memo.update(
            {
                "rows:orgs": dict(orgs or {}),
                "rows:all_intros": intros,
                "rows:intros": period,
                "rows:outcomes": [o for o in outcomes or () if o.introduction_id in ids],
            }
        )

    def remember(self, key: str, build: Callable[[], Any]) -> Any:
        """`build()` once per load: the rows behind it do not change while it is cached."""
        if key not in self.memo:
            self.memo[key] = build()
        return self.memo[key]

    @property
    def frame(self) -> Frame:
        """The rows as columns, for the figures."""
        return self.remember("rows:frame", self._frame_from_records)

    def _frame_from_records(self) -> Frame:
        period = np.array(
            [self.filters.in_period(i.created_at) for i in self.all_intros], dtype=bool
        )
        return Frame(
            Orgs.from_records(self.orgs.values()),
            Intros.from_records(self.all_intros),
            Answers.from_records(self.outcomes),
            period,
        )

    @property
    def orgs(self) -> dict[int, Org]:
        return self.remember("rows:orgs", lambda: self.frame.orgs.records())

    @property
    def all_intros(self) -> list[Intro]:
        return self.remember("rows:all_intros", lambda: self.frame.intros.records())

    @property
    def intros(self) -> list[Intro]:
        def build() -> list[Intro]:
            period = self.frame.period.tolist()
            return [i for i, kept in zip(self.all_intros, period, strict=True) if kept]

        return self.remember("rows:intros", build)

    @property
    def outcomes(self) -> list[OutcomeRow]:
        return self.remember("rows:outcomes", lambda: self.frame.answers.records())


# -- loading, per process --------------------------------------------------------------------

_KEY = "peerlink_evidence"
# Datasets kept per viewer scope and filters (their figures are computed once per load).
CACHE_SIZE = 32


@dataclass(eq=False)
class _Cache:
    lock: threading.Lock = field(default_factory=threading.Lock)
    snapshot: Snapshot | None = None
    views: ViewLog = field(default_factory=ViewLog)
    datasets: OrderedDict[tuple, Dataset] = field(default_factory=OrderedDict)

    def __post_init__(self) -> None:
        _CACHES.add(self)


_CACHES: weakref.WeakSet[_Cache] = weakref.WeakSet()


def _after_fork() -> None:
    """A worker forked (gunicorn --preload) while the start-up read held a lock would wait
    for a thread that does not exist in it: start the child with fresh locks."""
    for cache in list(_CACHES):
        cache.lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork)


def _cache(app: Flask) -> _Cache:
    return app.extensions.setdefault(_KEY, _Cache())


def load(filters: Filters, network_ids: set[int] | None, now: datetime) -> Dataset:
    """Everything the figures need, for the viewer's networks (None: all) and the filters.

    Evidence is read far more often than the rows behind it change, so each process keeps a
    snapshot of them and refreshes it when a write has changed them (`reading.read_stamp`),
    and keeps each scope's dataset, with its figures, until then. Suggestion views, which
    change on every /matches page, are appended and recounted per request."""
    cache = _cache(current_app._get_current_object())  # type: ignore[attr-defined]
    with cache.lock:
        snapshot, views = _refresh(cache)
        key = (None if network_ids is None else frozenset(network_ids), filters)
        ds = cache.datasets.get(key)
        if ds is None:
            ds = cache.datasets[key] = _dataset(snapshot, filters, network_ids, now)
            if len(cache.datasets) > CACHE_SIZE:
                cache.datasets.popitem(last=False)
        cache.datasets.move_to_end(key)
    ds = copy.copy(ds)
    ds.now = now
    ds.views = ds.remember(f"rows:views:{views.last_view}", lambda: _views(ds, views))
    return ds


def _refresh(cache: _Cache) -> tuple[Snapshot, ViewLog]:
    """The cache made current with the database (the caller holds its lock)."""
    stamp = read_stamp()
    old = cache.snapshot
    snapshot = cache.snapshot = Snapshot.load(stamp) if old is None else old.refreshed(stamp)
    views = cache.views.refreshed(stamp)
    if old is not None and snapshot.orgs is not old.orgs:
        views = views.without(snapshot.gone_from(old))  # deleted with their organisation
    cache.views = views
    if snapshot is not old:
        cache.datasets.clear()
    return snapshot, views


def warm_up(app: Flask) -> None:
    """Read the evidence rows at start-up, in the background, so that no page waits for them
    (as the matching index is built)."""

    def work() -> None:
        with app.app_context():
            cache = _cache(app)
            try:
                with cache.lock:
                    _refresh(cache)
            except Exception:  # no schema yet (before `db upgrade`): the first page reads them
                app.logger.warning("evidence rows not read at start-up", exc_info=True)

    if app.config.get("TESTING"):
        work()
    else:
        threading.Thread(target=work, name="peerlink-evidence", daemon=True).start()


def clear_cache() -> None:
    """Forget this app's evidence rows (the next page loads them afresh)."""
    current_app.extensions.pop(_KEY, None)


def _dataset(
    snapshot: Snapshot, filters: Filters, network_ids: set[int] | None, now: datetime
) -> Dataset:
    start, end = filters.bounds()
    wanted = _wanted_networks(filters, network_ids, snapshot.slugs)
    frame = snapshot.frame(start, end, wanted, filters.sector, filters.region)
    return Dataset(filters, now, networks=snapshot.networks, frame=frame)


def _views(ds: Dataset, views: ViewLog) -> int:
    return views.count(ds.frame.orgs.id, *ds.filters.bounds())


def _wanted_networks(
    filters: Filters, network_ids: set[int] | None, slugs: dict[str, int]
) -> set[int] | None:
    """The networks in scope: the filter's one, within what the viewer may see."""
    if filters.network is None:
        return None if network_ids is None else set(network_ids)
    chosen = slugs.get(filters.network)
    if chosen is None or (network_ids is not None and chosen not in network_ids):
        raise FilterError("Choose one of the networks you can see.")
    return {chosen}
