"""Network health: introductions across networks, who does the helping, repeat and reciprocal
pairs, and how organisations cluster through accepted introductions."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from directory.evidence.columns import NO_ID, distinct, member
from directory.evidence.dataset import Dataset
from directory.evidence.figures.common import count, rate


def cross_network_introductions(ds: Dataset) -> dict:
    """Introductions between members of peer networks who share none of them (organisations
    in no network are left out: their introductions cross nothing)."""
    f = ds.frame
    requester, target = f.requester_row, f.target_row
    both = f.period & (requester != NO_ID) & (target != NO_ID)
    requester, target = requester[both], target[both]
    networks = f.orgs.networks
    n = len(f.orgs)
    _, column = np.unique(networks.value, return_inverse=True)
    member = csr_matrix(
        (np.ones(len(column), dtype=np.int64), (networks.row, column.reshape(-1))),
        shape=(n, int(column.max()) + 1 if len(column) else 0),
    )
    in_a_network = networks.any_per_row(n)
    known = in_a_network[requester] & in_a_network[target]
    shared = np.asarray(member[requester].multiply(member[target]).sum(axis=1)).ravel() > 0
    crossing = count(known & ~shared)
    return {"count": crossing, "share": rate(crossing, count(known))}


def gini(values: list[int]) -> float | None:
    """0 when everyone does the same share, towards 1 when one does everything."""
    values = sorted(values)
    n, total = len(values), sum(values)
    if n == 0 or total == 0:
        return None
    weighted = sum((rank + 1) * v for rank, v in enumerate(values))
    return round((2 * weighted) / (n * total) - (n + 1) / n, 3)


def helping_concentration(ds: Dataset) -> dict:
    """Accepted mentor introductions per willing mentor: the top 10%'s share, and a Gini."""
    f = ds.frame
    done = Counter(f.intros.target[f.accepted & (f.intros.kind == "mentor")].tolist())
    mentors = set(f.orgs.id[f.orgs.mentor].tolist()) | set(done)
    counts = sorted((done.get(m, 0) for m in mentors), reverse=True)
    total = sum(counts)
    top = math.ceil(len(counts) / 10)
    return {
        "mentors": len(counts),
        "mentoring": total,
        "top10_share": rate(sum(counts[:top]), total),
        "gini": gini(counts),
    }


def _pair_keys(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """One integer per ordered pair of ids."""
    return (first.astype(np.int64) << 32) | second.astype(np.int64)


def repeat_connections(ds: Dataset) -> int:
    """Pairs of organisations introduced and accepted more than once."""
    f = ds.frame
    a, b = f.intros.requester[f.accepted], f.intros.target[f.accepted]
    _, times = np.unique(_pair_keys(np.minimum(a, b), np.maximum(a, b)), return_counts=True)
    return count(times > 1)


def reciprocal_connections(ds: Dataset) -> int:
    """Pairs where each side has asked to meet the other."""
    f = ds.frame
    asked = distinct(_pair_keys(f.intros.requester[f.period], f.intros.target[f.period]))
    a, b = asked >> 32, asked & 0xFFFFFFFF
    return count(member(_pair_keys(b[a < b], a[a < b]), asked))


def clusters(ds: Dataset) -> dict:
    """Connected groups of organisations through accepted introductions (period), and how many
    listed organisations have no connection at all."""
    f = ds.frame
    ends = np.concatenate((f.intros.requester[f.accepted], f.intros.target[f.accepted]))
    connected, node = np.unique(ends, return_inverse=True)
    node = node.reshape(-1)
    half = len(node) // 2
    graph = coo_matrix(
        (np.ones(half, dtype=np.int8), (node[:half], node[half:])),
        shape=(len(connected), len(connected)),
    )
    _, label = connected_components(graph, directed=False)
    sizes = np.bincount(label) if len(connected) else np.empty(0, dtype=np.int64)
    isolated = f.orgs.listed & ~member(f.orgs.id, connected)
    return {"sizes": sorted(sizes.tolist(), reverse=True), "isolated": count(isolated)}
