"""Evidence stays current without a timer: every write it reads shows on the next page, and the
rows refreshed in place give exactly what a fresh load of every row gives."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from directory.evidence import dataset, freshness, outcomes, reading, snapshot
from directory.extensions import db
from directory.introductions import commands as workflow
from directory.models import (
    Business,
    EvidenceChange,
    EvidenceState,
    Introduction,
    MatchingChange,
    Network,
    Outcome,
    SuggestionView,
    User,
    utcnow,
)

from .conftest import PASSWORD, World, email

PAGES = ("/evidence.json", "/evidence/introductions.json", "/evidence/map.json")


def _new_introduction(world: World) -> None:
    db.session.add(
        Introduction(
            requester_id=world.pub,
            target_id=world.mentor,
            pair_key=f"{min(world.pub, world.mentor)}:{max(world.pub, world.mentor)}",
            kind="peer",
            message="Hello",
        )
    )


def _approved_request(world: World) -> None:
    get = db.session.get
    intro = workflow.request_introduction(
        get(User, world.users["carol"]), get(Business, world.pub), get(Business, world.shop),
        "peer", "Hello",
    )  # fmt: skip
    workflow.approve(intro, get(User, world.users["admin"]))


def _outcome_from_the_other_side(world: World) -> None:
    outcomes.record_outcome(
        db.session.get(Introduction, world.intro),
        db.session.get(User, world.users["mentor_owner"]),
        outcomes.OutcomeAnswers(met=True, usefulness=4, applied=True, difference_kinds=["time"]),
    )


def _stories_withdrawn(world: World) -> None:
    db.session.execute(db.update(Outcome).values(share_story=False))


def _outcome_deleted(world: World) -> None:
    db.session.delete(db.session.get(Introduction, world.intro).outcomes[0])


def _needs_edited(world: World) -> None:
    db.session.get(Business, world.pub).needs = ["marketing", "premises"]


def _joined_a_network(world: World) -> None:
    shop = db.session.get(Business, world.shop)
    shop.networks.append(
        db.session.execute(db.select(Network).filter_by(slug="locality")).scalar_one()
    )


def _unlisted(world: World) -> None:
    db.session.get(Business, world.pub).listed = False


def _named(world: World) -> None:
    db.session.get(Business, world.shop).named_in_evidence = True


def _deleted(world: World) -> None:
    db.session.delete(db.session.get(Business, world.mentor))


def _network_renamed(world: World) -> None:
    db.session.execute(db.select(Network).filter_by(slug="locality")).scalar_one().name = "Renamed"


def _suggestions_viewed(world: World) -> None:
    db.session.add(SuggestionView(business_id=world.shop))


CHANGES: dict[str, Callable[[World], None]] = {
    "new introduction": _new_introduction,
    "request approved": _approved_request,
    "outcome recorded": _outcome_from_the_other_side,
    "stories withdrawn in bulk": _stories_withdrawn,
    "outcome deleted": _outcome_deleted,
    "needs edited": _needs_edited,
    "joined a network": _joined_a_network,
    "unlisted": _unlisted,
    "agreed to be named": _named,
    "organisation deleted": _deleted,
    "network renamed": _network_renamed,
    "suggestions viewed": _suggestions_viewed,
}


def pages(client) -> dict:
    return {path: client.get(path).get_json() for path in PAGES}


@pytest.fixture
def admin(client, world):
    client.post("/login", data={"email": email("admin"), "password": PASSWORD})
    return client


def change(app, world: World, name: str) -> None:
    with app.app_context():
        CHANGES[name](world)
        db.session.commit()


def fresh_pages(app, client) -> dict:
    with app.app_context():
        dataset.clear_cache()
    return pages(client)


@pytest.mark.parametrize("name", CHANGES)
def test_every_write_evidence_reads_shows_at_once_as_a_fresh_load_would(app, admin, world, name):
    before = pages(admin)  # the rows are now kept by the process
    change(app, world, name)
    after = pages(admin)
    assert after != before
    assert after == fresh_pages(app, admin)


@pytest.mark.parametrize("name", ["new introduction", "outcome recorded", "needs edited"])
def test_a_process_whose_change_logs_were_pruned_reads_every_row_again(app, admin, world, name):
    pages(admin)
    with app.app_context():
        db.session.execute(db.delete(MatchingChange))
        db.session.execute(db.delete(EvidenceChange))
        db.session.execute(db.update(EvidenceState).values(pruned_up_to=EvidenceState.version))
        db.session.commit()
    change(app, world, name)
    assert pages(admin) == fresh_pages(app, admin)


@pytest.mark.parametrize("name", ["request approved", "outcome recorded"])
def test_many_changes_at_once_read_every_row_again(app, admin, world, monkeypatch, name):
    pages(admin)
    monkeypatch.setattr(snapshot, "REFRESH_MOST", 0)
    monkeypatch.setattr(snapshot, "REFRESH_SHARE", 0.0)
    change(app, world, name)
    assert pages(admin) == fresh_pages(app, admin)


def _snapshot(app) -> snapshot.Snapshot:
    return app.extensions["peerlink_evidence"].snapshot


def test_rows_are_read_again_only_when_a_write_changes_them_and_only_those(app, admin, world):
    pages(admin)
    first = _snapshot(app)
    pages(admin)
    assert _snapshot(app) is first  # no timer: nothing changed, nothing read
    change(app, world, "suggestions viewed")
    pages(admin)
    assert _snapshot(app) is first  # views are appended beside the rows
    change(app, world, "outcome recorded")
    pages(admin)
    after_outcome = _snapshot(app)
    assert after_outcome is not first and after_outcome.orgs is first.orgs
    change(app, world, "needs edited")
    pages(admin)
    assert _snapshot(app).orgs is not first.orgs


def test_views_committed_out_of_id_order_are_counted(app, admin, world):
    def viewed(view_id: int) -> None:
        with app.app_context():
            db.session.add(SuggestionView(id=view_id, business_id=world.shop))
            db.session.commit()

    viewed(10)
    assert admin.get("/evidence.json").get_json()["funnel"]["suggestions_viewed"] == 1
    viewed(5)  # a transaction that took id 5 before id 10 but committed after it
    viewed(11)
    assert admin.get("/evidence.json").get_json()["funnel"]["suggestions_viewed"] == 3


def _evidence_version(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(EvidenceState.version)).scalar_one()


def _logged_introductions(app, since: int) -> set[int]:
    with app.app_context():
        stmt = db.select(EvidenceChange.introduction_id).where(EvidenceChange.version > since)
        return set(db.session.execute(stmt).scalars())


@pytest.mark.parametrize(
    "name, logs_the_introduction",
    [
        ("outcome recorded", True),
        ("stories withdrawn in bulk", True),
        ("outcome deleted", True),
        ("network renamed", False),
    ],
)
def test_outcome_and_network_writes_raise_the_evidence_version(
    app, world, name, logs_the_introduction
):
    before = _evidence_version(app)
    change(app, world, name)
    assert _evidence_version(app) == before + 1
    assert _logged_introductions(app, before) == ({world.intro} if logs_the_introduction else set())


@pytest.mark.parametrize("name", ["needs edited", "unlisted", "new introduction"])
def test_writes_the_directory_version_counts_leave_the_evidence_version(app, world, name):
    before = _evidence_version(app)
    change(app, world, name)
    assert _evidence_version(app) == before


def test_the_evidence_log_is_pruned_and_a_process_behind_it_reads_every_answer(
    app, admin, world, monkeypatch
):
    pages(admin)
    monkeypatch.setattr(freshness, "PRUNE_EVERY", 1)
    monkeypatch.setattr(freshness, "KEEP", 1)
    change(app, world, "outcome recorded")
    change(app, world, "stories withdrawn in bulk")
    with app.app_context():
        version, pruned = db.session.execute(
            db.select(EvidenceState.version, EvidenceState.pruned_up_to)
        ).one()
        assert pruned == version - 1
        assert not db.session.execute(
            db.select(EvidenceChange).where(EvidenceChange.version <= pruned)
        ).first()
    assert pages(admin) == fresh_pages(app, admin)


def test_rows_read_at_start_up_serve_the_first_page(app, admin, world):
    dataset.warm_up(app)  # what wsgi.py does (in a thread outside tests)
    first = _snapshot(app)
    assert first is not None
    pages(admin)
    assert _snapshot(app) is first


def test_start_up_before_the_database_exists_leaves_the_rows_to_the_first_page(tmp_path, caplog):
    from directory import create_app

    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite'}"}
    )
    dataset.warm_up(app)
    assert "evidence rows not read at start-up" in caplog.text
    assert app.extensions["peerlink_evidence"].snapshot is None


def test_a_deleted_organisations_views_go_with_it_even_when_its_id_is_given_again(
    app, admin, world
):
    with app.app_context():
        db.session.add_all(SuggestionView(business_id=world.mentor) for _ in range(3))
        db.session.add(SuggestionView(business_id=world.shop))
        db.session.commit()
    assert admin.get("/evidence.json").get_json()["funnel"]["suggestions_viewed"] == 4
    with app.app_context():  # deleted, and its id given to a new organisation (as SQLite may)
        mentor = db.session.get(Business, world.mentor)
        columns = {c.key: getattr(mentor, c.key) for c in Business.__table__.columns}
        db.session.delete(mentor)
        db.session.commit()
        db.session.add(Business(**{**columns, "created_at": utcnow(), "updated_at": utcnow()}))
        db.session.commit()
    after = pages(admin)
    assert after["/evidence.json"]["funnel"]["suggestions_viewed"] == 1
    assert after == fresh_pages(app, admin)


def test_answers_read_a_few_introductions_at_a_time_are_all_the_answers(app, world, monkeypatch):
    change(app, world, "new introduction")
    with app.app_context():
        for intro in db.session.execute(db.select(Introduction)).scalars():
            db.session.add(Outcome(introduction=intro, met=True, usefulness=3))
        db.session.commit()
        everything = reading.load_answers()
        monkeypatch.setattr(reading, "IN_LIST_MOST", 1)
        in_chunks = reading.load_answers(sorted(set(everything.introduction.tolist())))
        assert len(set(everything.introduction.tolist())) == 2 and len(everything) == 3
        assert in_chunks.records() == everything.records()
        assert in_chunks.id.tolist() == everything.id.tolist()
