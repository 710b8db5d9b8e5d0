"""Evidence as files: every figure on the page as CSV rows, and anonymised introductions.

Introductions are always exported anonymised, whoever asks: ids become keyed pseudonyms,
organisations are described by sector, stage and district, and names or stories appear only
where the organisation or the author agreed.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from directory.evidence.access import pseudonym
from directory.evidence.dataset import Dataset
from directory.evidence.figures import stages_of
from directory.evidence.ladder import LADDER

FIGURE_COLUMNS = ("section", "figure", "key", "field", "value")


def figure_rows(figures: dict) -> list[tuple]:
    """Flatten the nested figures into (section, figure, key, field, value) rows."""
    rows: list[tuple] = []

    def walk(section: str, figure: str, value, key: str = "", field: str = "value") -> None:
        if isinstance(value, dict):
            for name, inner in value.items():
                walk(section, figure, inner, key, name if field == "value" else f"{field}.{name}")
        elif isinstance(value, list):
            for n, item in enumerate(value):
                if isinstance(item, dict):
                    item_key = str(item.get("key") or item.get("month") or item.get("label") or n)
                    for name, inner in item.items():
                        if name not in ("key", "month"):
                            walk(section, figure, inner, item_key, name)
                else:
                    rows.append((section, figure, str(n), field, item))
        else:
            rows.append((section, figure, key, field, "" if value is None else value))

    for section, content in figures.items():
        if isinstance(content, dict) and section not in ("funnel",):
            for figure, value in content.items():
                walk(section, figure, value)
        else:
            walk(section, section, content)
    return rows


def to_csv(columns, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in (row if isinstance(row, tuple) else row.values())])
    return buffer.getvalue()


def _cell(value):
    """Spreadsheets run cells starting with = + - @ as formulas: quote them as text."""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _side(ds: Dataset, prefix: str, org_id: int) -> dict:
    org = ds.orgs.get(org_id)
    return {
        f"{prefix}": pseudonym("org", org_id),
        f"{prefix}_name": org.name if org is not None and org.named else "",
        f"{prefix}_sector": org.sector if org else "",
        f"{prefix}_stage": org.stage if org else "",
        f"{prefix}_district": org.district if org else "",
    }


def _date(value) -> str:
    return value.date().isoformat() if value else ""


INTRODUCTION_COLUMNS = (
    "introduction",
    *(
        f"{side}{part}"
        for side in ("requester", "target")
        for part in ("", "_name", "_sector", "_stage", "_district")
    ),
    "network",
    "kind",
    "state",
    "requested_on",
    "approved_on",
    "accepted_on",
    "closed_on",
    "needs",
    "outcomes",
    "met",
    "best_usefulness",
    "value_stages",
    "differences",
    "needs_helped",
    "shared_stories",
)


def introduction_rows(ds: Dataset) -> list[dict]:
    """The period's introductions, anonymised, with what the outcome forms answered."""
    outcomes = defaultdict(list)
    for outcome in ds.outcomes:
        outcomes[outcome.introduction_id].append(outcome)
    rows = []
    for i in ds.intros:
        answers = outcomes.get(i.id, [])
        stages = {s for o in answers for s in stages_of(o)}
        ratings = [o.usefulness for o in answers if o.usefulness is not None]
        rows.append(
            {
                "introduction": pseudonym("intro", i.id),
                **_side(ds, "requester", i.requester_id),
                **_side(ds, "target", i.target_id),
                "network": "" if i.network_id is None else ds.networks.get(i.network_id, ""),
                "kind": i.kind,
                "state": i.state,
                "requested_on": _date(i.created_at),
                "approved_on": _date(i.approved_at),
                "accepted_on": _date(i.accepted_at),
                "closed_on": _date(i.closed_at),
                "needs": sorted(i.needs),
                "outcomes": len(answers),
                "met": any(o.met for o in answers) if answers else "",
                "best_usefulness": max(ratings) if ratings else "",
                "value_stages": [s for s in LADDER if s in stages],
                "differences": sorted({k for o in answers for k in o.difference_kinds}),
                "needs_helped": sorted({t for o in answers for t in o.helped_needs}),
                "shared_stories": [o.story for o in answers if o.share_story and o.story],
            }
        )
    return rows
