"""Matching in the product: /matches, the visitor's form, the CLI, and index refreshes."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import event, select, update

from directory import create_app, matchmaking
from directory.businesses import service as business_service
from directory.extensions import db
from directory.models import Business, Introduction, MatchingChange, Network, OutboxMessage


@pytest.fixture
def owner(make_user):
    return make_user()


@pytest.fixture
def community(make_business, owner):
    """A starting shop in Devon that needs funding, and businesses around it."""
    ids = {
        "me": make_business(
            owner=owner,
            name="Okehampton Community Shop",
            sector="shop",
            stage="starting",
            postcode="EX20 1AB",
            needs=["funding", "legal"],
            description="Village shop and post office run by volunteers.",
        ),
        "mentor": make_business(
            name="Chagford Community Stores",
            sector="shop",
            stage="mature",
            postcode="TQ13 8AA",
            offers=["funding", "legal"],
            willing_to_mentor=True,
            description="Village shop owned by the community.",
        ),
        "unwilling": make_business(
            name="Tavistock Village Store",
            sector="shop",
            stage="mature",
            postcode="PL19 0AA",
            offers=["funding"],
            willing_to_mentor=False,
        ),
        "peer": make_business(
            name="Hatherleigh Community Shop",
            sector="shop",
            stage="growing",
            postcode="EX20 3JB",
            needs=["funding"],
            description="Community shop and café run by volunteers.",
        ),
        "far": make_business(
            name="Alnwick Food Co-op",
            sector="cafe-food",
            stage="starting",
            postcode="NE66 1AA",
            needs=["funding"],
        ),
    }
    return ids


def test_matches_page_shows_peers_and_mentors_with_reasons(client, auth, community):
    auth.login()
    page = client.get("/matches").get_data(as_text=True)
    peers, mentors = page.split('id="mentors-heading"')
    assert "Hatherleigh Community Shop" in peers
    assert "Okehampton Community Shop</a>" not in page  # never itself
    assert "Chagford Community Stores" in mentors
    assert "Tavistock Village Store" not in mentors  # not willing to mentor
    assert (
        "Offers help with grants and fundraising, legal structure and compliance, which you need"
        in mentors
        or re.search(r"Offers help with [^<]*grants and fundraising[^<]*which you need", mentors)
    )
    assert re.search(r"\d+ km away", mentors)


def outbox_body(client) -> str:
    with client.application.app_context():
        return (
            db.session.execute(select(OutboxMessage.body).order_by(OutboxMessage.id.desc()))
            .scalars()
            .first()
        )


def test_registration_lands_on_the_new_business_suggestions(client, community):
    response = client.post(
        "/register",
        data={
            "account_name": "Sam",
            "account_email": "sam@example.org",
            "password": "long enough pass",
            "confirm": "long enough pass",
            "name": "Sampford Courtenay Shop",
            "sector": "shop",
            "stage": "exploring",
            "postcode": "EX20 2TB",
            "needs": ["funding"],
        },
    )
    assert "Check your email" in response.get_data(as_text=True)
    [link] = re.findall(r"http://127\.0\.0\.1:5000(/account/verify/\S+)", outbox_body(client))
    to_login = client.get(link).headers["Location"]
    signed_in = client.post(
        to_login, data={"email": "sam@example.org", "password": "long enough pass"}
    )
    assert signed_in.headers["Location"] == "/matches?business=sampford-courtenay-shop"
    page = client.get(signed_in.headers["Location"]).get_data(as_text=True)
    assert "Peers and mentors for Sampford Courtenay Shop" in page
    assert "Chagford Community Stores" in page


def test_matches_for_someone_elses_business_is_refused(client, auth, community):
    auth.login()
    assert client.get("/matches?business=chagford-community-stores").status_code == 403


def test_distance_filter_drops_far_suggestions(client, auth, community):
    auth.login()
    wide = client.get("/matches").get_data(as_text=True)
    near = client.get("/matches?max_km=50").get_data(as_text=True)
    assert "Alnwick Food Co-op" in wide
    assert "Alnwick Food Co-op" not in near
    assert "Hatherleigh Community Shop" in near


def test_visitor_can_try_matching_without_registering(client, community):
    page = client.get(
        "/matches/try?sector=shop&stage=starting&where=Okehampton&needs=legal"
    ).get_data(as_text=True)
    assert "Chagford Community Stores" in page
    assert "Register your business" in page
    bad = client.get("/matches/try?sector=shop&stage=starting&where=Atlantis").get_data(
        as_text=True
    )
    assert "We could not find a town called “Atlantis”." in bad
    assert 'value="Atlantis"' in bad


def test_index_refreshes_when_a_business_is_added_or_edited(
    app, client, auth, community, make_business
):
    auth.login()
    assert "Bridestowe Shop" not in client.get("/matches").get_data(as_text=True)
    new_id = make_business(
        name="Bridestowe Shop",
        sector="shop",
        stage="established",
        postcode="EX20 4EL",
        offers=["legal"],
        willing_to_mentor=True,
    )
    mentors = client.get("/matches").get_data(as_text=True).split('id="mentors-heading"')[1]
    assert "Bridestowe Shop" in mentors

    with app.app_context():
        business = db.session.get(Business, new_id)
        business.willing_to_mentor = False
        db.session.commit()
    mentors = client.get("/matches").get_data(as_text=True).split('id="mentors-heading"')[1]
    assert "Bridestowe Shop" not in mentors

    with app.app_context():
        business_service.delete_business(db.session.get(Business, community["mentor"]))
    assert "Chagford Community Stores" not in client.get("/matches").get_data(as_text=True)


def test_cli_suggest_prints_json_best_first(runner, community):
    result = runner.invoke(
        args=[
            "matching",
            "suggest",
            "okehampton-community-shop",
            "--kind",
            "mentor",
            "--limit",
            "3",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    suggestions = json.loads(result.output)
    assert [s["name"] for s in suggestions] == ["Chagford Community Stores"]
    first = suggestions[0]
    assert set(first) == {"id", "name", "slug", "score", "distance_km", "reasons"}
    assert 0 < first["score"] <= 1
    assert f"{round(first['distance_km'])} km away" in first["reasons"]


def test_cli_suggest_by_name_and_id_and_unknown(runner, community):
    by_name = runner.invoke(args=["matching", "suggest", "Okehampton Community Shop"])
    by_id = runner.invoke(args=["matching", "suggest", str(community["me"])])
    assert by_name.output == by_id.output
    assert "Hatherleigh Community Shop" in by_name.output
    unknown = runner.invoke(args=["matching", "suggest", "Nowhere Ltd"])
    assert unknown.exit_code == 1
    assert "No business with id, slug or name “Nowhere Ltd”." in unknown.output


def test_cli_batch_writes_one_line_per_business_at_the_given_stages(runner, community, tmp_path):
    out = tmp_path / "round.jsonl"
    result = runner.invoke(
        args=[
            "matching",
            "batch",
            "--kind",
            "peer",
            "--limit",
            "2",
            "--out",
            str(out),
            "--stage",
            "starting",
            "--stage",
            "growing",
        ]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(line["name"] for line in lines) == [
        "Alnwick Food Co-op",
        "Hatherleigh Community Shop",
        "Okehampton Community Shop",
    ]
    assert all(len(line["matches"]) <= 2 for line in lines)
    assert all(m["id"] != line["id"] for line in lines for m in line["matches"])


# -- freshness: the directory version, in-place updates, workers ----------------------------


def _mentor_ids(app, business_id: int) -> list[int]:
    with app.app_context():
        business = db.session.get(Business, business_id)
        return [s.id for s in matchmaking.suggest_for(business, "mentor")]


def _change(app, business_id: int, edit) -> None:
    with app.app_context():
        edit(db.session.get(Business, business_id))
        db.session.commit()


def _network(name: str) -> Network:
    network = Network(slug=name.lower(), name=name)
    db.session.add(network)
    return network


# Every kind of write that changes what matching reads, done without touching `updated_at`'s
# usual path (no form): each must raise the version and log the business.
EDITS = {
    "offers": lambda b: setattr(b, "offers", ["marketing"]),
    "needs": lambda b: setattr(b, "needs", ["staff"]),
    "other sectors": lambda b: setattr(b, "other_sectors", ["pub"]),
    "networks": lambda b: setattr(b, "networks", [_network("Devon Shops")]),
    "pause": lambda b: setattr(b, "accepting_requests", False),
    "capacity": lambda b: setattr(b, "mentor_capacity", 0),
    "unlisted": lambda b: setattr(b, "listed", False),
    "description": lambda b: setattr(b, "description", "Bakery"),
    "deleted": lambda b: db.session.delete(b),
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_every_write_matching_reads_raises_the_version_and_logs_the_business(app, community, edit):
    with app.app_context():
        before, _ = matchmaking.read_version()
    _change(app, community["mentor"], edit)
    with app.app_context():
        after, _ = matchmaking.read_version()
        logged = db.session.execute(
            select(MatchingChange.business_id).where(MatchingChange.version == after)
        ).scalars()
        assert after == before + 1
        assert community["mentor"] in set(logged)


@pytest.mark.parametrize(
    "edit",
    [EDITS["offers"], EDITS["pause"], EDITS["capacity"], EDITS["unlisted"], EDITS["deleted"]],
    ids=["offers", "pause", "capacity", "unlisted", "deleted"],
)
def test_an_edit_reaches_suggestions_in_place_without_refitting(app, community, edit):
    assert community["mentor"] in _mentor_ids(app, community["me"])
    with app.app_context():
        before = matchmaking.index()
        matcher, ids_array = before.matcher, before.matcher.store_.ids

    _change(app, community["mentor"], edit)

    assert community["mentor"] not in _mentor_ids(app, community["me"])
    with app.app_context():
        after = matchmaking.index()
        assert after.matcher is matcher and after.matcher.store_.ids is ids_array  # no copy


def test_a_bulk_update_that_skips_the_flush_still_raises_the_version(app, community):
    assert community["mentor"] in _mentor_ids(app, community["me"])
    with app.app_context():
        db.session.execute(
            update(Business).where(Business.id == community["mentor"]).values(listed=False)
        )
        db.session.commit()
    assert community["mentor"] not in _mentor_ids(app, community["me"])


def test_a_fresh_index_costs_one_query(app, community):
    statements = []
    with app.app_context():
        matchmaking.index()

        def count(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            matchmaking.index()
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1 and "matching_state" in statements[0]


def test_new_words_count_before_any_refit(app, community, make_business):
    me = community["me"]
    _change(app, me, lambda b: setattr(b, "description", "Zither workshop"))
    with app.app_context():
        matcher = matchmaking.index().matcher
    new = make_business(name="Zither Makers", sector="arts-culture", postcode="EX20 2AA",
                        description="We teach zither playing.")  # fmt: skip
    with app.app_context():
        assert matchmaking.index().matcher is matcher
        found = {
            s.id: s.reasons
            for s in matchmaking.suggest_for(db.session.get(Business, me), "peer", 10)
        }
    assert "Similar work: both mention “zither”" in found[new]


def _open_introduction(requester: int, target: int) -> None:
    db.session.add(
        Introduction(
            requester_id=requester,
            target_id=target,
            kind="mentor",
            pair_key=f"{min(requester, target)}:{max(requester, target)}",
            state="accepted",
        )
    )
    db.session.commit()


@pytest.fixture
def worker(app, database_url):
    """A second app on the same database: another gunicorn worker."""
    other = create_app(dict(app.config, SQLALCHEMY_DATABASE_URI=database_url))
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_mentor_load_reaches_every_worker(app, worker, community, make_business):
    other = make_business(name="Sourton Stores", postcode="EX20 4HT", needs=["funding"])
    _change(app, community["mentor"], lambda b: setattr(b, "mentor_capacity", 1))
    assert community["mentor"] in _mentor_ids(worker, community["me"])

    with app.app_context():  # the first worker records an introduction to the mentor
        _open_introduction(other, community["mentor"])

    assert community["mentor"] not in _mentor_ids(worker, community["me"])  # now at capacity


def test_the_index_is_built_at_start_up_not_on_the_first_request(app, client, auth, community):
    app.extensions.pop("peerlink_index", None)
    matchmaking.warm_up(app)  # what wsgi.py does (in a thread outside tests)
    built = app.extensions["peerlink_index"].matcher

    auth.login()
    client.get("/matches")

    assert app.extensions["peerlink_index"].matcher is built
    assert len(built) == len(community)


def test_cli_refit_makes_every_worker_refit(worker, runner, community):
    with worker.app_context():
        before = matchmaking.index().matcher

    result = runner.invoke(args=["matching", "refit"])

    assert result.exit_code == 0, result.output
    assert f"Refitted on {len(community)} listed businesses" in result.output
    with worker.app_context():
        assert matchmaking.index().matcher is not before
        assert matchmaking.index().refits == 1


def test_enough_edits_refit_the_text_model(app, community):
    app.config["MATCHING_REFIT_SHARE"] = 0.0
    with app.app_context():
        before = matchmaking.index().matcher
    _change(app, community["peer"], lambda b: setattr(b, "description", "Bakery"))
    with app.app_context():
        after = matchmaking.index().matcher
    assert after is not before and after.stale_share() == 0


@pytest.mark.parametrize(
    ("edit", "explanation"),
    [
        (lambda b: setattr(b, "needs", []), "Add what you need help with to your profile"),
        (lambda b: setattr(b, "stage", "mature"), "You are among the most experienced"),
    ],
    ids=["no needs", "mature"],
)
def test_an_empty_mentor_column_says_why_and_what_to_do(
    client, auth, app, community, edit, explanation
):
    _change(app, community["me"], edit)
    auth.login()
    mentors = client.get("/matches").get_data(as_text=True).split('id="mentors-heading"')[1]
    assert explanation in mentors
    assert "Chagford Community Stores" not in mentors
