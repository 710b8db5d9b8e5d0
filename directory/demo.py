"""A realistic synthetic directory for demos and benchmarks (deterministic for a seed)."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date

from directory import accounts, bulk, demo_history, matchmaking, places
from directory.businesses import service as business_service
from directory.extensions import db
from directory.models import Business, Network, User
from matching.vocab import SECTORS, STAGES, TOPICS

NETWORKS = {
    "community-food-growers-network": "Community Food Growers Network",
    "company-of-community-organisations": "The Company of Community Organisations",
    "co-operatives-uk": "Co-operatives UK",
    "eden-project": "Eden Project",
    "impact-hub-brixton": "Impact Hub Brixton",
    "locality": "Locality",
    "octopus-community-network": "Octopus Community Network",
    "plunkett-foundation": "Plunkett Foundation",
    "project-dirt": "Project Dirt",
    "regen-sw": "Regen SW",
    "social-enterprise-acumen": "Social Enterprise Acumen CIC",
    "supporters-direct": "Supporters Direct",
    "upper-norwood-library-trust": "Upper Norwood Library Trust",
    "health-social-care-cop": "Health and Social Care community of practice",
}

# Networks a business of a sector is likely to belong to.
SECTOR_NETWORKS = {
    "shop": ["plunkett-foundation", "co-operatives-uk"],
    "pub": ["plunkett-foundation", "co-operatives-uk"],
    "cafe-food": ["plunkett-foundation", "locality"],
    "food-growing": ["community-food-growers-network", "project-dirt"],
    "energy": ["regen-sw", "co-operatives-uk"],
    "health-care": ["health-social-care-cop", "social-enterprise-acumen"],
    "housing": ["locality", "co-operatives-uk"],
    "hub": ["locality", "company-of-community-organisations", "octopus-community-network"],
    "library": ["upper-norwood-library-trust", "locality"],
    "arts-culture": ["eden-project", "octopus-community-network"],
    "sport-leisure": ["supporters-direct", "locality"],
    "environment": ["project-dirt", "eden-project"],
    "transport": ["social-enterprise-acumen", "co-operatives-uk"],
    "employment-training": ["impact-hub-brixton", "social-enterprise-acumen"],
    "finance": ["co-operatives-uk"],
    "digital": ["impact-hub-brixton", "octopus-community-network"],
    "childcare": ["health-social-care-cop", "locality"],
    "tourism": ["eden-project", "plunkett-foundation"],
    "other": ["social-enterprise-acumen"],
}

SECTOR_WEIGHTS = {
    "shop": 14,
    "pub": 9,
    "cafe-food": 8,
    "food-growing": 7,
    "energy": 6,
    "health-care": 7,
    "housing": 5,
    "hub": 12,
    "library": 4,
    "arts-culture": 6,
    "sport-leisure": 5,
    "environment": 4,
    "transport": 3,
    "employment-training": 3,
    "finance": 2,
    "digital": 2,
    "childcare": 2,
    "tourism": 2,
    "other": 1,
}

INNS = [
    "Red Lion",
    "Royal Oak",
    "Plough",
    "Swan",
    "Crown",
    "Bell",
    "Fox and Hounds",
    "George",
    "White Hart",
    "Kings Arms",
    "Wheatsheaf",
    "Rose and Crown",
    "Star",
    "Black Horse",
    "New Inn",
    "Ship",
    "Anchor",
    "Queens Head",
    "Old Bell",
    "Half Moon",
]

NAMES = {
    "shop": [
        "{town} Community Shop",
        "{town} Village Store",
        "{town} Community Stores",
        "The {town} Shop",
    ],
    "pub": ["The {inn}, {town}", "{town} Community Pub", "The {inn} Community Pub"],
    "cafe-food": [
        "{town} Community Café",
        "{town} Food Hub",
        "{town} Kitchen Co-op",
        "{town} Pantry",
    ],
    "food-growing": [
        "{town} Community Farm",
        "{town} Community Garden",
        "{town} Growers",
        "{town} Orchard Project",
    ],
    "energy": ["{town} Community Energy", "{town} Solar Co-operative", "{town} Renewables"],
    "health-care": [
        "{town} Wellbeing Centre",
        "{town} Community Care Co-op",
        "{town} Health Collective",
    ],
    "housing": ["{town} Community Land Trust", "{town} Housing Co-operative"],
    "hub": [
        "{town} Community Hub",
        "{town} Village Hall",
        "{town} Community Centre",
        "{town} Community Association",
    ],
    "library": ["{town} Community Library", "Friends of {town} Library"],
    "arts-culture": ["{town} Arts Centre", "{town} Heritage Trust", "{town} Community Cinema"],
    "sport-leisure": ["{town} Community Pool", "{town} Sports Club", "{town} Leisure Trust"],
    "environment": ["{town} Environment Trust", "{town} Nature Trust", "{town} Repair Café"],
    "transport": ["{town} Community Transport", "{town} Bike Project"],
    "employment-training": ["{town} Skills Centre", "{town} Learning Works"],
    "finance": ["{town} Credit Union", "{town} Community Finance"],
    "digital": ["{town} Community Media", "{town} Community Radio", "{town} Digital Inclusion"],
    "childcare": ["{town} Youth Project", "{town} Community Nursery"],
    "tourism": ["{town} Visitor Centre", "{town} Heritage Railway", "{town} Museum Trust"],
    "other": ["{town} Community Co-operative", "{town} Community Interest Company"],
}

WHAT = {
    "shop": "a volunteer-run village shop and post office selling local produce and everyday "
    "essentials",
    "pub": "a community-owned pub, bought by {members} local shareholders to keep it open",
    "cafe-food": "a community café serving affordable meals made with surplus and local food",
    "food-growing": "a community growing site where volunteers grow vegetables and run "
    "veg-box deliveries",
    "energy": "a community energy society that owns rooftop solar panels on schools and halls",
    "health-care": "a community-led wellbeing service offering social prescribing, "
    "befriending and home support",
    "housing": "a community land trust building permanently affordable homes for local people",
    "hub": "a community hub in a former {building}, with a café, meeting rooms and advice sessions",
    "library": "a community-run library with a reading café, homework club and digital help",
    "arts-culture": "a community arts and heritage venue with exhibitions, workshops and events",
    "sport-leisure": "a community-owned leisure facility run as a not-for-profit",
    "environment": "an environmental charity looking after local green spaces and running a "
    "repair café",
    "transport": "a community transport scheme with accessible minibuses and volunteer drivers",
    "employment-training": "a social enterprise offering training, work placements and job clubs",
    "finance": "a community finance organisation offering fair loans and savings accounts",
    "digital": "a community media and digital inclusion project",
    "childcare": "a community nursery and youth project run by parents and local volunteers",
    "tourism": "a volunteer-run visitor attraction that reinvests every surplus locally",
    "other": "a community business trading for the benefit of the neighbourhood",
}
BUILDINGS = ["chapel", "bank", "police station", "school", "library", "pub", "post office"]
DETAILS = [
    "About {volunteers} volunteers help run it alongside {staff} paid staff.",
    "It was set up by residents after the last {lost} in the area closed.",
    "Income from trading covers most of our running costs.",
    "We work closely with the parish council and local schools.",
    "We run a weekly lunch club for older residents.",
    "We have {members} members who each own a share.",
]
LOST = ["shop", "pub", "bank", "library", "youth club", "bus service"]

# Needs and offers that businesses at each stage typically have.
EARLY_NEEDS = [
    "funding",
    "community-shares",
    "business-planning",
    "governance",
    "legal",
    "premises",
    "volunteers",
]
LATER_NEEDS = [
    "marketing",
    "digital",
    "staff",
    "impact",
    "commissioning",
    "sustainability",
    "trading",
    "finance",
    "safeguarding",
    "partnerships",
]
MENTOR_CHANCE = {
    "exploring": 0.0,
    "starting": 0.02,
    "growing": 0.15,
    "established": 0.45,
    "mature": 0.7,
}
STAGE_WEIGHTS = {"exploring": 12, "starting": 20, "growing": 25, "established": 30, "mature": 13}
LEGAL_BY_SECTOR = {
    "shop": ["cbs", "coop"],
    "pub": ["cbs"],
    "energy": ["cbs", "coop"],
    "housing": ["cbs", "clg"],
    "finance": ["coop", "cbs"],
    "health-care": ["cic", "cio"],
    "library": ["cio", "clg"],
}


@dataclass
class DemoAccounts:
    admin: tuple[str, str]
    coordinator: tuple[str, str]
    member: tuple[str, str]
    mentor: tuple[str, str]
    evaluator: tuple[str, str]


def ensure_networks() -> dict[str, Network]:
    existing = {n.slug: n for n in db.session.execute(db.select(Network)).scalars()}
    for slug, name in NETWORKS.items():
        if slug not in existing:
            existing[slug] = Network(slug=slug, name=name)
            db.session.add(existing[slug])
    db.session.flush()
    return existing


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _founded(rng: random.Random, stage: str) -> int | None:
    year = date.today().year
    spans = {"starting": (0, 1), "growing": (2, 5), "established": (6, 25), "mature": (15, 90)}
    if stage not in spans:
        return None
    low, high = spans[stage]
    return year - rng.randint(low, high)


def _topics(rng: random.Random, stage: str) -> tuple[list[str], list[str]]:
    order = list(STAGES).index(stage)
    early_bias = 1.0 - order / 4
    pool = EARLY_NEEDS if rng.random() < early_bias else LATER_NEEDS
    needs = rng.sample(pool, rng.randint(1, 3))
    if rng.random() < 0.3:
        needs.append(rng.choice(LATER_NEEDS if pool is EARLY_NEEDS else EARLY_NEEDS))
    n_offers = rng.randint(0, 1) + order
    offers = [t for t in rng.sample(list(TOPICS), min(n_offers, 6)) if t not in needs]
    return list(dict.fromkeys(needs)), offers


def _name(rng: random.Random, sector: str, town: str, outcode: str, taken: set[str]) -> str:
    templates = NAMES[sector][:]
    rng.shuffle(templates)
    fills = {"town": town, "inn": rng.choice(INNS)}
    candidates = [t.format(**fills) for t in templates]
    for prefix in ("North", "South", "East", "West", "Old", "Upper", "Lower"):
        candidates.append(f"{prefix} {templates[0].format(**fills)}")
    candidates.append(f"{templates[0].format(**fills)} ({outcode})")
    for candidate in candidates:
        if business_service.slugify(candidate) not in taken:
            return candidate
    return f"{templates[0].format(**fills)} {len(taken)}"


def _description(rng: random.Random, sector: str, town: str, needs: list[str]) -> str:
    what = WHAT[sector].format(members=rng.randint(80, 900), building=rng.choice(BUILDINGS))
    detail = rng.choice(DETAILS).format(
        volunteers=rng.randint(8, 120),
        staff=rng.randint(0, 12),
        lost=rng.choice(LOST),
        members=rng.randint(60, 1500),
    )
    working_on = TOPICS[needs[0]].lower() if needs else "growing our trade"
    return f"We are {what} in {town}. {detail} This year we are working on {working_on}."


def generate(
    n: int, seed: int, taken: set[str] | None = None
) -> list[business_service.BusinessData]:
    """n businesses spread over England like its population; the same for the same seed."""
    rng = random.Random(seed)
    taken = set(taken or ())
    records = []
    for postcode in places.sample_postcodes(rng, n):
        place = places.resolve_place(postcode, None)
        sector = _pick(rng, SECTOR_WEIGHTS)
        others = (
            [s for s in rng.sample(list(SECTORS), 1) if s != sector] if rng.random() < 0.2 else []
        )
        stage = _pick(rng, STAGE_WEIGHTS)
        needs, offers = _topics(rng, stage)
        town = place.town or place.outcode or "the village"
        name = _name(rng, sector, town, place.outcode or "", taken)
        slug = business_service.slugify(name)
        taken.add(slug)
        networks = [s for s in SECTOR_NETWORKS[sector] if rng.random() < 0.35]
        records.append(
            business_service.BusinessData(
                name=name,
                sector=sector,
                other_sectors=others,
                legal_form=rng.choice(LEGAL_BY_SECTOR.get(sector, ["cic", "clg", "cbs", "cio"])),
                stage=stage,
                founded_year=_founded(rng, stage),
                place=place,
                needs=needs,
                offers=offers,
                description=_description(rng, sector, town, needs),
                willing_to_mentor=rng.random() < MENTOR_CHANCE[stage] and bool(offers),
                website=f"https://{slug}.example.org",
                email=f"hello@{slug}.example.org",
                phone=f"01632 960{rng.randint(0, 999):03d}",
                networks=networks,
            )
        )
    return records


def _account(email: str, role: str, name: str, password: str | None) -> tuple[str, str]:
    password = password or secrets.token_urlsafe(9)
    user = accounts.find_user(email)
    if user is None:
        user = accounts.create_user(email, password, name=name, role=role)
    else:
        user.set_password(password)
        user.role = role
    return email, password


def _user(email: str) -> User:
    """An account `_account` has just made or updated (and flushed), so it exists."""
    user = accounts.find_user(email)
    assert user is not None, email
    return user


def load(n: int = 7000, seed: int = 1, password: str | None = None) -> DemoAccounts:
    """Networks, three accounts and n businesses; the member owns the first business."""
    networks = ensure_networks()
    admin = _account("admin@peerlink.example", "admin", "Ada Admin", password)
    coordinator = _account(
        "coordinator@peerlink.example", "coordinator", "Cora Coordinator", password
    )
    member = _account("member@peerlink.example", "member", "Mo Member", password)
    mentor = _account("mentor@peerlink.example", "member", "Mina Mentor", password)
    evaluator = _account("evaluator@peerlink.example", "evaluator", "Eve Evaluator", password)
    db.session.flush()
    coordinator_user = _user(coordinator[0])
    coordinator_user.networks = [
        networks["plunkett-foundation"],
        networks["health-social-care-cop"],
    ]
    # Every network has a coordinator: the others get one each (same demo password).
    for slug, network in sorted(networks.items()):
        if not network.coordinators and network not in coordinator_user.networks:
            email, _ = _account(
                f"coordinator.{slug}@peerlink.example",
                "coordinator",
                f"{network.name} coordinator",
                password or coordinator[1],
            )
            db.session.flush()
            _user(email).networks = [network]
    records = generate(n, seed)
    bulk.save(records)
    if records:
        first = business_service.find_by_name(records[0].name)
        assert first is not None, "bulk.save has just saved it"
        first.owner = _user(member[0])
        if "plunkett-foundation" not in [nw.slug for nw in first.networks]:
            first.networks.append(networks["plunkett-foundation"])
        db.session.commit()
        # The mentor account owns the member's best suggested mentor, so that the whole
        # introduction flow can be tried with the demo accounts.
        best = matchmaking.suggest_for(first, "mentor", limit=1)
        if best:
            mentor_business = db.session.get(Business, best[0].id)
            assert mentor_business is not None, "suggestions are businesses of the directory"
            mentor_business.owner = _user(mentor[0])
    db.session.commit()
    demo_history.generate(seed=seed)
    business_service.directory_changed()
    return DemoAccounts(
        admin=admin, coordinator=coordinator, member=member, mentor=mentor, evaluator=evaluator
    )
