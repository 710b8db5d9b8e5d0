"""The bridge between the directory and `matching/`: ORM rows in, plain profiles out.

Each process keeps one fitted index, built at start-up (`warm_up`) rather than on the first
request. Each use reads the directory version (`directory.matches.freshness`: one primary-key
read); when another request, worker or CLI run has changed something matching reads, the index
re-reads only the businesses logged since its version and updates them in place. Open
introductions bump the version of both businesses, so every worker sees a mentor's load. The
text model is refitted in the background when enough has changed, or when `flask --app wsgi
matching refit` asks every worker to.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable

from flask import Flask, current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload

from directory.extensions import db
from directory.matches import freshness  # noqa: F401  (registers the version events)
from directory.models import Business, MatchingChange, MatchingState
from matching import Kind, Matcher, Profile, Suggestion
from matching.reasons import why_empty
from matching.types import KINDS

_KEY = "peerlink_index"
_build_lock = threading.Lock()


def _after_fork() -> None:
    """A worker forked (gunicorn --preload) while the start-up build held the lock would
    wait for a thread that does not exist in it: start the child with a fresh lock."""
    global _build_lock
    _build_lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork)
# A worker further behind than this share of the directory rebuilds instead of catching up.
_REBUILD_SHARE = 0.25
_CHUNK = 500


class MatchingIndex:
    """One process's matcher, the directory version it reflects, and the lock guarding it."""

    def __init__(self, matcher: Matcher, version: int, refits: int):
        self.matcher = matcher
        self.version = version
        self.refits = refits
        self.lock = threading.RLock()
        self.refitting = False


def to_profile(business: Business, open_introductions: int = 0) -> Profile:
    return Profile(
        id=business.id,
        name=business.name,
        slug=business.slug,
        sectors=tuple(business.sectors),
        stage=business.stage,
        latitude=business.latitude,
        longitude=business.longitude,
        needs=frozenset(business.needs),
        offers=frozenset(business.offers),
        description=business.description or "",
        willing_to_mentor=business.willing_to_mentor,
        owner_id=business.owner_id,
        town=business.town or business.outcode or "",
        founded_year=business.founded_year,
        open_introductions=open_introductions,
        mentor_capacity=business.mentor_capacity,
        accepting_requests=business.accepting_requests,
    )


def open_introduction_counts(ids: Iterable[int] | None = None) -> dict[int, int]:
    """Open introductions per business; the introductions feature registers the real count."""
    counter = current_app.extensions.get("peerlink_open_introductions")
    return counter(ids) if counter else {}


def _profiles(stmt) -> list[Profile]:
    rows = (
        db.session.execute(
            stmt.options(
                selectinload(Business.topic_rows), selectinload(Business.other_sector_rows)
            )
        )
        .scalars()
        .all()
    )
    load = open_introduction_counts([b.id for b in rows])
    return [to_profile(b, load.get(b.id, 0)) for b in rows]


def read_version() -> tuple[int, int]:
    """The directory version and the refit count: one primary-key read."""
    # Plain SQL on the session's connection: the ORM's statement handling would cost more
    # than the read itself, and this runs before every suggestion.
    row = (
        db.session.connection()
        .exec_driver_sql("SELECT version, refits FROM matching_state WHERE id = 1")
        .first()
    )
    return (row[0], row[1]) if row else (0, 0)


def _fit() -> MatchingIndex:
    """Fit on every listed business, at the version read first (later changes catch up)."""
    version, refits = read_version()
    profiles = _profiles(select(Business).where(Business.listed.is_(True)))
    return MatchingIndex(Matcher().fit(profiles), version, refits)


