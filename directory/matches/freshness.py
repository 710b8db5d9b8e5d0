"""The directory version: bumped in the same transaction as every write matching reads.

Matching reads a business's profile fields, sectors, needs, offers, networks, pause switch,
mentor capacity, listing and open introductions. Editing only needs or networks does not touch
`Business.updated_at`, and introductions change a mentor's load without touching the business
at all, so a timestamp cannot say what changed. Instead, SQLAlchemy session events note the
businesses each flush (or bulk UPDATE/DELETE) changes, raise `matching_state.version` by one
and log the ids under that version. The UPDATE takes the row's lock until commit, so versions
become visible in order; a worker that sees version V has seen every change up to V.

No caller has to remember anything: the events see every ORM write, whoever makes it
(forms, imports, the introductions workflow, the CLI).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Table, event, insert, or_, select, update
from sqlalchemy.orm import Session

from directory.models import (
    Business,
    BusinessSector,
    BusinessTopic,
    Introduction,
    MatchingChange,
    MatchingState,
    Network,
    User,
    business_networks,
)

_PENDING = "matching_changed"
_STATE = MatchingState.__table__
_CHANGE = MatchingChange.__table__
# ORM classes whose bulk UPDATE/DELETE changes matching, and the business ids a row names.
_BULK = {
    Business: (Business.id,),
    BusinessTopic: (BusinessTopic.business_id,),
    BusinessSector: (BusinessSector.business_id,),
    Introduction: (Introduction.requester_id, Introduction.target_id),
}


def raise_version(conn: Connection, state: Table, **first_row: int) -> int:
    """Raise a one-row version table's version by one (creating the row, with `first_row`'s
    other columns, the first time), in the caller's transaction; the new version."""
    raised = conn.execute(
        update(state).where(state.c.id == 1).values(version=state.c.version + 1)
    ).rowcount
    if not raised:
        conn.execute(insert(state).values(id=1, version=1, **first_row))
    return conn.execute(select(state.c.version).where(state.c.id == 1)).scalar_one()


def bump(session: Session, ids: Iterable[int | None]) -> int | None:
    """Raise the version by one and log these business ids under it; the new version."""
    ids = sorted({i for i in ids if i is not None})
    if not ids:
        return None
    conn = session.connection()
    version = raise_version(conn, _STATE, refits=0)
    conn.execute(insert(_CHANGE), [{"version": version, "business_id": i} for i in ids])
    return version


def _counterparts(session: Session, ids: set[int]) -> set[int]:
    """Businesses with an introduction to these ones (the database deletes those rows)."""
    if not ids:
        return set()
    rows = session.connection().execute(
        select(Introduction.requester_id, Introduction.target_id).where(
            or_(Introduction.requester_id.in_(ids), Introduction.target_id.in_(ids))
        )
    )
    return {i for row in rows for i in row}


@event.listens_for(Session, "before_flush")
def _note_changes(session: Session, _context, _instances) -> None:
    """Edits and deletions, while their rows still exist (new rows get ids in the flush)."""
    ids: set[int] = session.info.setdefault(_PENDING, set())
    for obj in session.dirty:
        if isinstance(obj, Business) and session.is_modified(obj):
            ids.add(obj.id)
        elif isinstance(obj, (BusinessTopic, BusinessSector)):
            ids.add(obj.business_id)
        elif isinstance(obj, Introduction) and session.is_modified(obj):
            ids |= {obj.requester_id, obj.target_id}
    deleted_businesses = set()
    conn = None
    for obj in session.deleted:
        if isinstance(obj, Business):
            deleted_businesses.add(obj.id)
        elif isinstance(obj, (BusinessTopic, BusinessSector)):
            ids.add(obj.business_id)
        elif isinstance(obj, Introduction):
            ids |= {obj.requester_id, obj.target_id}
        elif isinstance(obj, (Network, User)):
            conn = conn or session.connection()
            stmt = (
                select(business_networks.c.business_id).where(
                    business_networks.c.network_id == obj.id
                )
                if isinstance(obj, Network)
                else select(Business.id).where(Business.owner_id == obj.id)
            )
            ids |= set(conn.execute(stmt).scalars())
    ids |= deleted_businesses | _counterparts(session, deleted_businesses)


@event.listens_for(Session, "after_flush")
def _bump_after_flush(session: Session, _context) -> None:
    ids: set[int] = session.info.pop(_PENDING, set())
    for obj in session.new:
        if isinstance(obj, Business):
            ids.add(obj.id)
        elif isinstance(obj, (BusinessTopic, BusinessSector)):
            ids.add(obj.business_id)
        elif isinstance(obj, Introduction):
            ids |= {obj.requester_id, obj.target_id}
    bump(session, ids)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "do_orm_execute")
def _bulk_writes(state):
    """`update(Introduction)...` and friends skip the flush: note their rows here, first."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    columns = _BULK.get(state.bind_mapper.class_)
    if columns is None:
        return
    stmt = select(*columns)
    if state.statement.whereclause is not None:
        stmt = stmt.where(state.statement.whereclause)
    ids = {i for row in state.session.connection().execute(stmt) for i in row}
    if state.bind_mapper.class_ is Business and state.is_delete:
        ids |= _counterparts(state.session, ids)
    # Write first, then take the version row's lock, in the order a flush takes them, so
    # that a bulk UPDATE and a flush touching the same row cannot deadlock on PostgreSQL.
    result = state.invoke_statement()
    bump(state.session, ids)
    return result
