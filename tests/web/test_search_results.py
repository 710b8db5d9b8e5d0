"""The directory's results and counts, checked against SQL written out in full.

The search filters and orders on numpy columns (directory.search_snapshot); here every page
is compared with the same search asked of the database in one SQL statement (the filters
the map uses, ordered and paged by SQL), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import math

import pytest
from sqlalchemy import Float, Integer, case, func, select, text
from werkzeug.datastructures import MultiDict

from directory import bulk, demo, search_facets, search_index
from directory.extensions import db
from directory.models import Business
from directory.search import DirectoryQuery, filtered, search
from directory.search_query import FACETS
from directory.search_snapshot import KM_PER_DEGREE

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
        origin = scope.origin
        scale = KM_PER_DEGREE * math.cos(math.radians(origin.latitude))
        dx = (Business.public_longitude - origin.longitude) * scale
        dy = (Business.public_latitude - origin.latitude) * KM_PER_DEGREE
        squared = dx * dx + dy * dy
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