def index() -> MatchingIndex:
    """This process's index, current with the directory."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # LocalProxy typed as Flask
    version, refits = read_version()
    idx: MatchingIndex | None = app.extensions.get(_KEY)
    if idx is None:
        with _build_lock:  # a start-up build in progress: wait for it, do not build twice
            idx = app.extensions.get(_KEY)
            if idx is None:
                idx = app.extensions[_KEY] = _fit()
    if idx.version < version:
        with idx.lock:
            if idx.version < version:
                _catch_up(idx, version)
    share = app.config.get("MATCHING_REFIT_SHARE", 0.1)
    if refits != idx.refits or idx.matcher.stale_share() > share:
        _refit(app, idx, refits)
    return idx


def _catch_up(idx: MatchingIndex, version: int) -> None:
    """Re-read the businesses changed since `idx.version`; rebuild if too far behind."""
    oldest = db.session.execute(select(func.min(MatchingChange.version))).scalar()
    ids = sorted(
        db.session.execute(
            select(MatchingChange.business_id)
            .where(MatchingChange.version > idx.version, MatchingChange.version <= version)
            .distinct()
        ).scalars()
    )
    if (oldest is not None and oldest > idx.version + 1) or len(ids) > max(
        1000, _REBUILD_SHARE * len(idx.matcher)
    ):
        fresh = _fit()
        idx.matcher, idx.version = fresh.matcher, fresh.version
        return
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        found = _profiles(select(Business).where(Business.id.in_(chunk), Business.listed.is_(True)))
        idx.matcher.update(found)
        idx.matcher.remove(set(chunk) - {p.id for p in found})  # deleted or unlisted
    idx.version = version


def _refit(app: Flask, idx: MatchingIndex, refits: int) -> None:
    """Refit the text model (new vocabulary, document lengths, compact rows), off the
    request path; the old index serves and catches up meanwhile."""
    with idx.lock:
        if idx.refitting:
            return
        idx.refitting = True

    def work() -> None:
        try:
            with app.app_context():
                fresh = _fit()
                with idx.lock:
                    idx.matcher, idx.version, idx.refits = fresh.matcher, fresh.version, refits
        finally:
            idx.refitting = False

    _run(app, work)


def _run(app: Flask, work) -> None:
    """In a thread, except under test, where the work runs at once so tests stay exact."""
    if app.config.get("TESTING"):
        work()
    else:
        threading.Thread(target=work, name="peerlink-matching", daemon=True).start()


def warm_up(app: Flask) -> None:
    """Build the index at start-up, in the background, so that no request waits for it."""

    def work() -> None:
        with app.app_context(), _build_lock:
            if _KEY not in app.extensions:
                try:
                    app.extensions[_KEY] = _fit()
                except Exception:  # no schema yet (before `db upgrade`): the first use builds
                    app.logger.warning("matching index not built at start-up", exc_info=True)

    _run(app, work)


def request_refit() -> tuple[int, float]:
    """Ask every worker to refit (they see it on their next use), fit once here to check,
    and forget change-log entries no worker needs; the size and seconds of the fit."""
    db.session.execute(
        update(MatchingState)
        .where(MatchingState.id == 1)
        .values(refits=MatchingState.refits + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    started = time.perf_counter()
    fresh = _fit()
    seconds = time.perf_counter() - started
    current_app.extensions[_KEY] = fresh
    keep_after = fresh.version - max(10_000, len(fresh.matcher))
    db.session.execute(delete(MatchingChange).where(MatchingChange.version <= keep_after))
    db.session.commit()
    return len(fresh.matcher), seconds


def _kind(kind: str) -> Kind:
    """A kind the matcher knows (views and commands pass strings from forms and the database)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    return "peer" if kind == "peer" else "mentor"


def _suggest(profile: Profile, kind: str, limit: int, max_distance_km: float | None):
    idx = index()
    with idx.lock:
        return idx.matcher.suggest(
            profile, _kind(kind), limit=limit, max_distance_km=max_distance_km
        )


def suggest_for(
    business: Business, kind: str, limit: int = 10, max_distance_km: float | None = None
) -> list[Suggestion]:
    load = open_introduction_counts([business.id]).get(business.id, 0)
    return _suggest(to_profile(business, load), kind, limit, max_distance_km)


def suggest_for_visitor(
    profile: Profile, kind: str, limit: int = 10, max_distance_km: float | None = None
) -> list[Suggestion]:
    return _suggest(profile, kind, limit, max_distance_km)


def empty_explanation(
    business: Business | Profile, kind: str, max_distance_km: float | None
) -> str:
    """Why a column is empty and what would fill it ("add what you need help with")."""
    profile = business if isinstance(business, Profile) else to_profile(business)
    return why_empty(profile, _kind(kind), max_distance_km)


def find_business(key: str) -> Business | None:
    """A business by id, slug or exact name (the CLI's BUSINESS argument)."""
    if key.isdigit():
        found = db.session.get(Business, int(key))
        if found is not None:
            return found
    return (
        db.session.execute(select(Business).where((Business.slug == key) | (Business.name == key)))
        .scalars()
        .first()
    )


def suggestion_cards(suggestions: list[Suggestion]) -> list[tuple[Suggestion, Business]]:
    """Pair suggestions with their rows (for public fields on the cards), best first."""
    ids = [s.id for s in suggestions]
    rows = (
        {
            b.id: b
            for b in db.session.execute(
                select(Business).where(Business.id.in_(ids), Business.listed.is_(True))
            ).scalars()
        }
        if ids
        else {}
    )
    return [(s, rows[s.id]) for s in suggestions if s.id in rows]


def batch(kind: str, limit: int, stages: Iterable[str] = ()):
    """Suggestions for every business (or those at the given stages), in id order."""
    stmt = select(Business).order_by(Business.id)
    if stages:
        stmt = stmt.where(Business.stage.in_(list(stages)))
    for profile in _profiles(stmt):
        yield profile.id, profile.name, _suggest(profile, kind, limit, None)


def refresh_load(ids: Iterable[int]) -> None:
    """Bring this process's index up to date now (callers that changed introductions).

    The version events already log both sides of every introduction that changes, so every
    worker catches up on its next use; this only spares the current one a stale read.
    """
    if list(ids) and _KEY in current_app.extensions:
        index()
