"""Businesses as the API, the feeds and JSON-LD show them: public fields, district precision."""

from __future__ import annotations

from collections import defaultdict

from flask import url_for
from sqlalchemy import select

from directory.api.schemas import BusinessOut
from directory.extensions import db
from directory.models import Business, BusinessSector, Network, business_networks

MAX_ID = 2**31 - 1  # an INTEGER column on PostgreSQL; larger ids cannot exist


def business_by_id(business_id: int) -> Business | None:
    """A business by id, or None (ids out of the column's range included)."""
    if not 1 <= business_id <= MAX_ID:
        return None
    return db.session.get(Business, business_id)


def district_coordinates(business: Business) -> tuple[float, float]:
    """About a kilometre: enough for a map, never a front door."""
    return round(business.latitude, 2), round(business.longitude, 2)


def _grouped(stmt) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for business_id, value in db.session.execute(stmt):
        found[business_id].append(value)
    return found


def network_slugs(ids: list[int]) -> dict[int, list[str]]:
    """Network slugs per business in one query (a page would otherwise load them one by one)."""
    if not ids:
        return {}
    return _grouped(
        select(business_networks.c.business_id, Network.slug)
        .join(Network, Network.id == business_networks.c.network_id)
        .where(business_networks.c.business_id.in_(ids))
        .order_by(Network.name)
    )


def other_sectors(ids: list[int]) -> dict[int, list[str]]:
    if not ids:
        return {}
    return _grouped(
        select(BusinessSector.business_id, BusinessSector.sector)
        .where(BusinessSector.business_id.in_(ids))
        .order_by(BusinessSector.sector)
    )


def business_out(
    business: Business,
    networks: list[str],
    distance_km: float | None = None,
    sectors: list[str] | None = None,
) -> BusinessOut:
    latitude, longitude = district_coordinates(business)
    return BusinessOut(
        id=business.id,
        slug=business.slug,
        name=business.name,
        description=business.description or "",
        sector=business.sector,
        other_sectors=business.other_sectors if sectors is None else sectors,
        legal_form=business.legal_form,
        stage=business.stage,
        founded_year=business.founded_year,
        town=business.town or "",
        district=business.outcode,
        region=business.region,
        latitude=latitude,
        longitude=longitude,
        needs=business.needs,
        offers=business.offers,
        willing_to_mentor=business.willing_to_mentor,
        website=business.website or "",
        networks=networks,
        url=url_for("businesses.profile", slug=business.slug, _external=True),
        distance_km=None if distance_km is None else round(distance_km, 1),
    )


def businesses_out(
    businesses: list[Business], distances: dict[int, float] | None = None
) -> list[dict]:
    """JSON-ready public records for a page of businesses, in order.

    `distances` (business id to km) adds `distance_km`; without it the key is left out.
    """
    ids = [b.id for b in businesses]
    networks, sectors = network_slugs(ids), other_sectors(ids)
    exclude = {"distance_km"} if distances is None else None
    return [
        business_out(
            b, networks.get(b.id, []), (distances or {}).get(b.id), sectors.get(b.id, [])
        ).model_dump(mode="json", exclude=exclude)
        for b in businesses
    ]


def one_business_out(business: Business) -> dict:
    return business_out(business, [n.slug for n in business.networks]).model_dump(
        mode="json", exclude={"distance_km"}
    )
