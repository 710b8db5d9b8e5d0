"""A dataset's columns, and the groupings several figures share (computed once per dataset)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from directory.evidence.columns import NO_ID, Answers, Intros, Orgs, Pairs, distinct, rows_of


@dataclass(eq=False)
class Frame:
    """A dataset's columns: organisations in scope, introductions touching them (all time),
    outcome answers for the period's introductions, and which introductions are in the period.

    The cached properties are groupings several figures share, computed once per frame."""

    orgs: Orgs
    intros: Intros
    answers: Answers
    period: np.ndarray  # per introduction: requested in the period

    @cached_property
    def requester_row(self) -> np.ndarray:
        return rows_of(self.orgs.id, self.intros.requester)

    @cached_property
    def target_row(self) -> np.ndarray:
        return rows_of(self.orgs.id, self.intros.target)

    @cached_property
    def accepted(self) -> np.ndarray:
        """Accepted introductions of the period."""
        return self.period & ~np.isnat(self.intros.accepted)

    @cached_property
    def period_side_rows(self) -> np.ndarray:
        """Organisations in scope on either side of an introduction of the period."""
        sides = np.concatenate((self.requester_row[self.period], self.target_row[self.period]))
        return distinct(sides[sides != NO_ID])

    @cached_property
    def listed_needs(self) -> Pairs:
        listed = self.orgs.listed
        return self.orgs.needs.take(listed, np.arange(len(listed)))

    @cached_property
    def listed_offers(self) -> Pairs:
        listed = self.orgs.listed
        return self.orgs.offers.take(listed, np.arange(len(listed)))

    @cached_property
    def usefulness(self) -> np.ndarray:
        """Ratings as floats, NaN where unanswered (every comparison with it is false)."""
        return np.array(self.answers.usefulness.tolist(), dtype=float).reshape(len(self.answers))

    @cached_property
    def met(self) -> np.ndarray:
        return self.answers.met.astype(bool)
