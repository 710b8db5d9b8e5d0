"""Text search through the full-text index: the same businesses on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from directory import search_snapshot, search_text
from directory.extensions import db
from directory.models import Business


def names(page: str) -> list[str]:
    return re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', page)


def search(client, query: str) -> str:
    response = client.get(f"/businesses?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def shops(make_business):
    make_business(name="The Red Lion", sector="pub", postcode="CA12 5AB", town="Keswick")
    make_business(name="Publow Community Farm", sector="food-growing", postcode="BS39 4AA")
    make_business(
        name="Keswick Community Shop",
        sector="shop",
        postcode="CA12 5DE",
        town="keswick",
        description="A village shop run by its members, with solar panels on the roof.",
    )
    make_business(
        name="Totnes Repair Café",
        sector="hub",
        postcode="TQ9 5AA",
        description="Fixing things together, every month.",
    )
    make_business(
        name="Bovey Co-operative Stores",
        sector="shop",
        postcode="TQ13 9AA",
        description="A co-operative grocery.",
    )


@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("pubs", "The Red Lion"),  # a stemmed sector label
        ("pub", "The Red Lion"),  # not "Publow"
        ("repair cafe", "Totnes Repair Café"),  # accents folded
        ("repair café", "Totnes Repair Café"),
        ("cooperative", "Bovey Co-operative Stores"),  # hyphen joined
        ("co-op", "Bovey Co-operative Stores"),  # synonym
        ("community shop, solar, Keswick", "Keswick Community Shop"),
        ("keswi", "Keswick Community Shop"),  # a prefix
        ("kesswick", "Keswick Community Shop"),  # a typo, corrected
        ("bove", "Bovey Co-operative Stores"),  # the start of a name
        ("bovy", "Bovey Co-operative Stores"),  # a letter left out of a name
        ("red lino", "The Red Lion"),  # letters swapped in a name
        ("totnes repiar", "Totnes Repair Café"),
        ("publo farm", "Publow Community Farm"),
    ],
)
def test_text_search_understands_what_people_type(client, shops, q, first):
    assert names(search(client, f"q={q}"))[0] == first


TYPOS = [
    "kesswick",
    "bovy",
    "lino",
    "repiar",
    "communty",
    "stors",
    "farn",
    "totness",
    "zzzz",
    "generation",
]


@pytest.mark.parametrize("typo", TYPOS)
def test_typos_are_corrected_the_same_with_or_without_the_trigram_index(app, shops, typo):
    with app.test_request_context():
        snapshot = search_snapshot.current()
        found = search_text.closest(typo, snapshot)
        app.extensions["peerlink_pg_trgm"] = False
        assert search_text.closest(typo, snapshot) == found


def test_trigram_index_shortlists_the_words_postgresql_measures_as_similar(app, shops):
    with app.test_request_context():
        if not search_text._trigram_index():
            pytest.skip("PostgreSQL with pg_trgm only: its own similarity() is the reference")
        words = set(db.session.execute(search_text._name_words()).scalars())
        python = search_text.WordList(words)
        for typo in TYPOS:
            reference = (
                db.session.execute(
                    text(
                        "SELECT DISTINCT word FROM business_name_word "
                        "WHERE similarity(word, :typo) >= :limit AND length(word) > 2"
                    ),
                    {"typo": typo, "limit": search_text.SHORTLIST_SIMILARITY},
                )
                .scalars()
                .all()
            )
            similar = search_text._similar_name_words(typo, search_snapshot.current())
            assert sorted(similar) == sorted(reference)
            assert sorted(python.similar(typo)) == sorted(reference)


def test_a_typo_that_still_finds_nothing_here_is_offered_as_a_suggestion(client, shops):
    page = search(client, "q=bovy&near=Keswick&radius_km=10")
    assert names(page) == []
    assert "Did you mean" in page and ">bovey</a>" in page


def test_pub_finds_no_business_that_only_shares_its_letters(client, shops):
    assert "Publow Community Farm" not in names(search(client, "q=pub"))


def test_a_corrected_search_says_what_it_showed(client, shops):
    page = search(client, "q=kesswick")
    assert "Nothing matched “kesswick”: showing “keswick”." in page


def test_nothing_found_is_said_plainly(client, shops):
    page = search(client, "q=zzzzqqq")
    assert names(page) == []
    assert "No businesses match these filters" in page


def test_words_on_any_side_of_a_search_are_kept_when_all_do_not_match(client, shops):
    page = search(client, "q=solar+lion")
    assert "showing those matching any" in page
    assert set(names(page)) == {"Keswick Community Shop", "The Red Lion"}


def test_index_follows_edits_and_deletions(app, client, shops, make_business):
    business_id = make_business(name="Moorland Bakery", postcode="EX20 1AB")
    assert names(search(client, "q=bakery")) == ["Moorland Bakery"]
    with app.app_context():
        business = db.session.get(Business, business_id)
        business.name = "Moorland Brewery"
        db.session.commit()
    assert names(search(client, "q=bakery")) == []
    assert names(search(client, "q=brewery")) == ["Moorland Brewery"]
    with app.app_context():
        db.session.delete(db.session.get(Business, business_id))
        db.session.commit()
    assert names(search(client, "q=brewery")) == []


def test_imported_town_names_are_in_proper_case(app, shops):
    with app.app_context():
        town = db.session.execute(
            db.select(Business.town).where(Business.name == "Keswick Community Shop")
        ).scalar_one()
    assert town == "Keswick"


def test_reindex_command_rebuilds_the_index(app, runner, shops):
    with app.app_context():
        table = "business_search" if db.engine.dialect.name == "postgresql" else "business_fts"
        db.session.execute(text(f"DELETE FROM {table}"))
        db.session.commit()
    result = runner.invoke(args=["directory", "reindex"])
    assert "Indexed 5 businesses for search." in result.output
    assert names(runner.app.test_client().get("/businesses?q=pubs").get_data(as_text=True))[0] == (
        "The Red Lion"
    )


def test_reindex_after_changes_by_hand_makes_every_search_see_them(app, runner, shops):
    client = app.test_client()
    assert names(search(client, "q=lion")) == ["The Red Lion"]  # remembered until a change
    with app.app_context():
        db.session.execute(text("UPDATE business SET name = 'The Red Bull' WHERE id = 1"))
        db.session.commit()
    runner.invoke(args=["directory", "reindex"])
    assert names(search(client, "q=lion")) == []
    assert names(search(client, "q=bull")) == ["The Red Bull"]


def test_a_word_the_directory_holds_is_not_loosened_into_longer_words(client, make_business):
    make_business(name="Parish Hall", postcode="EX20 1AB", description="For public events.")
    make_business(name="The Plough", sector="pub", postcode="LS1 4DY")
    page = search(client, "q=pubs&near=Okehampton")
    assert names(page) == []
    assert names(search(client, "q=pubs")) == ["The Plough"]


def test_facet_counts_survive_a_business_listed_while_they_are_read(
    app, client, make_business, monkeypatch
):
    """The search snapshot is read in several queries; one listed in between is left out."""
    make_business(name="Seen Shop", needs=["funding"])
    hidden = make_business(name="Late Shop", needs=["funding"], other_sectors=["hub"])
    with app.app_context():
        db.session.get(Business, hidden).listed = False
        db.session.commit()
    real_execute = db.session.execute
    done = []

    def execute(statement, *args, **kwargs):
        result = real_execute(statement, *args, **kwargs)
        sql = str(statement)
        snapshot = "SELECT business.id, business.name, business.public_latitude"
        if not done and sql.startswith(snapshot):
            rows = result.all()  # the businesses are read: now the owner confirms their email
            real_execute(db.update(Business).where(Business.id == hidden).values(listed=True))
            done.append(True)
            return rows
        return result

    monkeypatch.setattr(db.session, "execute", execute)
    response = client.get("/businesses?need=funding")
    assert done, "the search snapshot was not read as this test expects"
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert names(page) == ["Seen Shop"]
    assert re.search(r'for="f-need-funding">[^<]*<span class="count">\(1\)', page)
