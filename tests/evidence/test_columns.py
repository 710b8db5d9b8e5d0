"""Figures count over columns: the columns say what the records say, whichever way they were
made, and the vectorised ladder rule answers as the one-answer rule does."""

from __future__ import annotations

import itertools
from datetime import date, datetime

import numpy as np
import pytest

from directory.evidence import figures
from directory.evidence.columns import Answers, Intros, Orgs
from directory.evidence.dataset import Dataset, Filters, Intro, Org, OutcomeRow, load
from directory.evidence.ladder import stage_masks, stages_reached
from directory.models import utcnow

ANSWERS = list(
    itertools.product(
        (None, 1, 3, 4, 5), (None, False, True), (None, False, True), ((), ("money",)),
        (None, False, True),
    )
)  # fmt: skip


def test_the_ladder_rule_for_many_answers_agrees_with_the_rule_for_one():
    columns = [np.array(values, dtype=object) for values in zip(*ANSWERS, strict=True)]
    masks = stage_masks(
        np.array([np.nan if u is None else u for u in columns[0]], dtype=float),
        columns[1],
        columns[2],
        np.array([bool(k) for k in columns[3]]),
        columns[4],
    )
    for n, answer in enumerate(ANSWERS):
        assert [stage for stage, mask in masks.items() if mask[n]] == stages_reached(*answer)


ORGS = [
    Org(3, "Crediton Arms", "pub", None, "south-west", "", 50.8, -3.6, datetime(2026, 2, 20),
        False, True, True, False, 0.4, frozenset({2, 5}), frozenset({"legal"}), frozenset()),
    Org(1, "Ashby Stores", "shop", "starting", "north-west", "M1", 53.5, -2.2,
        datetime(2025, 12, 15, 8, 30, 0, 123456), True, False, False, True, 0.9),
]  # fmt: skip
INTROS = [
    Intro(9, 1, 3, None, "peer", "requested", datetime(2026, 3, 1, 23, 59, 59, 999999)),
    Intro(4, 3, 1, 2, "mentor", "completed", datetime(2026, 1, 2), datetime(2026, 1, 3),
          datetime(2026, 1, 4), datetime(2026, 5, 1), ("legal", "funding", "legal")),
]  # fmt: skip
OUTCOMES = [
    OutcomeRow(4, None, None, None),
    OutcomeRow(4, 3, True, 5, ("legal",), True, False, ("time", "people"), None, "A story",
               True, datetime(2026, 2, 1)),
]  # fmt: skip


@pytest.mark.parametrize(
    "table, records, as_records",
    [
        (Orgs, ORGS, lambda t: sorted(t.records().values(), key=lambda o: o.id)),
        (Intros, INTROS, lambda t: t.records()),
        (Answers, OUTCOMES, lambda t: t.records()),
    ],
)
def test_records_become_columns_and_back_unchanged(table, records, as_records):
    expected = sorted(records, key=lambda o: o.id) if table is Orgs else records
    assert as_records(table.from_records(records)) == expected


def test_the_loaders_columns_and_the_same_rows_as_records_give_the_same_figures(app, world):
    with app.app_context():
        now = utcnow()
        filters = Filters(date(now.year - 1, 1, 1), now.date())
        loaded = load(filters, None, now)
        by_hand = Dataset(
            filters,
            now,
            orgs=dict(loaded.orgs),
            all_intros=list(loaded.all_intros),
            outcomes=list(loaded.outcomes),
            views=loaded.views,
            networks=loaded.networks,
        )
        assert loaded.orgs and loaded.all_intros and loaded.outcomes
        assert figures.all_figures(loaded) == figures.all_figures(by_hand)
