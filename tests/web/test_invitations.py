# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""Businesses without an account: the emailed invitation, bad links, answers on their behalf."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from directory import accounts
from directory.extensions import db
from directory.introductions import commands, permissions
from directory.introductions import states as st
from directory.models import Business, Introduction
from tests.web.networks_world import request_to, unowned  # noqa: F401  (pytest fixtures)
from tests.web.test_introductions import PASSWORD, business, outbox, user, world  # noqa: F401  (pytest fixtures)
from tests.web.test_mail import deliver, received, sink, smtp_app  # noqa: F401  (pytest fixtures)


def test_an_unowned_business_accepts_from_its_emailed_invitation(
    smtp_app, client, auth, world, unowned, received
):
    with smtp_app.app_context():
        intro = request_to(world, unowned)
        commands.approve(intro, user(world.coord), "They are lovely")
        intro_id = intro.id
    deliver(smtp_app)  # as the mail worker does: nothing is sent inside a request
    invitation = next(m for to, m in received if to == ["hall@belstone.example"])
    body = invitation.get_content()
    assert "Could we visit?" in body and "They are lovely" in body
    assert "which you offer" in body and "which you need" not in body
    link = re.search(r"http\S+/invitation/\S+", body).group(0)
    path = "/invitation/" + link.rsplit("/invitation/", 1)[1]
    page = client.get(path)
    assert page.status_code == 200
    assert "Claim this profile" in page.get_data(as_text=True)
    done = client.post(path, data={"answer": "accept"})
    assert done.status_code == 200 and "shop@example.org" in done.get_data(as_text=True)
    with smtp_app.app_context():
        intro = db.session.get(Introduction, intro_id)
        assert intro.state == st.ACCEPTED
        assert intro.events[-1].via == "invitation" and intro.events[-1].actor_id is None
    assert not [m for to, m in received if m["Subject"].startswith("Introduction:")]
    deliver(smtp_app)
    shared = [m for to, m in received if m["Subject"].startswith("Introduction:")]
    assert {tuple(to) for to, _ in [(to, m) for to, m in received if m in shared]} == {
        ("alice@example.org",),
        ("hall@belstone.example",),
    }
    to_hall = next(m for to, m in received if to == ["hall@belstone.example"] and m in shared)
    assert "shop@example.org" in to_hall.get_content()
    again = client.post(path, data={"answer": "reject"})
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)


def invitation_path(app, intro_id: int, target_id: int) -> str:
    with app.app_context():
        return "/invitation/" + accounts.make_token(
            "invitation", intro=intro_id, business=target_id
        )


@pytest.mark.parametrize(
    ("spoil", "status", "words"),
    [
        ("forged", 410, "not valid"),
        ("expired", 410, "expired"),
        ("other business", 410, "not valid"),
        ("withdrawn", 409, "no longer waiting"),
    ],
)
def test_a_bad_invitation_link_gets_a_clear_page_and_changes_nothing(
    app, client, world, unowned, spoil, status, words
):
    with app.app_context():
        intro = request_to(world, unowned)
        commands.approve(intro, user(world.coord))
        intro_id = intro.id
    path = invitation_path(app, intro_id, world.mentor if spoil == "other business" else unowned)
    if spoil == "forged":
        path = path[:-4] + ("AAAA" if not path.endswith("AAAA") else "BBBB")
    if spoil == "expired":
        app.config["INVITATION_MAX_AGE"] = timedelta(seconds=-1)
    if spoil == "withdrawn":
        with app.app_context():
            commands.withdraw(db.session.get(Introduction, intro_id), user(world.alice))
    for response in (client.get(path), client.post(path, data={"answer": "accept"})):
        assert response.status_code == status
        assert words in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Introduction, intro_id).state in (st.APPROVED, st.WITHDRAWN)


def test_without_a_contact_email_the_coordinator_reaches_it_and_answers_on_its_behalf(
    app, client, auth, world, unowned
):
    with app.app_context():
        db.session.get(Business, unowned).email = ""
        db.session.commit()
        intro = request_to(world, unowned)
        intro_id = intro.id
    auth.login("coord@example.org", PASSWORD)
    queue = client.get("/coordinator").get_data(as_text=True)
    assert "no contact email" in queue and "01837 333333" in queue
    client.post(f"/coordinator/introductions/{intro_id}/approve", data={"note": ""})
    with app.app_context():
        mails = [m for m in outbox() if m.subject.startswith("Please reach")]
        assert [m.to_address for m in mails] == ["coord@example.org"]
        assert "01837 333333" in mails[0].body
    page = client.get(f"/introductions/{intro_id}").get_data(as_text=True)
    assert "01837 333333" in page and "for them" in page
    client.post(f"/introductions/{intro_id}/accept", data={"reason": "Said yes on the phone"})
    page = client.get(f"/introductions/{intro_id}").get_data(as_text=True)
    assert "on behalf of Belstone Village Hall" in page
    with app.app_context():
        assert db.session.get(Introduction, intro_id).events[-1].via == "on-behalf"
    auth.logout()
    auth.login("carol@example.org", PASSWORD)
    assert "01837 333333" not in client.get("/businesses/belstone-village-hall").get_data(
        as_text=True
    )


def test_only_coordinators_of_a_business_network_may_see_its_contacts(app, world, unowned):
    with app.app_context():
        hall = business(unowned)
        seen = {
            name: permissions.sees_contacts_of(user(getattr(world, name)), hall)
            for name in ("alice", "bob", "carol", "coord", "other_coord", "admin")
        }
        assert seen == {
            "alice": False,
            "bob": False,
            "carol": False,
            "coord": True,
            "other_coord": False,
            "admin": True,
        }
