"""The shared vocabularies: stable slugs for URLs, CSV and the API, labels for people.

They live here, in the Flask-free package, so that the matching engine and the web app read
the same lists; the directory imports them from this module.
"""

from __future__ import annotations

SECTORS: dict[str, str] = {
    "shop": "Community shop",
    "pub": "Community pub",
    "cafe-food": "Café, food and catering",
    "food-growing": "Food growing and farming",
    "energy": "Community energy",
    "health-care": "Health, care and wellbeing",
    "housing": "Community-led housing",
    "hub": "Community hub or space",
    "library": "Library",
    "arts-culture": "Arts, culture and heritage",
    "sport-leisure": "Sport and leisure",
    "environment": "Environment and nature",
    "transport": "Transport",
    "employment-training": "Employment, training and education",
    "finance": "Community finance",
    "digital": "Digital and media",
    "childcare": "Childcare and youth",
    "tourism": "Visitor attraction and tourism",
    "other": "Other",
}

# Plural phrases for reasons such as "Both community shops".
SECTOR_PLURALS: dict[str, str] = {
    "shop": "community shops",
    "pub": "community pubs",
    "cafe-food": "in café, food and catering",
    "food-growing": "food growers",
    "energy": "community energy groups",
    "health-care": "in health, care and wellbeing",
    "housing": "community-led housing groups",
    "hub": "community hubs",
    "library": "libraries",
    "arts-culture": "in arts, culture and heritage",
    "sport-leisure": "in sport and leisure",
    "environment": "in environment and nature",
    "transport": "community transport groups",
    "employment-training": "in employment, training and education",
    "finance": "in community finance",
    "digital": "in digital and media",
    "childcare": "in childcare and youth work",
    "tourism": "visitor attractions",
    "other": "in other sectors",
}

# Sectors whose businesses commonly face the same questions; symmetric, used by matching.
RELATED_SECTORS: dict[str, frozenset[str]] = {
    "shop": frozenset({"pub", "cafe-food"}),
    "pub": frozenset({"shop", "cafe-food", "tourism"}),
    "cafe-food": frozenset({"shop", "pub", "food-growing"}),
    "food-growing": frozenset({"cafe-food", "environment"}),
    "energy": frozenset({"environment", "housing", "finance"}),
    "health-care": frozenset({"childcare", "sport-leisure"}),
    "housing": frozenset({"energy", "finance"}),
    # A hub (a hall, a centre) shares premises questions with libraries and arts venues; it
    # used to be related to seven sectors, so that hubs and clubs flooded every list.
    "hub": frozenset({"library", "arts-culture"}),
    "library": frozenset({"hub", "arts-culture", "digital"}),
    "arts-culture": frozenset({"hub", "library", "tourism"}),
    "sport-leisure": frozenset({"health-care", "tourism"}),
    "environment": frozenset({"food-growing", "energy", "transport"}),
    "transport": frozenset({"environment"}),
    "employment-training": frozenset({"childcare", "digital"}),
    "finance": frozenset({"energy", "housing"}),
    "digital": frozenset({"library", "employment-training"}),
    "childcare": frozenset({"health-care", "employment-training"}),
    "tourism": frozenset({"pub", "arts-culture", "sport-leisure"}),
    "other": frozenset(),
}

LEGAL_FORMS: dict[str, str] = {
    "cbs": "Community Benefit Society",
    "coop": "Co-operative Society",
    "cic": "Community Interest Company",
    "clg": "Company limited by guarantee",
    "cio": "Charitable Incorporated Organisation",
    "charity": "Other charity",
    "unincorporated": "Unincorporated association",
    "other": "Other",
}

# Ordered: a later stage is further along.
STAGES: dict[str, str] = {
    "exploring": "Exploring an idea",
    "starting": "Starting up, trading under 2 years",
    "growing": "Growing, 2 to 5 years",
    "established": "Established, over 5 years",
    "mature": "Mature, sustaining and supporting others",
}
STAGE_ORDER: dict[str, int] = {slug: i for i, slug in enumerate(STAGES)}

TOPICS: dict[str, str] = {
    "funding": "Grants and fundraising",
    "community-shares": "Community shares and investment",
    "finance": "Financial management",
    "business-planning": "Business planning and strategy",
    "governance": "Governance, boards and members",
    "legal": "Legal structure and compliance",
    "commissioning": "Commissioning and public contracts",
    "impact": "Measuring social impact",
    "marketing": "Marketing and communications",
    "volunteers": "Recruiting and managing volunteers",
    "staff": "Staff and HR",
    "premises": "Premises and community asset transfer",
    "digital": "Digital tools and online trading",
    "sustainability": "Environmental sustainability and energy",
    "partnerships": "Partnerships and local networks",
    "trading": "Trading, retail and income",
    "safeguarding": "Safeguarding and quality standards",
}

REGIONS: dict[str, str] = {
    "north-east": "North East",
    "north-west": "North West",
    "yorkshire-humber": "Yorkshire and the Humber",
    "east-midlands": "East Midlands",
    "west-midlands": "West Midlands",
    "east": "East of England",
    "london": "London",
    "south-east": "South East",
    "south-west": "South West",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern-ireland": "Northern Ireland",
}
ENGLISH_REGIONS: tuple[str, ...] = tuple(list(REGIONS)[:9])


def lookup(vocabulary: dict[str, str], value: str) -> str | None:
    """Return the slug for a slug or a label in any case and spacing, or None if unknown."""
    key = " ".join(value.split()).casefold()
    for slug, label in vocabulary.items():
        if key in (slug, label.casefold()):
            return slug
    return None
