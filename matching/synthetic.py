"""Deterministic synthetic directories for tests, evaluation and benchmarks.

Businesses cluster around English towns (more around big ones, some out in the villages),
with sectors, stages, needs and offers in plausible proportions and descriptions written from
per-sector phrase lists, so that the text model has something realistic to find. Same seed, same
directory.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from matching.types import Profile
from matching.vocab import RELATED_SECTORS, STAGE_ORDER, TOPICS

# name: (latitude, longitude, region slug, relative number of businesses)
TOWNS: dict[str, tuple[float, float, str, float]] = {
    "London": (51.507, -0.128, "london", 9.0),
    "Birmingham": (52.486, -1.890, "west-midlands", 3.0),
    "Manchester": (53.481, -2.242, "north-west", 3.0),
    "Leeds": (53.800, -1.549, "yorkshire-humber", 2.5),
    "Sheffield": (53.381, -1.470, "yorkshire-humber", 2.0),
    "Liverpool": (53.408, -2.991, "north-west", 2.0),
    "Bristol": (51.454, -2.588, "south-west", 2.0),
    "Newcastle upon Tyne": (54.978, -1.618, "north-east", 2.0),
    "Nottingham": (52.954, -1.158, "east-midlands", 1.5),
    "Leicester": (52.637, -1.139, "east-midlands", 1.5),
    "Coventry": (52.407, -1.512, "west-midlands", 1.2),
    "Bradford": (53.796, -1.759, "yorkshire-humber", 1.2),
    "Hull": (53.745, -0.336, "yorkshire-humber", 1.0),
    "Plymouth": (50.376, -4.143, "south-west", 1.0),
    "Stoke-on-Trent": (53.003, -2.179, "west-midlands", 1.0),
    "Derby": (52.922, -1.476, "east-midlands", 1.0),
    "Southampton": (50.909, -1.404, "south-east", 1.0),
    "Portsmouth": (50.820, -1.088, "south-east", 1.0),
    "Brighton": (50.823, -0.137, "south-east", 1.0),
    "Reading": (51.454, -0.978, "south-east", 1.0),
    "Norwich": (52.630, 1.297, "east", 0.8),
    "Cambridge": (52.205, 0.122, "east", 0.8),
    "Oxford": (51.752, -1.258, "south-east", 0.8),
    "Exeter": (50.718, -3.534, "south-west", 0.6),
    "York": (53.960, -1.087, "yorkshire-humber", 0.7),
    "Lincoln": (53.235, -0.538, "east-midlands", 0.5),
    "Carlisle": (54.893, -2.936, "north-west", 0.4),
    "Kendal": (54.328, -2.746, "north-west", 0.3),
    "Penrith": (54.664, -2.752, "north-west", 0.2),
    "Truro": (50.263, -5.051, "south-west", 0.3),
    "Penzance": (50.118, -5.537, "south-west", 0.2),
    "Barnstaple": (51.080, -4.058, "south-west", 0.2),
    "Taunton": (51.015, -3.106, "south-west", 0.4),
    "Gloucester": (51.864, -2.238, "south-west", 0.5),
    "Hereford": (52.057, -2.716, "west-midlands", 0.3),
    "Shrewsbury": (52.707, -2.754, "west-midlands", 0.4),
    "Ipswich": (52.057, 1.148, "east", 0.6),
    "Colchester": (51.896, 0.892, "east", 0.6),
    "Canterbury": (51.280, 1.079, "south-east", 0.5),
    "Maidstone": (51.272, 0.529, "south-east", 0.5),
    "Durham": (54.776, -1.575, "north-east", 0.4),
    "Middlesbrough": (54.574, -1.235, "north-east", 0.6),
    "Hexham": (54.971, -2.101, "north-east", 0.2),
    "Scarborough": (54.283, -0.400, "yorkshire-humber", 0.3),
    "Harrogate": (53.992, -1.541, "yorkshire-humber", 0.3),
    "Lancaster": (54.047, -2.801, "north-west", 0.4),
    "Preston": (53.763, -2.703, "north-west", 0.6),
    "Chester": (53.193, -2.893, "north-west", 0.4),
    "Northampton": (52.240, -0.902, "east-midlands", 0.7),
    "Peterborough": (52.573, -0.241, "east", 0.6),
    "King's Lynn": (52.754, 0.398, "east", 0.3),
    "Bedford": (52.136, -0.467, "east", 0.5),
    "Milton Keynes": (52.041, -0.759, "south-east", 0.7),
    "Salisbury": (51.069, -1.795, "south-west", 0.3),
    "Dorchester": (50.716, -2.437, "south-west", 0.2),
    "Stroud": (51.745, -2.215, "south-west", 0.3),
    "Totnes": (50.432, -3.686, "south-west", 0.2),
    "Frome": (51.228, -2.321, "south-west", 0.2),
    "Ludlow": (52.368, -2.718, "west-midlands", 0.15),
    "Worcester": (52.192, -2.220, "west-midlands", 0.4),
    "Skipton": (53.962, -2.017, "yorkshire-humber", 0.2),
    "Whitby": (54.486, -0.615, "yorkshire-humber", 0.15),
    "Boston": (52.976, -0.026, "east-midlands", 0.2),
    "Matlock": (53.138, -1.555, "east-midlands", 0.2),
    "Newport, Isle of Wight": (50.701, -1.293, "south-east", 0.2),
}

KM_PER_DEGREE = 111.2  # of latitude
_TOWN_SHARES = {town: size for town, (_, _, _, size) in TOWNS.items()}

SECTOR_SHARES: dict[str, float] = {
    "shop": 12, "pub": 8, "cafe-food": 8, "food-growing": 7, "energy": 8, "health-care": 6,
    "housing": 8, "hub": 10, "library": 3, "arts-culture": 7, "sport-leisure": 6,
    "environment": 5, "transport": 3, "employment-training": 4, "finance": 3, "digital": 3,
    "childcare": 3, "tourism": 3, "other": 1,
}  # fmt: skip
STAGE_SHARES = {"exploring": 12, "starting": 22, "growing": 28, "established": 25, "mature": 13}
MENTOR_RATE = {
    "exploring": 0.0,
    "starting": 0.05,
    "growing": 0.3,
    "established": 0.5,
    "mature": 0.7,
}
FOUNDED = {"starting": (2023, 2025), "growing": (2019, 2023), "established": (2005, 2019),
           "mature": (1970, 2005)}  # fmt: skip

# What each sector does, for names and descriptions.
SECTOR_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "shop": (("Community Shop", "Village Store", "Community Stores"),
             ("sell local produce and groceries", "run a post office counter",
              "stock fresh bread, milk and newspapers",
              "deliver groceries to housebound neighbours",
              "buy from local farmers and bakers", "keep the village store open seven days")),
    "pub": (("Community Pub", "Arms", "Inn"),
            ("serve real ale from local breweries", "host quiz nights and folk music",
             "saved the village pub from closure", "serve Sunday lunches in the bar",
             "run a skittle alley and darts league", "let rooms to walkers and visitors")),
    "cafe-food": (("Community Cafe", "Kitchen", "Food Hub"),
                  ("serve pay-as-you-feel meals", "run a community kitchen and cafe",
                   "cook with surplus food", "train young people as chefs",
                   "cater for local events", "run a weekly lunch club for older people")),
    "food-growing": (("Community Farm", "Growers", "Market Garden"),
                     ("grow organic vegetables for a veg box scheme",
                      "run a community supported agriculture scheme", "keep an orchard and hens",
                      "sell seedlings and salad at the farmers market",
                      "teach growing skills on our allotments", "run a no-dig market garden")),
    "energy": (("Community Energy", "Solar Co-op", "Energy Society"),
               ("install solar panels on school roofs", "own a community wind turbine",
                "run a hydro scheme on the river",
                "give energy advice to households in fuel poverty",
                "fund retrofit and insulation", "share the surplus from our solar array")),
    "health-care": (("Wellbeing Centre", "Care Co-op", "Health Project"),
                    ("provide home care by local carers", "run social prescribing walks",
                     "support people with dementia and their carers",
                     "offer counselling and mental health support",
                     "run peer support groups", "provide respite care")),
    "housing": (("Community Land Trust", "Housing Co-op", "Cohousing"),
                ("build affordable homes for local people", "manage homes owned by tenants",
                 "bring empty homes back into use", "hold land in trust for the community",
                 "design low-energy cohousing", "keep rents affordable forever")),
    "hub": (("Community Hub", "Village Hall", "Community Centre"),
            ("run a community hub with rooms to hire", "host a warm space in winter",
             "run the village hall and its events", "host clubs, classes and a repair cafe",
             "bring local groups under one roof", "run a community centre on the estate")),
    "library": (("Community Library", "Library", "Book Exchange"),
                ("run the library with volunteers", "lend books and offer computer access",
                 "host storytime for toddlers", "run reading groups and homework clubs",
                 "saved our branch library from closure", "offer digital help sessions")),
    "arts-culture": (("Arts Centre", "Theatre", "Heritage Trust"),
                     ("run a community theatre and gallery", "restore a historic mill",
                      "host festivals and live music", "run art workshops for all ages",
                      "show films in our community cinema", "care for a heritage railway")),
    "sport-leisure": (("Sports Club", "Leisure Centre", "Swimming Pool"),
                      ("run the community swimming pool", "coach football and cricket for children",
                       "manage playing fields and a pavilion", "run a community gym",
                       "offer walking netball and tai chi", "keep the lido open in summer")),
    "environment": (("Nature Trust", "Green Spaces", "Repair Cafe"),
                    ("care for woodland and wetlands", "run litter picks and tree planting",
                     "fix broken things at our repair cafe", "restore wildflower meadows",
                     "run a tool library and reuse shop", "monitor river water quality")),
    "transport": (("Community Transport", "Car Club", "Bike Workshop"),
                  ("run a dial-a-ride minibus", "drive older people to hospital appointments",
                   "run an electric car club", "refurbish and sell bicycles",
                   "run a community bus route", "teach cycling skills")),
    "employment-training": (("Training Co-op", "Skills Centre", "Learning Trust"),
                            ("help people back into work", "run apprenticeships and courses",
                             "teach English to newcomers", "coach young people to find jobs",
                             "offer adult learning classes", "run a social enterprise academy")),
    "finance": (("Credit Union", "Community Finance", "Savings Club"),
                ("offer fair loans and savings accounts", "help people avoid loan sharks",
                 "give money and debt advice", "lend to local social enterprises",
                 "run a community investment fund", "run payroll savings with employers")),
    "digital": (("Digital Co-op", "Media Project", "Community Radio"),
                ("run a community radio station", "build websites for charities",
                 "teach digital skills to older people", "publish a local news site",
                 "refurbish laptops for families", "run a community broadband network")),
    "childcare": (("Nursery", "Youth Club", "Play Project"),
                  ("run a community nursery", "run youth clubs and holiday schemes",
                   "offer after-school childcare", "run an adventure playground",
                   "support young carers", "run parent and toddler groups")),
    "tourism": (("Visitor Centre", "Heritage Site", "Tourist Trust"),
                ("welcome visitors to our castle", "run a visitor centre and gift shop",
                 "run a campsite and bunkhouse", "lead guided walks and tours",
                 "run the museum and tea room", "promote our town to visitors")),
    "other": (("Co-operative", "Society", "Collective"),
              ("do things together for our members", "share skills among members",
               "run a members' association", "organise local campaigns",
               "run a co-operative for local people", "support our members")),
}  # fmt: skip

_OPENINGS = (
    "We are a {kind} owned by our members in {town}.",
    "Based in {town}, we are a community-owned {kind}.",
    "A {kind} run by and for the people of {town}.",
    "Our {kind} was set up by local residents in {town}.",
)
_QUALIFIERS = (
    "Riverside", "Market", "Old", "New", "Green", "Hill", "Valley", "Bridge", "Castle",
    "Abbey", "Station", "Harbour", "Moor", "Forest", "Park", "Mill", "Church", "Common",
)  # fmt: skip
_TOPIC_BIAS: dict[str, tuple[str, ...]] = {
    "exploring": ("funding", "business-planning", "legal", "governance", "community-shares"),
    "starting": ("funding", "volunteers", "marketing", "finance", "premises"),
    "growing": ("staff", "finance", "marketing", "digital", "partnerships"),
    "established": ("impact", "commissioning", "staff", "sustainability", "digital"),
    "mature": ("impact", "partnerships", "commissioning", "sustainability", "safeguarding"),
}


def directory(n: int, *, seed: int = 0, start_id: int = 1) -> list[Profile]:
    """`n` random businesses with ids from `start_id`; one in twenty shares the previous one's
    owner."""
    rng = random.Random(seed)
    profiles = [random_profile(rng, start_id + i) for i in range(n)]
    for i in range(1, n):
        if rng.random() < 0.05:
            profiles[i] = replace(profiles[i], owner_id=profiles[i - 1].owner_id)
    return profiles


def random_profile(rng: random.Random, id: int | None, **fixed: Any) -> Profile:
    """One random business; `fixed` sets any field outright (and steers the others)."""
    sector = fixed.get("sectors", (None,))[0] or _pick(rng, SECTOR_SHARES)
    stage = fixed.get("stage") or _pick(rng, STAGE_SHARES)
    town = fixed.get("town") or _pick(rng, _TOWN_SHARES)
    sectors: tuple[str, ...] = (sector,)
    if rng.random() < 0.35:
        related = sorted(RELATED_SECTORS[sector])
        second = (
            rng.choice(related) if related and rng.random() < 0.7 else _pick(rng, SECTOR_SHARES)
        )
        sectors = tuple(dict.fromkeys((sector, second)))
    level = STAGE_ORDER[stage]
    needs = _topics(rng, rng.randint(1, 4 - level // 2), _TOPIC_BIAS[stage])
    offers = _topics(rng, rng.randint(max(0, level - 1), level + 1), (), avoid=needs)
    willing = rng.random() < MENTOR_RATE[stage]
    years = FOUNDED.get(stage)
    name = f"{rng.choice(_QUALIFIERS)} {rng.choice(SECTOR_WORDS[sector][0])}"
    lat, lon = jitter(rng, town)
    profile = Profile(
        id=id,
        name=name,
        slug=slugify(f"{name} {id if id is not None else 'visitor'}"),
        sectors=sectors,
        stage=stage,
        latitude=lat,
        longitude=lon,
        needs=needs,
        offers=offers,
        description=describe(rng, sector, town),
        willing_to_mentor=willing,
        owner_id=None if id is None else 100_000 + id,
        town=town,
        founded_year=rng.randint(*years) if years and rng.random() < 0.8 else None,
        open_introductions=_poisson(rng, 1.2 if willing else 0.3),
        mentor_capacity=rng.randint(1, 5) if rng.random() < 0.5 else None,
        accepting_requests=rng.random() < 0.92,
    )
    return replace(profile, **fixed) if fixed else profile


def describe(rng: random.Random, sector: str, town: str) -> str:
    """Two or three sentences in the words of the sector."""
    kinds, activities = SECTOR_WORDS[sector]
    opening = rng.choice(_OPENINGS).format(kind=rng.choice(kinds).lower(), town=town)
    chosen = rng.sample(activities, rng.randint(2, 3))
    return " ".join([opening, *(f"We {activity}." for activity in chosen)])


def jitter(rng: random.Random, town: str) -> tuple[float, float]:
    """A point near `town`: mostly in it, a quarter in the villages around."""
    lat, lon, _, size = TOWNS[town]
    spread_km = 20.0 if rng.random() < 0.25 else 2.0 + 1.5 * math.sqrt(size)
    north, east = rng.gauss(0.0, spread_km), rng.gauss(0.0, spread_km)
    return (
        round(lat + north / KM_PER_DEGREE, 5),
        round(lon + east / (KM_PER_DEGREE * math.cos(math.radians(lat))), 5),
    )


def region_of(profile: Profile) -> str:
    return TOWNS[profile.town][2]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _pick(rng: random.Random, shares: Mapping[str, float]) -> str:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def _topics(
    rng: random.Random, k: int, bias: tuple[str, ...], avoid: frozenset[str] = frozenset()
) -> frozenset[str]:
    """`k` topics, those in `bias` four times as likely (weighted sampling without
    replacement: the k largest of u ** (1 / weight))."""
    keyed = [(rng.random() ** (0.25 if t in bias else 1.0), t) for t in TOPICS if t not in avoid]
    return frozenset(t for _, t in sorted(keyed, reverse=True)[:k])


def _poisson(rng: random.Random, mean: float) -> int:
    count, p, limit = 0, rng.random(), math.exp(-mean)
    while p > limit:
        count += 1
        p *= rng.random()
    return count
