"""Use cases of the directory: accounts, businesses and their locations.

Views and CLI commands call these; they hold the rules, so both paths behave the same.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from flask import current_app, url_for
from sqlalchemy import func

from directory import geo
from directory.extensions import db
from directory.models import Business, Network, User


class LocationError(ValueError):
    """A postcode or town that cannot be placed; `field` names the form field to blame."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Place:
    postcode: str | None
    outcode: str | None
    town: str
    latitude: float
    longitude: float
    region: str


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


def geocoder() -> geo.OfflineGeocoder:
    """One geocoder per app: its postcode tables are loaded once and shared."""
    ext = current_app.extensions
    if "peerlink_geocoder" not in ext:
        offline = geo.OfflineGeocoder()
        if current_app.config.get("GEOCODER_ONLINE_FALLBACK"):
            ext["peerlink_geocoder"] = geo.FallbackGeocoder(
                offline, user_agent=current_app.config["GEOCODER_USER_AGENT"]
            )
        else:
            ext["peerlink_geocoder"] = offline
    return ext["peerlink_geocoder"]


def resolve_place(postcode: str | None, town: str | None) -> Place:
    """Place a business from a postcode (full or district) and/or a town, offline."""
    postcode = (postcode or "").strip()
    town = " ".join((town or "").split())
    if postcode:
        normal = geo.normalise_postcode(postcode)
        if normal is None:
            raise LocationError("postcode", f"“{postcode}” is not a UK postcode.")
        found = geocoder().geocode(normal)
        if found is None:
            raise LocationError("postcode", f"We could not find the postcode {normal}.")
    elif town:
        found = geocoder().geocode(town)
        if found is None or found.raw.get("kind") != "town":
            raise LocationError("town", f"We could not find a town called “{town}”.")
    else:
        raise LocationError("postcode", "Give a postcode or a town.")
    raw = found.raw
    return Place(
        postcode=raw.get("postcode"),
        outcode=raw.get("outcode"),
        town=town or raw.get("town") or "",
        latitude=float(found.latitude),
        longitude=float(found.longitude),
        region=raw["region"],
    )


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


def delete_account(user: User) -> None:
    """Delete a member and every business they own (profiles, topics, memberships)."""
    for business in list(user.businesses):
        db.session.delete(business)
    db.session.delete(user)
    db.session.commit()
    directory_changed()


def create_user(email: str, password: str, name: str = "", role: str = "member") -> User:
    user = User(email=email.strip().lower(), name=name.strip(), role=role)
    user.set_password(password, method=current_app.config["PASSWORD_HASH_METHOD"])
    db.session.add(user)
    return user


def find_user(email: str) -> User | None:
    return db.session.execute(
        db.select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()


def authenticate(email: str, password: str) -> User | None:
    user = find_user(email)
    if user is None or not user.check_password(password):
        return None
    return user


def directory_changed() -> None:
    """Hook for caches built from the directory (the matching index refreshes from here)."""
    hooks = current_app.extensions.get("peerlink_on_change", [])
    for hook in hooks:
        hook()


def after_registration_url(business: Business) -> str:
    """A newly registered business lands on its suggestions."""
    return url_for("matches.index", business=business.slug)


def delete_business(business: Business) -> None:
    db.session.delete(business)
    db.session.commit()
    directory_changed()


def resolve_place_text(text: str) -> Place:
    """One box that takes a postcode or a town."""
    if geo.normalise_postcode(text) is not None:
        return resolve_place(text, None)
    return resolve_place(None, text)
