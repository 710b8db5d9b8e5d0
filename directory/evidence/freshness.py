"""The evidence version: bumped in the same transaction as every outcome or network write.

Evidence reads organisations, their topics and memberships, introductions, outcome answers,
networks and suggestion views. The directory version (`directory.matches.freshness`) already
goes up with every write to the first four and logs the businesses it changed; this counter
covers the rest that can change (outcome answers and networks: their names, and the slugs the
dashboard filters by) and logs the introductions whose answers changed. Suggestion views are
only ever added, so their largest id says when there are new ones. With the two versions and
that id, read in one query, a worker knows whether the evidence rows it holds are current, and
which of them to read again.

As for the directory version, SQLAlchemy session events see every ORM write, whoever makes it;
code writing these tables with Core statements calls `bump` itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, event, insert, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from directory.matches.freshness import raise_version
from directory.models import EvidenceChange, EvidenceState, Network, Outcome

_STATE = EvidenceState.__table__
_CHANGE = EvidenceChange.__table__
_PENDING = "evidence_changed"
# Every PRUNE_EVERY versions, log entries older than the last KEEP versions are dropped (a
# worker further behind reads every answer again).
PRUNE_EVERY = 1000
KEEP = 10_000


def bump(session: Session, introduction_ids: Iterable[int | None] = ()) -> int:
    """Raise the evidence version by one and log the introductions whose answers changed."""
    conn = session.connection()
    version = raise_version(conn, _STATE, pruned_up_to=0)
    ids = sorted({i for i in introduction_ids if i is not None})
    if ids:
        conn.execute(insert(_CHANGE), [{"version": version, "introduction_id": i} for i in ids])
    if version % PRUNE_EVERY == 0 and version > KEEP:
        conn.execute(delete(_CHANGE).where(_CHANGE.c.version <= version - KEEP))
        conn.execute(update(_STATE).where(_STATE.c.id == 1).values(pruned_up_to=version - KEEP))
    return version


def _pending(session: Session) -> set[int | None]:
    return session.info.setdefault(_PENDING, set())


@event.listens_for(Session, "before_flush")
def _note_changes(session: Session, _context, _instances) -> None:
    """Edits and deletions, while their rows are as they were (new rows: after the flush)."""
    pending = None
    for obj in session.dirty:
        if isinstance(obj, (Outcome, Network)) and session.is_modified(obj):
            pending = _pending(session) if pending is None else pending
            if isinstance(obj, Outcome):  # moved to another introduction: both change
                pending |= {
                    obj.introduction_id,
                    inspect(obj).committed_state.get("introduction_id"),
                }
            pending.add(None)
    for obj in session.deleted:
        if isinstance(obj, (Outcome, Network)):
            pending = _pending(session) if pending is None else pending
            pending.add(obj.introduction_id if isinstance(obj, Outcome) else None)


@event.listens_for(Session, "after_flush")
def _bump_after_flush(session: Session, _context) -> None:
    changed = session.info.pop(_PENDING, None)
    for obj in session.new:
        if isinstance(obj, (Outcome, Network)):
            changed = set() if changed is None else changed
            changed.add(obj.introduction_id if isinstance(obj, Outcome) else None)
    if changed is not None:
        bump(session, changed)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "do_orm_execute")
def _bulk_writes(state: ORMExecuteState):
    """`update(Outcome)...` and friends skip the flush: note their rows here, first."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return None
    cls = state.bind_mapper.class_
    if not issubclass(cls, (Outcome, Network)):
        return None
    ids: set[int | None] = set()
    if cls is Outcome:
        stmt = select(Outcome.introduction_id)
        where = getattr(state.statement, "whereclause", None)  # UPDATE and DELETE have one
        if where is not None:
            stmt = stmt.where(where)
        ids = set(state.session.connection().execute(stmt).scalars())
    result = state.invoke_statement()
    bump(state.session, ids)
    return result
