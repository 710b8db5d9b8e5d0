"""Every name gets its own reachable profile; duplicates are found by name, not by slug."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from directory.businesses import service as business_service
from directory.extensions import db
from directory.models import Business
from directory.places import Place

NAMES = [
    "大阪の協同組合",
    "!!!",
    "???",
    "Кооперативный магазин",
    "Ελληνικό Καφενείο",
    "مقهى المجتمع",
    "Café Ölmühle",
    "🍺",
    "New",
    "Map",
    "Hatherleigh Market",
]


def add(client, name: str):
    return client.post(
        "/businesses/new",
        data={"name": name, "sector": "shop", "stage": "growing", "postcode": "EX20 1AB"},
    )


@pytest.fixture
def member(make_user, auth):
    make_user()
    auth.login()


def test_names_in_any_script_each_get_a_reachable_profile(app, client, member):
    for name in NAMES:
        assert add(client, name).status_code == 302, name
    with app.app_context():
        slugs = dict(db.session.execute(select(Business.name, Business.slug)).all())
        reserved = business_service.reserved_slugs()
    assert len(set(slugs.values())) == len(NAMES)
    assert not set(slugs.values()) & reserved
    for name, slug in slugs.items():
        page = client.get(f"/businesses/{slug}")
        assert page.status_code == 200, name
        assert html.escape(name).encode() in page.data
    assert client.get("/businesses/new").status_code == 200  # still the add form


def test_reserved_slugs_come_from_the_routes_under_businesses(app):
    with app.test_request_context():
        assert {"new", "map.json"} <= business_service.reserved_slugs()


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Café Ölmühle", "cafe-olmuhle"),
        ("Кооператив", "kooperativ"),
        ("!!!", "business"),
        ("  Hill -- Farm  ", "hill-farm"),
    ],
)
def test_slugs_are_transliterated_or_fall_back_readably(name, slug):
    assert business_service.slugify(name) == slug


@pytest.mark.parametrize(
    ("first", "second"),
    [("Acme", "ACME"), ("Acme Stores", "acme  stores."), ("Café", "CAFÉ"), ("大阪", "大阪")],
)
def test_a_name_that_normalises_to_an_existing_one_is_refused(app, client, member, first, second):
    assert add(client, first).status_code == 302
    refused = add(client, second)
    assert refused.status_code == 200
    assert b"already in the directory" in refused.data
    with app.app_context():
        assert len(db.session.execute(select(Business)).all()) == 1


@pytest.mark.parametrize(("first", "second"), [("大阪の協同組合", "!!!"), ("!!!", "???")])
def test_names_that_differ_in_any_script_can_coexist(app, client, member, first, second):
    assert add(client, first).status_code == 302
    assert add(client, second).status_code == 302


def test_editing_a_business_keeps_its_slug_unless_the_name_changes(app, make_business):
    first = make_business(name="Acme")
    second = make_business(name="!!!")
    third = make_business(name="???")
    with app.app_context():
        rows = {b.id: b for b in db.session.execute(select(Business)).scalars()}
        assert [rows[i].slug for i in (first, second, third)] == [
            "acme",
            "business",
            "business-2",
        ]
        for business, name in ((rows[first], "ACME"), (rows[second], "Renamed")):
            data = business_service.BusinessData(
                name=name, sector="shop", stage="growing", place=_place(business)
            )
            business_service.update_business(business, data)
        assert (rows[first].slug, rows[second].slug) == ("acme", "renamed")
        # The freed slug is reused by the next nameless business.
        assert business_service.unique_slug("!!!") == "business"


def _place(business):
    return Place(
        postcode=business.postcode,
        outcode=business.outcode,
        town=business.town,
        latitude=business.latitude,
        longitude=business.longitude,
        region=business.region,
    )
