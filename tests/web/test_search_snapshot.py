"""The search's columns follow every change to the directory, and only read it again when needed."""

from __future__ import annotations

import re

import pytest

from directory import search_snapshot
from directory.extensions import db
from directory.matches import freshness
from directory.models import Business


def names(page: str) -> list[str]:
    return re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', page)


def funding_count(page: str) -> int:
    found = re.search(r'for="f-need-funding">[^<]*<span class="count">\(([\d,]+)\)', page)
    return int(found.group(1)) if found else 0


@pytest.fixture
def shops(make_business):
    return [
        make_business(name="Moor Shop", needs=["funding"]),
        make_business(name="Vale Shop", needs=["legal"]),
    ]


def generation(app) -> int:
    with app.test_request_context():
        return search_snapshot.current().generation


def test_a_change_that_leaves_the_search_as_it_was_keeps_its_columns(app, client, shops):
    """An introduction raises the directory version for both businesses without changing them."""
    before = client.get("/businesses?need=funding").get_data(as_text=True)
    kept = generation(app)
    with app.app_context():
        freshness.bump(db.session, shops)
        db.session.commit()
    after = client.get("/businesses?need=funding").get_data(as_text=True)
    assert generation(app) == kept
    assert names(after) == names(before) == ["Moor Shop"]


@pytest.mark.parametrize(
    ("change", "funded"),
    [
        (lambda b: setattr(b, "needs", ["funding"]), ["Moor Shop", "Vale Shop"]),  # topics only
        (lambda b: setattr(b, "name", "Valley Shop"), ["Moor Shop"]),
        (lambda b: setattr(b, "listed", False), ["Moor Shop"]),
    ],
)
def test_a_change_to_what_the_search_reads_is_seen_at_once(app, client, shops, change, funded):
    client.get("/businesses?need=funding")
    kept = generation(app)
    with app.app_context():
        change(db.session.get(Business, shops[1]))
        db.session.commit()
    page = client.get("/businesses?need=funding").get_data(as_text=True)
    assert generation(app) != kept
    assert names(page) == funded
    assert funding_count(page) == len(funded)


def test_a_business_not_listed_yet_changes_nothing_until_it_is_listed(
    app, client, shops, make_business
):
    client.get("/businesses?q=shop")
    kept = generation(app)
    late = make_business(name="Late Shop", needs=["funding"])
    with app.app_context():
        db.session.get(Business, late).listed = False
        db.session.commit()
    assert names(client.get("/businesses?q=shop").get_data(as_text=True)) == [
        "Moor Shop",
        "Vale Shop",
    ]
    assert generation(app) == kept
    with app.app_context():
        db.session.get(Business, late).listed = True
        db.session.commit()
    assert "Late Shop" in names(client.get("/businesses?q=shop").get_data(as_text=True))
