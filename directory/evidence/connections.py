"""The connection map and graph: organisations as points, introductions as lines.

For anonymised viewers every organisation is drawn at its district's centre (the mean position
of the organisations there) and carries no name, only counts.
"""

from __future__ import annotations

import math
from collections import defaultdict

from directory.evidence.dataset import Dataset
from directory.evidence.figures import describe
from directory.introductions import states as st
from matching.vocab import REGIONS, SECTORS

DRAWN = {st.ACCEPTED: "accepted", st.COMPLETED: "accepted", st.REQUESTED: "pending"}
DRAWN[st.APPROVED] = "pending"


def _drawn(ds: Dataset):
    return [
        i
        for i in ds.intros
        if i.state in DRAWN and i.requester_id in ds.orgs and i.target_id in ds.orgs
    ]


def map_data(ds: Dataset, anonymise: bool) -> dict:
    """Points, lines (accepted solid, pending dashed) and the regions with no connection."""
    intros = _drawn(ds)
    connected = {i.requester_id for i in intros} | {i.target_id for i in intros}
    listed = [o for o in ds.orgs.values() if o.listed or o.id in connected]
    if anonymise:
        groups = defaultdict(list)
        for org in listed:
            groups[org.district or org.region].append(org)
        centre = {
            key: (
                round(sum(o.latitude for o in orgs) / len(orgs), 4),
                round(sum(o.longitude for o in orgs) / len(orgs), 4),
            )
            for key, orgs in groups.items()
        }
        where = {o.id: centre[o.district or o.region] for o in listed}
        points = [
            {
                "lat": centre[key][0],
                "lon": centre[key][1],
                "label": f"{key}: {len(orgs)} organisations",
                "count": len(orgs),
                "isolated": not any(o.id in connected for o in orgs),
            }
            for key, orgs in sorted(groups.items())
        ]
    else:
        where = {o.id: (round(o.latitude, 5), round(o.longitude, 5)) for o in listed}
        points = [
            {
                "lat": where[o.id][0],
                "lon": where[o.id][1],
                "label": f"{o.name} ({SECTORS.get(o.sector, o.sector)}, {o.district})",
                "count": 1,
                "isolated": o.id not in connected,
            }
            for o in listed
        ]
    lines = [
        {"from": where[i.requester_id], "to": where[i.target_id], "state": DRAWN[i.state]}
        for i in intros
        if where[i.requester_id] != where[i.target_id]
    ]
    regions_with = {ds.orgs[x].region for x in connected}
    isolated_regions = sorted(REGIONS.get(r, r) for r in {o.region for o in listed} - regions_with)
    return {
        "points": points,
        "lines": lines,
        "isolated_regions": isolated_regions,
        "isolated_count": sum(1 for o in listed if o.id not in connected),
    }


def graph_data(ds: Dataset, anonymise: bool) -> dict:
    """Clusters of connected organisations laid out for drawing: each cluster a ring of nodes,
    clusters in a grid, biggest first; coordinates are in a unit square per cell."""
    intros = _drawn(ds)
    neighbours = defaultdict(set)
    for i in intros:
        neighbours[i.requester_id].add(i.target_id)
        neighbours[i.target_id].add(i.requester_id)
    seen, groups = set(), []
    for start in sorted(neighbours):
        if start in seen:
            continue
        stack, group = [start], []
        seen.add(start)
        while stack:
            node = stack.pop()
            group.append(node)
            for other in neighbours[node] - seen:
                seen.add(other)
                stack.append(other)
        groups.append(sorted(group))
    groups.sort(key=lambda g: (-len(g), g[0]))
    columns = max(1, math.ceil(math.sqrt(len(groups))))
    nodes: list[dict] = []
    index = {}
    for n, group in enumerate(groups):
        cx, cy = n % columns + 0.5, n // columns + 0.5
        radius = 0.0 if len(group) == 1 else 0.4
        for k, org_id in enumerate(group):
            angle = 2 * math.pi * k / len(group)
            index[org_id] = len(nodes)
            org = ds.orgs[org_id]
            nodes.append(
                {
                    "x": round(cx + radius * math.cos(angle), 4),
                    "y": round(cy + radius * math.sin(angle), 4),
                    "label": describe(org) if anonymise else org.name,
                    "cluster": n,
                }
            )
    edges = [
        {"a": index[i.requester_id], "b": index[i.target_id], "state": DRAWN[i.state]}
        for i in intros
    ]
    rows = max(1, math.ceil(len(groups) / columns))
    return {"nodes": nodes, "edges": edges, "columns": columns, "rows": rows}
