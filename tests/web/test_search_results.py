"""The directory's results and counts, checked against SQL written out in full.

The search filters and orders on numpy columns (directory.search_snapshot); here every page
is compared with the same search asked of the database in one SQL statement (the filters and
orders the search used before), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import math

import pytest
from sqlalchemy import Float, Integer, Select, case, func, or_, select, text
from werkzeug.datastructures import MultiDict

from directory import bulk, demo, search_facets, search_index
from directory.extensions import db
from directory.models import Business, BusinessSector, BusinessTopic, Network, business_networks
from directory.places import Origin
from directory.search import DirectoryQuery, search
from directory.search_query import FACETS
from directory.search_snapshot import KM_PER_DEGREE, bounding_box

QUERIES = [
    "",
    "page=3",
    "sort=newest&page=2",
    "q=community",
    "q=community&page=2&per_page=7",
    "q=community+shop&sector=shop&sector=pub",
    "q=pubs&near=Leeds&radius_km=200",
    "q=farm&near=Bristol&radius_km=200&sort=name",
    "q=cooperative&near=York&radius_km=200&sort=distance",
    "q=solar+repair",  # any of the words
    "q=keswi",  # a prefix
    "q=trust",
    "q=trust&near=Okehampton&radius_km=50",
    "near=Okehampton&radius_km=200",
    "near=Manchester&radius_km=100&page=2&per_page=5",
    "near=LS6&radius_km=200&mentors=1&sort=newest",
    "need=funding&offer=governance",
    "need=funding&need=legal",
    "stage=growing&stage=established&region=south-west",
    "network=plunkett-foundation&sort=newest",
    "sector=hub&near=Norwich&radius_km=200&q=community",
]


@pytest.fixture
def directory(app, make_business):
    with app.app_context():
        demo.ensure_networks()
        bulk.save(demo.generate(240, seed=3))
        db.session.commit()
    # Equal scores for "trust": the name starting with the word goes first.
    for name in ("Alpha Trust Shop", "Trust Fund Shop", "Beta Trust Shop"):
        make_business(name=name, postcode="EX20 1AB", description="Run by the village.")


def matched(expression: str):
    """The ids a full-text query matches, as a subquery (every business, listed or not)."""
    return (
        text(search_index.matches_sql(db.engine.dialect.name, ranked=False))
        .bindparams(expr=expression)
        .columns(id=Integer, score=Float)
        .subquery("matches")
    )


def filtered(scope) -> Select:
    """Ids of the listed businesses that pass every filter, in SQL."""
    query = scope.query
    stmt = select(Business.id).where(Business.listed.is_(True))
    if scope.expression:
        stmt = stmt.where(Business.id.in_(select(matched(scope.expression).c.id)))
    if scope.origin is not None:
        stmt = stmt.where(*_within(scope.origin, query.radius_km))
    if query.sector:
        secondary = select(BusinessSector.business_id).where(
            BusinessSector.sector.in_(query.sector)
        )
        stmt = stmt.where(or_(Business.sector.in_(query.sector), Business.id.in_(secondary)))
    if query.stage:
        stmt = stmt.where(Business.stage.in_(query.stage))
    if query.region:
        stmt = stmt.where(Business.region.in_(query.region))
    if query.mentors:
        stmt = stmt.where(Business.willing_to_mentor.is_(True))
    for kind, topics in (("need", query.need), ("offer", query.offer)):
        if topics:
            # Every chosen topic must be present: "needs funding and legal".
            having = (
                select(BusinessTopic.business_id)
                .where(BusinessTopic.kind == kind, BusinessTopic.topic.in_(topics))
                .group_by(BusinessTopic.business_id)
                .having(func.count() == len(set(topics)))
            )
            stmt = stmt.where(Business.id.in_(having))
    if query.network:
        members = (
            select(business_networks.c.business_id)
            .join(Network, Network.id == business_networks.c.network_id)
            .where(Network.slug.in_(query.network))
        )
        stmt = stmt.where(Business.id.in_(members))
    return stmt


def _squared_km(origin: Origin):
    """Squared distance in km from the origin to each public point (equirectangular)."""
    scale = math.cos(math.radians(origin.latitude))
    dy = (Business.public_latitude - origin.latitude) * KM_PER_DEGREE
    dx = (Business.public_longitude - origin.longitude) * (KM_PER_DEGREE * scale)
    return dx * dx + dy * dy


def _within(origin: Origin, radius_km: float) -> list:
    """A bounding box the index can use, then the circle."""
    dlat, dlon = bounding_box(origin, radius_km)
    return [
        Business.public_latitude.between(origin.latitude - dlat, origin.latitude + dlat),
        Business.public_longitude.between(origin.longitude - dlon, origin.longitude + dlon),
        _squared_km(origin) <= radius_km * radius_km,
    ]


def run(app, args: str):
    """The search's result, its page's ids and the page and total SQL gives."""
    with app.test_request_context(f"/businesses?{args}"):
        query = DirectoryQuery.from_args(MultiDict([kv.split("=") for kv in args.split("&") if kv]))
        result = search(query)
        return result, [b.id for b in result.items], _sql_page(result)


def _sql_page(result) -> tuple[list[int], int]:
    """The page and total as one SQL statement gives them (the search before numpy)."""
    scope, query = result.scope, result.query
    stmt = filtered(scope)
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    if scope.origin is not None:
        squared = _squared_km(scope.origin)
    if query.sort == "newest":
        stmt = stmt.order_by(Business.created_at.desc(), Business.id.desc())
    elif query.sort == "distance" and scope.origin is not None:
        stmt = stmt.order_by(squared, Business.name, Business.id)
    elif query.sort == "relevance" and scope.expression:
        ranked = (
            text(search_index.matches_sql(db.engine.dialect.name, ranked=True))
            .bindparams(expr=scope.expression)
            .columns(id=Integer, score=Float)
            .subquery("ranked")
        )
        score = ranked.c.score
        stmt = stmt.join(ranked, ranked.c.id == Business.id)
        if scope.origin is not None:
            score = score / (1.0 + squared / (query.radius_km * query.radius_km))
        first = (search_index.words(query.q)[:1] or [""])[0]
        starts = case((func.lower(Business.name).like(f"{first}%"), 0), else_=1)
        stmt = stmt.order_by(score.desc(), starts, Business.name, Business.id)
    else:
        stmt = stmt.order_by(Business.name, Business.id)
    page = stmt.limit(query.per_page).offset((query.page - 1) * query.per_page)
    return list(db.session.execute(page).scalars()), total


@pytest.mark.parametrize("args", QUERIES)
def test_each_page_is_the_page_sql_gives(app, directory, args):
    result, ids, (expected, total) = run(app, args)
    assert result.total == total
    assert ids == expected


def test_the_queries_above_find_and_order_something(app, directory):
    """The comparisons mean something: most queries find several pages' worth."""
    totals = [run(app, args)[0].total for args in QUERIES]
    assert sum(t > 20 for t in totals) >= len(QUERIES) // 2


@pytest.mark.parametrize(
    "args", ["", "q=community&near=Leeds&radius_km=200", "sector=shop&need=funding"]
)
def test_an_options_count_is_the_total_with_it_ticked_instead(app, directory, args):
    result, *_ = run(app, args)
    counts = search_facets.facet_counts(result)
    for name in FACETS:
        others = "&".join(kv for kv in args.split("&") if kv and not kv.startswith(f"{name}="))
        for option in list(FACETS[name][1])[:6]:
            ticked, *_ = run(app, f"{others}&{name}={option}".strip("&"))
            assert counts[name].get(option, 0) == ticked.total, (name, option)


def test_equal_matches_put_the_name_starting_with_the_word_first(app, directory):
    result, *_ = run(app, "q=trust&near=Okehampton&radius_km=50")
    assert [b.name for b in result.items][:3] == [
        "Trust Fund Shop",
        "Alpha Trust Shop",
        "Beta Trust Shop",
    ]
