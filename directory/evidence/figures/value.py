"""Value: what the period's introductions led to, by what either side answered afterwards."""

from __future__ import annotations

from collections import Counter

import numpy as np

from directory.evidence.columns import NO_ID, TOPIC_CODES, Pairs, distinct, rows_of
from directory.evidence.dataset import Dataset
from directory.evidence.figures.common import memoised, rows
from directory.evidence.ladder import DIFFERENCE_KINDS, LADDER, stage_masks, stages_reached
from matching.vocab import REGIONS, SECTORS, TOPICS


def stages_of(outcome) -> list[str]:
    return stages_reached(
        outcome.usefulness,
        outcome.learned,
        outcome.applied,
        outcome.difference_kinds,
        outcome.reframed,
    )


@memoised
def _stages(ds: Dataset) -> dict[str, np.ndarray]:
    """Per ladder stage, which answers reach it."""
    f = ds.frame
    answers = f.answers
    has_differences = np.array([bool(k) for k in answers.differences.tolist()], dtype=bool)
    return stage_masks(
        f.usefulness, answers.learned, answers.applied, has_differences, answers.reframed
    )


def value_ladder(ds: Dataset) -> list[dict]:
    """Introductions reaching each value-creation cycle, by what either side answered."""
    introduction = ds.frame.answers.introduction
    reached = _stages(ds)
    return [
        {
            "key": key,
            "label": label.split(":")[0],
            "description": label,
            "count": len(distinct(introduction[reached[key]])),
        }
        for key, label in LADDER.items()
    ]


def differences_made(ds: Dataset) -> list[dict]:
    """Introductions that made each kind of realised difference."""
    answers = ds.frame.answers
    reached = {
        (intro, kind)
        for intro, kinds in zip(
            answers.introduction.tolist(), answers.differences.tolist(), strict=True
        )
        for kind in kinds
    }
    return rows(Counter(kind for _, kind in reached), DIFFERENCE_KINDS, keep_zero=True)


def needs_helped(ds: Dataset) -> list[dict]:
    """Per need that motivated requests: how many asked about it, how many said it helped."""
    f = ds.frame
    asked_pairs = f.intros.asked
    asked = TOPIC_CODES.counts(asked_pairs.value[f.period[asked_pairs.row]])
    answers = f.answers
    said = Pairs.of(answers.helped.tolist(), TOPIC_CODES)
    said = Pairs(answers.introduction[said.row], said.value).unique()  # once per introduction
    helped = TOPIC_CODES.counts(said.value)
    table = [
        {"key": t, "label": TOPICS.get(t, t), "asked": asked[t], "helped": helped[t]} for t in asked
    ]
    return sorted(table, key=lambda r: (-r["asked"], r["label"]))


_DESCRIBED = ("name", "named", "district", "region", "sector", "stage")


def _who(name: str, named: bool, district: str, region: str, sector: str, stage) -> str:
    if named:
        return name
    where = district or REGIONS.get(region, region)
    return f"{SECTORS.get(sector, sector)} ({stage}, {where})"


def describe(org) -> str:
    """How evidence names an organisation: by name only with its consent."""
    if org is None:
        return "An organisation"
    return _who(org.name, org.named, org.district, org.region, org.sector, org.stage)


def shared_stories(ds: Dataset) -> list[dict]:
    """Stories their authors agreed to share, newest first, with the stages they reached."""
    f = ds.frame
    answers = f.answers
    shared = np.flatnonzero(answers.share & (answers.story != ""))
    author = rows_of(f.orgs.id, answers.business[shared])
    known = author != NO_ID
    details = zip(
        *(getattr(f.orgs, column)[author[known]].tolist() for column in _DESCRIBED), strict=True
    )
    who = [_who(*next(details)) if k else describe(None) for k in known.tolist()]
    reached = _stages(ds)
    labels = [(label.split(":")[0], reached[key][shared].tolist()) for key, label in LADDER.items()]
    dates = np.datetime_as_string(answers.created[shared], unit="D").tolist()
    stories = [
        {
            "who": who[n],
            "story": story,
            "stages": [label for label, reaches in labels if reaches[n]],
            "date": "" if dates[n] == "NaT" else dates[n],
        }
        for n, story in enumerate(answers.story[shared].tolist())
    ]
    return sorted(stories, key=lambda s: s["date"], reverse=True)
