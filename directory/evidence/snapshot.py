"""Every row evidence reads, for every network, kept by each process until a write changes it.

A process keeps one snapshot: all organisations, introductions, outcome answers and networks,
as numpy columns (`reading`). The stamp read before each page (one query: the directory
version, the evidence version and the last suggestion view's id) says what changed since: the
snapshot then reads again only the businesses the directory's change log names (with their
topics, memberships, introductions and those introductions' answers) and the answers of the
introductions the evidence log names, and appends new suggestion views. Each viewer's scope and
filters select rows from the snapshot with masks, without another query.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from directory.evidence.columns import (
    NO_ID,
    Answers,
    Intros,
    Orgs,
    concat,
    member,
    rows_of,
    sort_by_id,
    take,
)
from directory.evidence.frame import Frame
from directory.evidence.reading import (
    Stamp,
    bulk_read,
    changed_answers,
    changed_businesses,
    load_answers,
    load_intros,
    load_networks,
    load_orgs,
    load_views,
)

# A refresh reads again the businesses the change log names, unless they are more than these
# (then it reads everything: one pass over each table is cheaper than many lookups).
REFRESH_MOST = 500
REFRESH_SHARE = 0.1
# Views committed out of id order (a lower id after a higher one) are caught by reading again
# the views this far below the last id seen.
VIEW_WINDOW = 1000


@dataclass(eq=False)
class Snapshot:
    """Every evidence row, as of the directory and evidence versions. Immutable: a refresh
    makes a new one."""

    versions: tuple[int, int]
    orgs: Orgs
    intros: Intros
    answers: Answers
    networks: dict[int, str]
    slugs: dict[str, int]

    @classmethod
    def load(cls, stamp: Stamp) -> Snapshot:
        with bulk_read():
            networks, slugs = load_networks()
            orgs, intros, answers = load_orgs(), load_intros(), load_answers()
        return cls((stamp.directory, stamp.evidence), orgs, intros, answers, networks, slugs)

    def refreshed(self, stamp: Stamp) -> Snapshot:
        """Current with `stamp`, reading again only what its versions say changed: the
        businesses the directory's change log names (with their topics, memberships,
        introductions and those introductions' answers), the answers of the introductions the
        evidence log names, and the networks. Everything, when a log no longer reaches back or
        names too many."""
        snapshot = self
        if stamp.directory != self.versions[0]:
            changed = changed_businesses(self.versions[0], stamp.directory)
            if changed is None or len(changed) > max(REFRESH_MOST, REFRESH_SHARE * len(self.orgs)):
                return Snapshot.load(stamp)
            with bulk_read():
                snapshot = self._with_businesses(changed)
        if stamp.evidence != self.versions[1]:
            with bulk_read():
                networks, slugs = load_networks()
                answers = snapshot._answers_after(self.versions[1], stamp)
            snapshot = replace(snapshot, answers=answers, networks=networks, slugs=slugs)
        if snapshot is self:
            return self
        return replace(snapshot, versions=(stamp.directory, stamp.evidence))

    def _answers_after(self, since: int, stamp: Stamp) -> Answers:
        """The answers, those of the introductions the evidence log names since `since`
        read again (all of them when the log no longer reaches back or names too many)."""
        if since < stamp.evidence_pruned_up_to:
            return load_answers()
        changed = changed_answers(since, stamp.evidence)
        if len(changed) > REFRESH_MOST:
            return load_answers()
        kept = take(self.answers, ~member(self.answers.introduction, changed))
        return sort_by_id(concat(kept, load_answers(changed.tolist())))

    def _with_businesses(self, changed: np.ndarray) -> Snapshot:
        """The rows of these businesses, and of introductions touching them, read again (a
        business or introduction gone from the database goes from the snapshot too)."""
        ids = changed.tolist()
        touching = member(self.intros.requester, changed) | member(self.intros.target, changed)
        intros = load_intros(ids)
        replaced = np.concatenate((self.intros.id[touching], intros.id))
        return replace(
            self,
            orgs=sort_by_id(
                concat(take(self.orgs, ~member(self.orgs.id, changed)), load_orgs(ids))
            ),
            intros=sort_by_id(concat(take(self.intros, ~touching), intros)),
            answers=sort_by_id(
                concat(
                    take(self.answers, ~member(self.answers.introduction, replaced)),
                    load_answers(intros.id.tolist()),
                )
            ),
        )

    def gone_from(self, old: Snapshot) -> np.ndarray:
        """Ids of organisations `old` held that are gone, or whose id is now another
        organisation's (SQLite may give a deleted row's id to the next new one)."""
        rows = rows_of(self.orgs.id, old.orgs.id)
        found = rows != NO_ID
        same = np.zeros(len(old.orgs), dtype=bool)
        same[found] = self.orgs.created[rows[found]] == old.orgs.created[found]
        return old.orgs.id[~same]

    def frame(
        self,
        start: datetime,
        end: datetime,
        network_ids: set[int] | None,
        sector: str | None,
        region: str | None,
    ) -> Frame:
        """The rows a viewer sees: organisations in these networks (None: all) of this sector
        and region, introductions reviewed by these networks that touch them, and the answers
        for those requested in [start, end)."""
        orgs = self.orgs
        keep = np.ones(len(orgs), dtype=bool)
        if sector:
            keep &= orgs.sector == sector
        if region:
            keep &= orgs.region == region
        wanted = None
        if network_ids is not None:
            wanted = np.array(sorted(network_ids), dtype=np.int64)
            members = np.zeros(len(orgs), dtype=bool)
            members[orgs.networks.row[member(orgs.networks.value, wanted)]] = True
            keep &= members
        scoped = take(orgs, keep)
        intros = self.intros
        touching = (rows_of(scoped.id, intros.requester) != NO_ID) | (
            rows_of(scoped.id, intros.target) != NO_ID
        )
        if wanted is not None:
            touching &= member(intros.network, wanted)
        intros = take(intros, touching)
        period = (intros.requested >= np.datetime64(start, "us")) & (
            intros.requested < np.datetime64(end, "us")
        )
        answers = take(self.answers, member(self.answers.introduction, intros.id[period]))
        return Frame(scoped, intros, answers, period)


@dataclass(eq=False)
class ViewLog:
    """Suggestion views (business, when), read once and then only the new ones."""

    settled_up_to: int = 0  # every view with an id up to this one is in `settled`
    settled: tuple[np.ndarray, np.ndarray] = (
        np.empty(0, dtype=np.int64),
        np.empty(0, dtype="datetime64[us]"),
    )
    recent: tuple[np.ndarray, np.ndarray] = settled
    last_view: int = 0

    def refreshed(self, stamp: Stamp) -> ViewLog:
        if stamp.last_view == self.last_view:
            return self
        if stamp.last_view < self.last_view:  # the table was emptied or recreated
            return ViewLog().refreshed(stamp)
        with bulk_read():
            view_ids, business, viewed = load_views(self.settled_up_to)
        settle = max(self.settled_up_to, stamp.last_view - VIEW_WINDOW)
        now_settled = view_ids <= settle
        return ViewLog(
            settled_up_to=settle,
            settled=(
                np.concatenate((self.settled[0], business[now_settled])),
                np.concatenate((self.settled[1], viewed[now_settled])),
            ),
            recent=(business[~now_settled], viewed[~now_settled]),
            last_view=stamp.last_view,
        )

    def count(self, org_ids: np.ndarray, start: datetime, end: datetime) -> int:
        """Views of these organisations (ascending ids) in [start, end)."""
        business = np.concatenate((self.settled[0], self.recent[0]))
        viewed = np.concatenate((self.settled[1], self.recent[1]))
        chosen = business[
            (viewed >= np.datetime64(start, "us")) & (viewed < np.datetime64(end, "us"))
        ]
        return int(np.count_nonzero(rows_of(org_ids, chosen) != NO_ID))

    def without(self, businesses: np.ndarray) -> ViewLog:
        """The views, but none of these businesses' (deleted: their views went with them)."""
        if not len(businesses):
            return self
        settled, recent = (
            tuple(column[~member(views[0], businesses)] for column in views)
            for views in (self.settled, self.recent)
        )
        return replace(self, settled=settled, recent=recent)
