"""What cannot be undone is confirmed on the server: without `confirmed=yes` (which the
browser's script adds after its own dialog) a page asks first and nothing changes."""

# ruff: noqa: F811  (pytest fixtures imported from other test modules)

from __future__ import annotations

import re
from pathlib import Path

import pytest

from directory.extensions import db
from directory.introductions import states as st
from directory.models import Business, Introduction, Network, User
from tests.web.test_introductions import PASSWORD, make_intro, world  # noqa: F401  (fixtures)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _confirmed_endpoints() -> set[str]:
    """Endpoints of every form in the templates that asks `data-confirm`."""
    found = set()
    for path in TEMPLATES.rglob("*.html"):
        for tag in re.findall(r"<form\b[^>]*>", path.read_text()):
            if "data-confirm" in tag:
                found |= set(re.findall(r"url_for\('([\w.]+)'", tag))
    return found


def _delete_business(app, world):
    def done() -> bool:
        return db.session.get(Business, world.shop) is None

    return "alice@example.org", f"/businesses/{_slug(app, world.shop)}/delete", {}, done


def _remove_coordinator(app, world):
    with app.app_context():
        network = db.session.get(User, world.coord).networks[0]
        slug, network_id = network.slug, network.id

    def done() -> bool:
        return world.coord not in {u.id for u in db.session.get(Network, network_id).coordinators}

    return (
        "admin@example.org",
        f"/admin/networks/{slug}/coordinators/{world.coord}/remove",
        {},
        done,
    )


def _withdraw(app, world):
    with app.app_context():
        intro_id = make_intro(world)

    def done() -> bool:
        return db.session.get(Introduction, intro_id).state == st.WITHDRAWN

    return (
        "alice@example.org",
        f"/introductions/{intro_id}/withdraw",
        {"reason": "found help"},
        done,
    )


CASES = {
    "businesses.delete": _delete_business,
    "networks.remove_coordinator": _remove_coordinator,
    "introductions.act": _withdraw,
}


def _slug(app, business_id: int) -> str:
    with app.app_context():
        return db.session.get(Business, business_id).slug


def test_every_form_that_asks_to_confirm_is_confirmed_on_the_server_too():
    assert _confirmed_endpoints() == set(CASES)


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_without_confirmation_a_page_asks_and_nothing_changes(app, client, auth, world, endpoint):
    email, path, form, done = CASES[endpoint](app, world)
    auth.login(email, PASSWORD)
    page = client.post(path, data=form)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Please confirm" in html and 'name="confirmed" value="yes"' in html
    assert f'action="{path}"' in html
    for name, value in form.items():
        assert f'name="{name}" value="{value}"' in html  # what was typed is carried forward
    with app.app_context():
        assert not done()
    answer = client.post(path, data={**form, "confirmed": "yes"})
    assert answer.status_code == 302
    with app.app_context():
        assert done()
