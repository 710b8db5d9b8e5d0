"""Businesses as use cases: validated data in, rows saved, caches told.

Forms, the CSV import, the demo loader and the CLI all save businesses through here, so every
path follows the same rules.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from dataclasses import dataclass, field

from anyascii import anyascii
from flask import current_app, url_for
from sqlalchemy import or_

from directory.extensions import db
from directory.models import Business, Network, User
from directory.places import Place


@dataclass
class BusinessData:
    """Validated fields of a business, as a form or an import row provides them."""

    name: str
    sector: str
    stage: str | None
    place: Place
    description: str = ""
    other_sectors: list[str] = field(default_factory=list)
    legal_form: str | None = None
    founded_year: int | None = None
    needs: list[str] = field(default_factory=list)
    offers: list[str] = field(default_factory=list)
    willing_to_mentor: bool = False
    website: str = ""
    email: str = ""
    phone: str = ""
    # None leaves memberships as they are (owners ask to join; only admins and imports set them).
    networks: list[str] | None = field(default_factory=list)
    mentor_capacity: int | None = None
    accepting_requests: bool = True
    named_in_evidence: bool = False


def visible_to(business: Business, user) -> bool:
    """Listed profiles are public; an unlisted one only to its owner and the admins."""
    if business.listed:
        return True
    signed_in = user is not None and user.is_authenticated
    return signed_in and (business.owner_id == user.id or user.is_admin)


def owner_may_list(owner: User | None) -> bool:
    """A business is listed once its owner's email is verified (imports have no owner)."""
    return owner is None or owner.email_verified_at is not None


def normalised_name(name: str) -> str:
    """What makes two names the same business: case, spacing and punctuation do not count.

    "Acme", "ACME" and "Acme." are one business; "大阪の協同組合" and "!!!" are two. A name
    with no letters or digits at all is compared as written (case and spacing aside).
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    words = re.findall(r"[^\W_]+", text)
    return (" ".join(words) or " ".join(text.split()))[:160]


def slugify(text: str) -> str:
    """The readable part of a slug: transliterated to ASCII (大阪 -> daban, Кооп -> koop)."""
    ascii_text = anyascii(unicodedata.normalize("NFKC", text))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:150].strip("-") or "business"


def reserved_slugs() -> set[str]:
    """Fixed segments under /businesses/ (new, map.json, ...): never a business's slug."""
    reserved = set()
    for rule in current_app.url_map.iter_rules():
        parts = rule.rule.split("/")
        if len(parts) > 2 and parts[1] == "businesses" and "<" not in parts[2]:
            reserved.add(parts[2])
    return reserved


def allocate_slug(name: str, taken: Container[str], reserved: Container[str]) -> str:
    """The name's slug, or the first of slug-2, slug-3 ... that is neither taken nor reserved."""
    base = slugify(name)
    candidate, n = base, 1
    while candidate in taken or candidate in reserved:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def unique_slug(name: str, exclude_id: int | None = None) -> str:
    """A free slug for one business being saved (bulk saves use allocate_slug with a set)."""
    base = slugify(name)
    stmt = db.select(Business.slug).where(
        or_(Business.slug == base, Business.slug.like(f"{base}-%"))
    )
    if exclude_id is not None:
        stmt = stmt.where(Business.id != exclude_id)
    taken = set(db.session.execute(stmt).scalars())
    return allocate_slug(name, taken, reserved_slugs())


def find_by_name(name: str) -> Business | None:
    """The business with this name, as normalised_name compares names."""
    return (
        db.session.execute(
            db.select(Business)
            .where(Business.name_key == normalised_name(name))
            .order_by(Business.id)
        )
        .scalars()
        .first()
    )


def name_taken(name: str, exclude_id: int | None = None) -> bool:
    stmt = db.select(Business.id).where(Business.name_key == normalised_name(name))
    if exclude_id is not None:
        stmt = stmt.where(Business.id != exclude_id)
    return db.session.execute(stmt.limit(1)).first() is not None


def networks_by_slug(slugs: list[str]) -> list[Network]:
    if not slugs:
        return []
    rows = db.session.execute(db.select(Network).where(Network.slug.in_(slugs))).scalars()
    return sorted(rows, key=lambda n: n.name)


def apply_business(
    business: Business,
    data: BusinessData,
    networks: dict[str, Network] | None = None,
    taken_slugs: set[str] | None = None,
) -> Business:
    """Copy validated data onto a (new or existing) business row.

    `networks` (slug to row) and `taken_slugs` (every slug in use, updated here) save queries
    per business when many are saved at once. A slug changes only when the name's does, so
    links to a profile survive an edit that leaves the name alone.
    """
    if business.slug is None or slugify(business.name or "") != slugify(data.name):
        if taken_slugs is None:
            business.slug = unique_slug(data.name, exclude_id=business.id)
        else:
            taken_slugs.discard(business.slug)
            business.slug = allocate_slug(data.name, taken_slugs, reserved_slugs())
            taken_slugs.add(business.slug)
    business.name = data.name
    business.name_key = normalised_name(data.name)
    business.description = data.description
    business.sector = data.sector
    business.other_sectors = data.other_sectors
    business.legal_form = data.legal_form
    business.stage = data.stage
    business.founded_year = data.founded_year
    business.postcode = data.place.postcode
    business.outcode = data.place.outcode
    business.town = data.place.town
    business.latitude = data.place.latitude
    business.longitude = data.place.longitude
    business.public_latitude = data.place.public_latitude
    business.public_longitude = data.place.public_longitude
    business.region = data.place.region
    business.needs = data.needs
    business.offers = data.offers
    business.willing_to_mentor = data.willing_to_mentor
    business.mentor_capacity = data.mentor_capacity
    business.accepting_requests = data.accepting_requests
    business.named_in_evidence = data.named_in_evidence
    business.website = data.website
    business.email = data.email
    business.phone = data.phone
    if data.networks is not None:  # None: memberships stay as they are
        if networks is None:
            business.networks = networks_by_slug(data.networks)
        else:
            business.networks = [networks[slug] for slug in data.networks]
    return business


def create_business(data: BusinessData, owner: User | None) -> Business:
    listed = owner_may_list(owner)  # before the new row exists: reading owner may autoflush
    business = apply_business(Business(), data)
    business.listed = listed
    business.owner = owner
    db.session.add(business)
    db.session.commit()
    directory_changed()
    return business


def update_business(business: Business, data: BusinessData) -> Business:
    apply_business(business, data)
    db.session.commit()
    directory_changed()
    return business


def delete_business(business: Business) -> None:
    db.session.delete(business)
    db.session.commit()
    directory_changed()


def directory_changed() -> None:
    """Hook for caches built from the directory (the matching index refreshes from here)."""
    hooks = current_app.extensions.get("peerlink_on_change", [])
    for hook in hooks:
        hook()


def after_registration_url(business: Business) -> str:
    """A newly registered business lands on its suggestions."""
    return url_for("matches.index", business=business.slug)
