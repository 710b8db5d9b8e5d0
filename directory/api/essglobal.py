"""ESSGLOBAL terms for Peerlink's legal forms and sectors, so co-operative-sector tools (the
Solidarity Economy maps, Murmurations aggregators) can read our exports.

Codes are those of the ESSGLOBAL 2.1 standard vocabularies `organisational-structure` and
`activities-modified`. A slug with no fair equivalent maps to None and is left out.
"""

from __future__ import annotations

BASE = "https://dev.lod.coop/essglobal/2.1/standard/"

ORGANISATIONAL_STRUCTURES = {
    "OS20": "Not-for-profit organisation",
    "OS40": "Charity",
    "OS115": "Co-operative",
    "OS120": "Community Interest Company (CIC)",
    "OS130": "Community Benefit Society / Industrial and Provident Society (IPS)",
    "OS160": "Unincorporated",
}

ACTIVITIES = {
    "AM10": "Arts, Media, Culture & Leisure",
    "AM30": "Community & Collective Spaces",
    "AM40": "Education",
    "AM50": "Energy",
    "AM60": "Food",
    "AM70": "Goods & Services",
    "AM80": "Health, Social Care & Wellbeing",
    "AM90": "Housing",
    "AM100": "Money & Finance",
    "AM110": "Nature, Conservation & Environment",
}

LEGAL_FORM_CODES: dict[str, str | None] = {
    "cbs": "OS130",
    "coop": "OS115",
    "cic": "OS120",
    "clg": "OS20",
    "cio": "OS40",
    "charity": "OS40",
    "unincorporated": "OS160",
    "other": None,
}

SECTOR_CODES: dict[str, str | None] = {
    "shop": "AM70",
    "pub": "AM30",
    "cafe-food": "AM60",
    "food-growing": "AM60",
    "energy": "AM50",
    "health-care": "AM80",
    "housing": "AM90",
    "hub": "AM30",
    "library": "AM10",
    "arts-culture": "AM10",
    "sport-leisure": "AM10",
    "environment": "AM110",
    "transport": "AM70",
    "employment-training": "AM40",
    "finance": "AM100",
    "digital": "AM10",
    "childcare": "AM40",
    "tourism": "AM10",
    "other": None,
}


def legal_form_term(slug: str | None) -> dict[str, str] | None:
    code = LEGAL_FORM_CODES.get(slug or "")
    if code is None:
        return None
    return {
        "code": code,
        "uri": f"{BASE}organisational-structure/{code}",
        "label": ORGANISATIONAL_STRUCTURES[code],
    }


def activity_terms(sectors: list[str]) -> list[dict[str, str]]:
    """Distinct activities for a business's sectors, primary sector first."""
    codes = [c for c in dict.fromkeys(SECTOR_CODES.get(s) for s in sectors) if c]
    return [
        {"code": c, "uri": f"{BASE}activities-modified/{c}", "label": ACTIVITIES[c]} for c in codes
    ]
