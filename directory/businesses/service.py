"""Businesses as use cases: validated data in, rows saved, caches told.

Forms, the CSV import, the demo loader and the CLI all save businesses through here, so every
path follows the same rules.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from flask import current_app, url_for

from directory.extensions import db
from directory.models import Business, Network, User
from directory.places import Place


@dataclass
class BusinessData:
    """Validated fields of a business, as a form or an import row provides them."""

    name: str
    sector: str
    stage: str
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
    networks: list[str] = field(default_factory=list)
    mentor_capacity: int | None = None
    accepting_requests: bool = True
    named_in_evidence: bool = False


def visible_to(business: Business, user) -> bool:
    """Listed profiles are public; an unlisted one only to its owner and the admins."""
    if business.listed:
        return True
    signed_in = user is not None and user.is_authenticated
    return signed_in and (business.owner_id == user.id or user.is_admin)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:150] or "business"


def find_by_name(name: str) -> Business | None:
    return db.session.execute(
        db.select(Business).where(Business.slug == slugify(name))
    ).scalar_one_or_none()


def name_taken(name: str, exclude_id: int | None = None) -> bool:
    existing = find_by_name(name)
    return existing is not None and existing.id != exclude_id


def networks_by_slug(slugs: list[str]) -> list[Network]:
    if not slugs:
        return []
    rows = db.session.execute(db.select(Network).where(Network.slug.in_(slugs))).scalars()
    return sorted(rows, key=lambda n: n.name)


def apply_business(
    business: Business, data: BusinessData, networks: dict[str, Network] | None = None
) -> Business:
    """Copy validated data onto a (new or existing) business row.

    `networks` (slug to row) saves a query per business when many are saved at once.
    """
    business.name = data.name
    business.slug = slugify(data.name)
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
    if networks is None:
        business.networks = networks_by_slug(data.networks)
    else:
        business.networks = [networks[slug] for slug in data.networks]
    return business


def create_business(data: BusinessData, owner: User | None) -> Business:
    business = apply_business(Business(), data)
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
