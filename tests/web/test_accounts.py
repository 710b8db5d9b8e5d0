"""Registration, sign-in, editing and deleting: the member's side of the directory."""

from __future__ import annotations

import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from directory import create_app
from directory.extensions import db
from directory.models import Business, User

VALID = {
    "account_name": "Jo Bloggs",
    "account_email": "jo@example.org",
    "password": "a long enough secret",
    "confirm": "a long enough secret",
    "name": "Hatherleigh Community Market",
    "description": "A weekly market run by volunteers.",
    "sector": "shop",
    "stage": "starting",
    "legal_form": "cbs",
    "founded_year": "2024",
    "postcode": "ex20 3jb",
    "town": "",
    "needs": ["funding", "volunteers"],
    "offers": ["marketing"],
    "willing_to_mentor": "",
    "email": "",
    "phone": "01837 000000",
    "website": "",
}


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar()


def test_register_creates_account_and_business_and_asks_to_confirm_the_email(app, client):
    response = client.post("/register", data=VALID)

    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    with app.app_context():
        business = db.session.execute(select(Business)).scalar_one()
        assert business.owner.email == "jo@example.org"
        assert business.owner.email_verified_at is None
        assert business.listed is False  # until the owner opens the link
        assert business.postcode == "EX20 3JB"
        assert business.outcode == "EX20"
        assert business.region == "south-west"
        assert sorted(business.needs) == ["funding", "volunteers"]
        assert business.email == "jo@example.org"  # contact email defaults to the account's


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"postcode": "ZZ99 9ZZ"}, "postcode", "We could not find the postcode ZZ99 9ZZ."),
        ({"postcode": "hello"}, "postcode", "“hello” is not a UK postcode."),
        ({"postcode": "", "town": "Atlantis"}, "town", "We could not find a town called"),
        ({"postcode": "", "town": ""}, "postcode", "Give a postcode or a town."),
        ({"sector": ""}, "sector", "Choose your main sector."),
        ({"stage": "unicorn"}, "stage", "Not a valid choice"),
        ({"confirm": "different"}, "confirm", "The passwords do not match."),
        ({"password": "short", "confirm": "short"}, "password", "Use at least 10 characters."),
        ({"account_email": "not-an-email"}, "account_email", "Enter a valid email address."),
        ({"founded_year": "1066"}, "founded_year", "Enter a year between 1800"),
        ({"website": "not a url"}, "website", "Enter a full web address"),
        ({"website": "javascript://x.org/%0Aalert(1)"}, "website", "Enter a full web address"),
    ],
)
def test_register_with_bad_input_shows_message_keeps_input_and_saves_nothing(
    app, client, change, field, message
):
    response = client.post("/register", data={**VALID, **change})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page.replace("&#34;", '"').replace("&#39;", "'")
    assert f'id="{field}-error"' in page
    assert 'value="Hatherleigh Community Market"' in page  # what was typed is kept
    assert 'value="volunteers" checked' in page or 'checked id="needs-' in page
    assert count(app, User) == 0
    assert count(app, Business) == 0


def test_register_refuses_a_taken_business_name(app, client, make_business):
    make_business(name="Hatherleigh Community Market")
    page = client.post("/register", data=VALID).get_data(as_text=True)
    assert "A business with this name is already in the directory." in page
    assert count(app, User) == 0


def test_login_with_wrong_password_is_refused(client, make_user):
    make_user()
    page = client.post("/login", data={"email": "member@example.org", "password": "nope"}).get_data(
        as_text=True
    )
    assert "That email and password do not match an account." in page
    assert 'value="member@example.org"' in page


def test_login_follows_only_local_next(client, make_user):
    make_user()
    data = {"email": "member@example.org", "password": "correct horse battery"}
    local = client.post("/login?next=/businesses", data=data)
    assert local.headers["Location"] == "/businesses"
    client.post("/logout")
    evil = client.post("/login?next=//evil.example/x", data=data)
    assert evil.headers["Location"] == "/account"


def test_member_edits_own_business_but_not_another(app, client, auth, make_user, make_business):
    owner = make_user()
    mine = make_business(owner=owner, name="My Shop")
    make_business(name="Their Pub", sector="pub")
    auth.login()

    assert client.get("/businesses/their-pub/edit").status_code == 403
    form = client.get("/businesses/my-shop/edit").get_data(as_text=True)
    assert 'value="My Shop"' in form
    response = client.post(
        "/businesses/my-shop/edit",
        data={
            "name": "My Shop",
            "sector": "shop",
            "stage": "mature",
            "town": "Keswick",
            "offers": ["governance"],
            "willing_to_mentor": "y",
        },
    )
    assert response.status_code == 302, re.findall(
        r"field-error[^>]*>([^<]*)", response.get_data(as_text=True)
    )
    with app.app_context():
        business = db.session.get(Business, mine)
        assert (business.stage, business.town, business.region) == (
            "mature",
            "Keswick",
            "north-west",
        )
        assert business.postcode is None
        assert business.offers == ["governance"]
        assert business.willing_to_mentor is True


def test_pages_that_change_data_require_sign_in(client, make_business):
    make_business(name="Some Shop")
    for url in ("/businesses/new", "/businesses/some-shop/edit", "/account"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_member_adds_a_second_business(app, client, auth, make_user):
    make_user()
    auth.login()
    response = client.post(
        "/businesses/new",
        data={"name": "Second Venture", "sector": "energy", "stage": "exploring", "postcode": "M1"},
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        assert [b.name for b in user.businesses] == ["Second Venture"]
        assert user.businesses[0].region == "north-west"


def test_profile_shows_public_fields_only(client, make_business):
    make_business(
        name="Private Details Ltd",
        postcode="EX20 3JB",
        email="secret@example.org",
        phone="07700 900123",
        description="We grow things.",
    )
    page = client.get("/businesses/private-details-ltd").get_data(as_text=True)
    assert "We grow things." in page
    assert "EX20" in page
    assert "EX20 3JB" not in page
    assert "secret@example.org" not in page
    assert "07700 900123" not in page


def test_forms_are_protected_by_csrf(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'c.sqlite'}",
        }
    )
    client = app.test_client()
    with app.app_context():
        upgrade()
    refused = client.post("/login", data={"email": "a@b.c", "password": "x"})
    assert refused.status_code == 400
    assert "This form has expired" in refused.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = client.post("/login", data={"email": "a@b.c", "password": "x", "csrf_token": token})
    assert "That email and password do not match an account." in accepted.get_data(as_text=True)
