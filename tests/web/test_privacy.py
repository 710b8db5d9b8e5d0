"""Privacy rights: a member downloads all their data, or deletes it keeping others' history."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from directory.auth.privacy import DELETED_NAME
from directory.extensions import db
from directory.introductions import commands as workflow
from directory.introductions import states as st
from directory.models import Business, Introduction, OutboxMessage, Report, User, UserSession

PASSWORD = "correct horse battery"
SHOP = "Okehampton Community Shop"


@dataclass
class Parties:
    alice: int
    bob: int
    shop: int
    spare: int
    mentor: int
    intro: int


@pytest.fixture
def parties(app, make_user, make_business) -> Parties:
    alice = make_user("alice@example.org")
    bob = make_user("bob@example.org")
    make_user("admin@example.org", role="admin")
    shop = make_business(
        owner=alice, name=SHOP, email="shop@example.org", phone="01837 111111", needs=["legal"]
    )
    spare = make_business(owner=alice, name="Alice's Other Idea")
    mentor = make_business(
        owner=bob, name="Chagford Stores", offers=["legal"], willing_to_mentor=True
    )
    with app.app_context():
        intro = workflow.request_introduction(
            db.session.get(User, alice),
            db.session.get(Business, shop),
            db.session.get(Business, mentor),
            "mentor",
            "How did you raise community shares?",
        )
        workflow.report_problem(
            db.session.get(User, alice),
            "Their phone number rings a private flat in Exeter.",
            business=db.session.get(Business, mentor),
        )
        intro_id = intro.id
    return Parties(alice, bob, shop, spare, mentor, intro_id)


def sign_in(auth, email="alice@example.org"):
    assert auth.login(email, PASSWORD).status_code == 302


def test_download_holds_everything_about_the_member_and_no_password_hash(
    app, client, auth, parties
):
    sign_in(auth)
    response = client.get("/account/data.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "alice@example.org"
    with app.app_context():
        stored_hash = db.session.get(User, parties.alice).password_hash
    assert stored_hash not in response.get_data(as_text=True)
    assert "password_hash" not in data["account"]
    shop = next(b for b in data["businesses"] if b["name"] == SHOP)
    assert (shop["email"], shop["phone"], shop["postcode"]) == (
        "shop@example.org",
        "01837 111111",
        "EX20 1AB",
    )
    assert shop["needs"] == ["legal"]
    [intro] = data["introductions"]
    assert intro["message"] == "How did you raise community shares?"
    assert [e["to"] for e in intro["events"]] == [st.REQUESTED]
    assert [r["reason"] for r in data["reports"]] == [
        "Their phone number rings a private flat in Exeter."
    ]
    assert all(e["to"] in {"alice@example.org", "shop@example.org"} for e in data["emails"])


def test_download_needs_sign_in(client):
    assert client.get("/account/data.json").status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [("not it", "That is not your password."), ("", "Enter your current password")],
)
def test_deleting_with_a_wrong_password_changes_nothing(
    app, client, auth, parties, password, message
):
    sign_in(auth)
    response = client.post("/account/delete", data={"del-password": password})

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, parties.alice) is not None
        assert db.session.get(Business, parties.shop).name == SHOP


@pytest.fixture
def deleted(app, client, auth, parties) -> Parties:
    sign_in(auth)
    response = client.post("/account/delete", data={"del-password": PASSWORD})
    assert response.status_code == 302
    return parties


def test_deletion_removes_the_person_and_signs_them_out(app, client, deleted):
    with app.app_context():
        assert db.session.get(User, deleted.alice) is None
        assert db.session.execute(select(UserSession)).scalars().all() == []
        assert db.session.get(Business, deleted.spare) is None  # no introductions: gone
    assert client.get("/account").status_code == 302


def test_deletion_keeps_a_tombstone_for_the_other_sides_introduction(app, deleted):
    with app.app_context():
        tomb = db.session.get(Business, deleted.shop)
        assert tomb.name == DELETED_NAME
        assert tomb.listed is False
        assert tomb.owner_id is None
        assert (tomb.email, tomb.phone, tomb.website, tomb.description, tomb.town) == ("",) * 5
        assert tomb.postcode is None and tomb.outcode is None
        assert tomb.needs == []
        assert (tomb.sector, tomb.stage, tomb.region) == ("shop", "growing", "south-west")
        intro = db.session.get(Introduction, deleted.intro)
        assert intro.target_id == deleted.mentor
        assert intro.state == st.WITHDRAWN  # it was still open
        assert intro.events[-1].note == "The other organisation deleted its account."


def test_deletion_tells_the_other_side_once(app, deleted):
    with app.app_context():
        to_bob = db.session.execute(
            select(OutboxMessage).where(OutboxMessage.to_address == "bob@example.org")
        ).scalars()
        notices = [m for m in to_bob if "deleted its account" in m.subject]
    assert len(notices) == 1
    assert "Chagford Stores" in notices[0].body


def test_deletion_removes_emails_to_them_and_about_them_and_their_report_words(app, deleted):
    with app.app_context():
        messages = db.session.execute(select(OutboxMessage)).scalars().all()
        assert messages  # the coordinators' copies and the notice to Bob are kept
        for message in messages:
            assert message.to_address not in {"alice@example.org", "shop@example.org"}
            assert SHOP not in message.body
            assert "private flat" not in message.body
        [report] = db.session.execute(select(Report)).scalars().all()
        assert report.reason == ""
        assert report.reporter_id is None


def test_two_tombstones_get_different_slugs(app, client, auth, parties, make_business):
    second = make_business(owner=parties.alice, name="Second Shop", postcode="EX20 3JB")
    with app.app_context():
        workflow.request_introduction(
            db.session.get(User, parties.alice),
            db.session.get(Business, second),
            db.session.get(Business, parties.mentor),
            "peer",
            "Hello",
        )
    sign_in(auth)
    client.post("/account/delete", data={"del-password": PASSWORD})
    with app.app_context():
        slugs = db.session.execute(
            select(Business.slug).where(Business.name == DELETED_NAME)
        ).scalars()
        assert len(set(slugs)) == 2
