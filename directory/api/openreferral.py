"""The public directory in Open Referral UK (HSDS 3, UK profile) shapes.

Each listed business is an `organization` delivering one `service` (what it does, classified
by its sectors, the topics it offers help with and ESSGLOBAL activities) at one `location` at
postcode-district precision. Identifiers are UUIDs derived from BASE_URL and the business id,
so they are stable across exports and distinct between Peerlink instances.
"""

from __future__ import annotations

import uuid

from flask import current_app, url_for

from directory.api.essglobal import BASE as ESSGLOBAL_BASE
from directory.api.essglobal import activity_terms, legal_form_term
from directory.api.public import district_coordinates
from directory.models import Business
from matching.vocab import LEGAL_FORMS, REGIONS, SECTORS, TOPICS

HSDS_VERSION = "3.0 UK"
PROFILE = "https://openreferraluk.org/"
TAXONOMIES = {
    "sector": "Peerlink sectors",
    "offer": "Peerlink topics offered",
    "essglobal": "ESSGLOBAL activities-modified",
}


def _uuid(kind: str, key: str) -> str:
    base = current_app.config["BASE_URL"].rstrip("/")
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base}/{kind}/{key}"))


def _attribute(business: Business, link_type: str, taxonomy: str, slug: str, term: str) -> dict:
    term_id = _uuid("taxonomy-term", f"{taxonomy}/{slug}")
    return {
        "id": _uuid("attribute", f"{business.id}/{taxonomy}/{slug}"),
        "link_id": _uuid("service", str(business.id)),
        "link_type": link_type,
        "link_entity": "service",
        "taxonomy_term_id": term_id,
        "taxonomy_term": {
            "id": term_id,
            "term": term,
            "code": slug,
            "taxonomy": TAXONOMIES[taxonomy],
            **(
                {"term_uri": f"{ESSGLOBAL_BASE}activities-modified/{slug}"}
                if taxonomy == "essglobal"
                else {}
            ),
        },
    }


def _attributes(business: Business) -> list[dict]:
    found = [
        _attribute(business, "sector", "sector", s, SECTORS.get(s, s)) for s in business.sectors
    ]
    found += [_attribute(business, "offers", "offer", t, TOPICS.get(t, t)) for t in business.offers]
    found += [
        _attribute(business, "activity", "essglobal", a["code"], a["label"])
        for a in activity_terms(business.sectors)
    ]
    return found


def location(business: Business) -> dict:
    latitude, longitude = district_coordinates(business)
    place = business.public_location
    return {
        "id": _uuid("location", str(business.id)),
        "location_type": "physical",
        "name": place,
        "latitude": latitude,
        "longitude": longitude,
        "addresses": [
            {
                "id": _uuid("address", str(business.id)),
                "location_id": _uuid("location", str(business.id)),
                "address_1": place,
                "city": business.town or place,
                "state_province": REGIONS.get(business.region, business.region),
                "postal_code": business.outcode or "",
                "country": "GB",
                "address_type": "physical",
            }
        ],
    }


def organization(business: Business, with_services: bool = True) -> dict:
    data: dict = {
        "id": _uuid("organization", str(business.id)),
        "name": business.name,
        "description": business.description or SECTORS.get(business.sector, business.sector),
        "uri": url_for("businesses.profile", slug=business.slug, _external=True),
        "website": business.website or None,
        "legal_status": LEGAL_FORMS.get(business.legal_form or "") or None,
        "year_incorporated": business.founded_year,
        "locations": [location(business)],
    }
    legal = legal_form_term(business.legal_form)
    if legal:
        term_id = _uuid("taxonomy-term", f"essglobal-os/{legal['code']}")
        data["attributes"] = [
            {
                "id": _uuid("attribute", f"{business.id}/essglobal-os"),
                "link_id": data["id"],
                "link_type": "legal_form",
                "link_entity": "organization",
                "taxonomy_term_id": term_id,
                "taxonomy_term": {
                    "id": term_id,
                    "term": legal["label"],
                    "code": legal["code"],
                    "term_uri": legal["uri"],
                    "taxonomy": "ESSGLOBAL organisational-structure",
                },
            }
        ]
    data = {k: v for k, v in data.items() if v is not None}
    if with_services:
        data["services"] = [service(business, with_organization=False)]
    return data


def service(business: Business, with_organization: bool = True) -> dict:
    offered = ", ".join(TOPICS.get(t, t).lower() for t in business.offers)
    description = business.description or SECTORS.get(business.sector, business.sector)
    if offered:
        description = f"{description} Offers peer help with: {offered}."
    data: dict = {
        "id": _uuid("service", str(business.id)),
        "organization_id": _uuid("organization", str(business.id)),
        "name": f"{business.name}: {SECTORS.get(business.sector, business.sector)}",
        "description": description,
        "url": url_for("businesses.profile", slug=business.slug, _external=True),
        "status": "active",
        "last_modified": business.updated_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "attributes": _attributes(business),
        "service_at_locations": [
            {
                "id": _uuid("service-at-location", str(business.id)),
                "service_id": _uuid("service", str(business.id)),
                "location_id": _uuid("location", str(business.id)),
                "location": location(business),
            }
        ],
    }
    if with_organization:
        data["organization"] = organization(business, with_services=False)
    return data


def page(items: list[dict], total: int, page_number: int, size: int) -> dict:
    """The HSDS 3 API's paged envelope."""
    pages = max(1, -(-total // size))
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page_number,
        "size": size,
        "first_page": page_number == 1,
        "last_page": page_number >= pages,
        "empty": not items,
        "contents": items,
    }
