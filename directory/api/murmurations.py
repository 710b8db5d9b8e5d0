"""Murmurations profiles: each listed business as an organisation, and each topic it offers
or wants help with as an offer or a want, so solidarity-economy maps and aggregators can index
Peerlink's directory. Contact goes through the Peerlink profile (introductions), never email.
"""

from __future__ import annotations

from flask import url_for

from directory.api.essglobal import activity_terms
from directory.api.public import district_coordinates
from directory.models import Business
from matching.vocab import SECTORS, TOPICS

ORGANIZATIONS_SCHEMA = "organizations_schema-v1.0.0"
OFFERS_WANTS_SCHEMA = "offers_wants_schema-v0.1.0"
EXCHANGES = {"offer": "offers", "want": "needs"}


def _geolocation(business: Business) -> dict:
    latitude, longitude = district_coordinates(business)
    return {"lat": latitude, "lon": longitude}


def organization_profile(business: Business) -> dict:
    page = url_for("businesses.profile", slug=business.slug, _external=True)
    tags = [SECTORS.get(s, s) for s in business.sectors]
    tags += [a["label"] for a in activity_terms(business.sectors)]
    tags += [TOPICS.get(t, t) for t in business.offers]
    profile: dict = {
        "linked_schemas": [ORGANIZATIONS_SCHEMA],
        "name": business.name,
        "primary_url": business.website or page,
        "tags": list(dict.fromkeys(tags)),
        "urls": [{"name": "Peerlink profile", "url": page}],
        "description": business.description or SECTORS.get(business.sector, business.sector),
        "country_iso_3166": "GB",
        "geolocation": _geolocation(business),
        "contact_details": {"contact_form": page},
    }
    if business.town or business.outcode:
        profile["full_address"] = business.public_location
    for exchange, attribute in EXCHANGES.items():
        for topic in getattr(business, attribute):
            url = url_for(
                "api.murmurations_exchange",
                business_id=business.id,
                exchange=exchange,
                topic=topic,
                _external=True,
            )
            profile["urls"].append({"name": f"{exchange}: {TOPICS.get(topic, topic)}", "url": url})
    return profile


def exchange_profile(business: Business, exchange: str, topic: str) -> dict:
    """An offer of help (a topic it offers) or a want (a topic it needs) as a service."""
    label = TOPICS.get(topic, topic)
    page = url_for("businesses.profile", slug=business.slug, _external=True)
    verb = "offers help with" if exchange == "offer" else "would like help with"
    return {
        "linked_schemas": [OFFERS_WANTS_SCHEMA],
        "exchange_type": exchange,
        "item_type": "service",
        "transaction_type": ["receive-donate"],
        "tags": [label, SECTORS.get(business.sector, business.sector)],
        "title": f"{business.name} {verb}: {label}",
        "description": f"{business.name} ({business.public_location}) {verb} "
        f"{label.lower()}, peer to peer. Ask for an introduction on Peerlink.",
        "details_url": page,
        "geolocation": _geolocation(business),
        "geographic_scope": "regional",
        "contact_details": {"contact_form": page},
    }
