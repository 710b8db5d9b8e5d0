"""The bridge between the directory and `matching/`: ORM rows in, plain profiles out.

The fitted index lives once per process. Each use checks a cheap stamp of the directory
(count and latest change) and refreshes the index when another request, worker or CLI run
has changed a business, so suggestions are never stale and never refitted per request.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from directory.extensions import db
from directory.models import Business
from matching import Matcher, Profile, Suggestion

_lock = threading.Lock()


@dataclass
class _Index:
    matcher: Matcher
    count: int
    latest: datetime | None


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
    # Stage unknown (imported, not yet claimed): left out until matching can weigh unknowns.
    return [to_profile(b, load.get(b.id, 0)) for b in rows if b.stage is not None]


def _stamp() -> tuple[int, datetime | None]:
    count, latest = db.session.execute(
        select(func.count(Business.id), func.max(Business.updated_at))
    ).one()
    return count, latest


def matcher() -> Matcher | None:
    """The fitted index for this app, refreshed if the directory changed since it was built.

    None while the directory is empty.
    """
    count, latest = _stamp()
    if count == 0:
        return None
    ext = current_app.extensions
    with _lock:
        index: _Index | None = ext.get("peerlink_index")
        if index is not None and (index.count, index.latest) == (count, latest):
            return index.matcher
        if index is not None and latest is not None and index.latest is not None:
            changed = _profiles(select(Business).where(Business.updated_at > index.latest))
            # Only additions and edits: the counts agree once the new ones are in.
            known = set(index.matcher.directory_.ids.tolist())
            added = len([p for p in changed if p.id not in known])
            if index.count + added == count:
                if changed:
                    index.matcher.update(changed)
                ext["peerlink_index"] = _Index(index.matcher, count, latest)
                return index.matcher
        fitted = Matcher().fit(_profiles(select(Business).where(Business.listed.is_(True))))
        ext["peerlink_index"] = _Index(fitted, count, latest)
        return fitted


def refresh_load(ids: Iterable[int]) -> None:
    """Re-read these businesses into the index (their open introductions changed)."""
    ids = list(ids)
    if ids and "peerlink_index" in current_app.extensions:
        profiles = _profiles(select(Business).where(Business.id.in_(ids)))
        with _lock:
            current_app.extensions["peerlink_index"].matcher.update(profiles)


def suggest_for(
    business: Business, kind: str, limit: int = 10, max_distance_km: float | None = None
) -> list[Suggestion]:
    fitted = matcher()
    if fitted is None or business.stage is None:
        return []
    load = open_introduction_counts([business.id]).get(business.id, 0)
    return fitted.suggest(
        to_profile(business, load), kind, limit=limit, max_distance_km=max_distance_km
    )


def suggest_for_visitor(
    profile: Profile, kind: str, limit: int = 10, max_distance_km: float | None = None
) -> list[Suggestion]:
    fitted = matcher()
    if fitted is None:
        return []
    return fitted.suggest(profile, kind, limit=limit, max_distance_km=max_distance_km)


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
    fitted = matcher()
    stmt = select(Business).order_by(Business.id)
    if stages:
        stmt = stmt.where(Business.stage.in_(list(stages)))
    for profile in _profiles(stmt):
        suggestions = fitted.suggest(profile, kind, limit=limit) if fitted else []
        yield profile.id, profile.name, suggestions
