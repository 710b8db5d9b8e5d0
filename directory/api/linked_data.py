"""schema.org `Organization` JSON-LD for public profiles, so search engines and linked-data
tools read a business's name, district, topics and website without scraping the page."""

from __future__ import annotations

from flask import url_for

from directory.api.essglobal import activity_terms, legal_form_term
from directory.api.public import district_coordinates
from directory.models import Business
from matching.vocab import REGIONS, TOPICS


def organization_jsonld(business: Business) -> dict:
    """The data for a `<script type="application/ld+json">` block (render it with |tojson)."""
    page = url_for("businesses.profile", slug=business.slug, _external=True)
    latitude, longitude = district_coordinates(business)
    address = {
        "@type": "PostalAddress",
        "addressLocality": business.town or None,
        "postalCode": business.outcode or None,
        "addressRegion": REGIONS.get(business.region, business.region),
        "addressCountry": "GB",
    }
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "@id": f"{page}#organization",
        "name": business.name,
        "url": page,
        "description": business.description or None,
        "address": {k: v for k, v in address.items() if v},
        "geo": {"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude},
        "knowsAbout": [TOPICS.get(t, t) for t in business.offers],
        "sameAs": [business.website] if business.website else None,
        "foundingDate": str(business.founded_year) if business.founded_year else None,
    }
    legal = legal_form_term(business.legal_form)
    types = ([legal["uri"]] if legal else []) + [a["uri"] for a in activity_terms(business.sectors)]
    if types:
        data["additionalType"] = types
    return {k: v for k, v in data.items() if v not in (None, [], "")}
