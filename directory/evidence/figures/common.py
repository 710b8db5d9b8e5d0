"""What the figure modules share: memoising, table rows, rates, months and day counts."""

from __future__ import annotations

import functools
from collections import Counter
from datetime import date

import numpy as np

from directory.evidence.dataset import Dataset

NAT = np.datetime64("NaT", "us")
MICROSECONDS_PER_SECOND = 1_000_000


def memoised(fn):
    """Compute once per loaded dataset: the rows behind it do not change while it is cached."""

    @functools.wraps(fn)
    def wrapper(ds: Dataset):
        return ds.remember(f"figure:{fn.__name__}", lambda: fn(ds))

    return wrapper


def rows(counts: Counter, labels: dict[str, str], keep_zero: bool = False) -> list[dict]:
    """Counts as rows for tables, charts and exports: largest first, then by label."""
    keys = labels if keep_zero else [k for k in labels if counts.get(k)]
    extra = [k for k in counts if k not in labels]
    table = [{"key": k, "label": labels.get(k, k), "count": counts.get(k, 0)} for k in keys]
    table += [{"key": k, "label": str(k), "count": counts[k]} for k in extra]
    return sorted(table, key=lambda r: (-r["count"], r["label"]))


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def months(start: date, end: date) -> list[str]:
    found, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def per_month(times: np.ndarray) -> Counter[str]:
    """How many timestamps fall in each calendar month ("YYYY-MM")."""
    found, counts = np.unique(times.astype("datetime64[M]"), return_counts=True)
    return Counter(dict(zip(np.datetime_as_string(found).tolist(), counts.tolist(), strict=True)))


def days_between(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """Days from each earlier to each later timestamp, rounded exactly as
    `timedelta.total_seconds() / 86400` would be."""
    microseconds = (later - earlier).astype("timedelta64[us]").astype(np.int64)
    return microseconds / MICROSECONDS_PER_SECOND / 86400


def median_days(later: np.ndarray, earlier: np.ndarray) -> float | None:
    days = days_between(later, earlier)
    return round(float(np.median(days)), 1) if len(days) else None


def period(ds: Dataset) -> tuple[np.datetime64, np.datetime64]:
    """The filters' period as [start, end) timestamps."""
    start, end = ds.filters.bounds()
    return np.datetime64(start, "us"), np.datetime64(end, "us")


def count(mask: np.ndarray) -> int:
    return int(np.count_nonzero(mask))
