"""The search's columns follow every change to the directory, and only read it again when needed."""

from __future__ import annotations

import re

import pytest

from directory import search_index, search_snapshot, search_text
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


def test_a_match_gone_before_its_score_is_read_is_shown_last(
    app, client, make_business, monkeypatch
):
    """Rows are counted, then scored: a save in between (here, by hand) is no 500."""
    make_business(name="Moor Bakery")
    gone = make_business(name="Bakery Vale")  # first otherwise: it starts with the word
    assert names(client.get("/businesses?q=bakery").get_data(as_text=True))[0] == ("Bakery Vale")
    with app.app_context(), db.engine.begin() as connection:
        search_snapshot.raise_version(connection)  # forget the scores read above
    read_matches = search_text._read_matches

    def read_after_a_change(snapshot, expression, ranked):
        if ranked:
            with app.app_context():
                search_index.remove(db.session.connection(), [gone])
                db.session.commit()
        return read_matches(snapshot, expression, ranked)

    monkeypatch.setattr(search_text, "_read_matches", read_after_a_change)
    response = client.get("/businesses?q=bakery")
    assert response.status_code == 200
    assert names(response.get_data(as_text=True)) == ["Moor Bakery", "Bakery Vale"]
