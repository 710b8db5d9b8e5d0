"""The search's columns follow every change to the directory, and only read it again when needed."""

from __future__ import annotations

import re

import numpy as np
import pytest

from directory import demo, search_index, search_snapshot, search_text
from directory.extensions import db
from directory.matches import freshness
from directory.models import Business, Network


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


def test_edits_written_into_the_columns_match_a_fresh_read(app, client, make_business, monkeypatch):
    """Edits that keep names are written into a copy: it must equal the directory read again."""
    ids = [make_business(name=f"Shop {n}", needs=["funding"]) for n in range(6)]
    with app.app_context():
        demo.ensure_networks()
        db.session.commit()
    client.get("/businesses")
    edits = [
        lambda b: setattr(b, "needs", ["legal", "marketing"]),
        lambda b: setattr(b, "offers", ["governance"]),
        lambda b: setattr(b, "other_sectors", ["hub", "pub"]),
        lambda b: setattr(b, "willing_to_mentor", True),
        lambda b: setattr(b, "stage", None),
        lambda b: (setattr(b, "public_latitude", 54.6), setattr(b, "public_longitude", -3.1)),
    ]
    with app.app_context():
        for business_id, edit in zip(ids, edits, strict=True):
            edit(db.session.get(Business, business_id))
        network = db.session.execute(db.select(Network)).scalars().first()
        first = db.session.get(Business, ids[0])
        first.networks.append(network)
        db.session.commit()
    read = search_snapshot._read
    reads = []
    monkeypatch.setattr(search_snapshot, "_read", lambda version: reads.append(version))
    with app.test_request_context():
        caught = search_snapshot.current()
        fresh = read(caught.version)
    assert reads == [], "the edits were written in, not read afresh"
    for column in ("ids", "latitude", "longitude", "mentors", "newest", "touched"):
        assert np.array_equal(getattr(caught, column), getattr(fresh, column)), column
    assert caught.names == fresh.names
    everyone = list(range(fresh.size))
    assert caught.pairs(everyone) == fresh.pairs(everyone)
