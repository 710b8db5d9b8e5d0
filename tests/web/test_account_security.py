"""Email verification, password reset and changes, sessions and cookies: the account's safety."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from directory import accounts, create_app
from directory.auth import service
from directory.extensions import db
from directory.models import Business, OutboxMessage, User, UserSession, utcnow

PASSWORD = "correct horse battery"
REGISTRATION = {
    "account_name": "Jo Bloggs",
    "account_email": "jo@example.org",
    "password": "a long enough secret",
    "confirm": "a long enough secret",
    "name": "Hatherleigh Community Market",
    "sector": "shop",
    "stage": "starting",
    "postcode": "EX20 3JB",
}


def emails_to(app, address: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.execute(
            select(OutboxMessage).where(OutboxMessage.to_address == address)
        ).scalars()
        result = list(rows)
        for row in result:
            db.session.expunge(row)
        return result


def link_in(message: OutboxMessage) -> str:
    """The path of the one Peerlink link in an email (the site is at BASE_URL)."""
    [url] = re.findall(r"http://127\.0\.0\.1:5000(/\S+)", message.body)
    return url


def count_users(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(User)).scalar()


# -- registration and verification --------------------------------------------------------------


def test_registration_lists_the_business_only_once_the_emailed_link_is_opened(app, client):
    client.post("/register", data=REGISTRATION)
    profile = "/businesses/hatherleigh-community-market"
    assert client.get(profile).status_code == 404
    assert "Hatherleigh Community Market" not in client.get("/businesses?q=Hatherleigh").text

    [message] = emails_to(app, "jo@example.org")
    assert message.subject == "Confirm your email address for Peerlink"
    response = client.get(link_in(message))

    assert response.status_code == 302
    assert client.get(profile).status_code == 200
    with app.app_context():
        user = accounts.find_user("jo@example.org")
        assert user.email_verified_at is not None
    again = client.get(link_in(message))
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


@pytest.mark.parametrize("email", ["jo@example.org", "JO@Example.org "])
def test_registration_answers_the_same_for_a_taken_email_and_emails_the_holder(
    app, client, make_user, email
):
    fresh = client.post("/register", data={**REGISTRATION, "account_email": "new@example.org"})
    make_user(email="jo@example.org")
    taken = client.post(
        "/register",
        data={**REGISTRATION, "account_email": email, "name": "Another Market"},
    )

    assert taken.status_code == fresh.status_code == 200
    assert taken.get_data(as_text=True).replace(email.strip(), "X") == fresh.get_data(
        as_text=True
    ).replace("new@example.org", "X")
    assert count_users(app) == 2
    [notice] = emails_to(app, "jo@example.org")
    assert notice.subject == "Someone tried to register with your email address"
    assert "/account/reset" in notice.body


def test_simultaneous_registrations_with_one_email_make_one_account_and_no_error(
    app, client, monkeypatch
):
    # Both requests looked before either inserted: the database's unique email decides.
    client.post("/register", data=REGISTRATION)
    monkeypatch.setattr(accounts, "find_user", lambda email: None)
    second = client.post("/register", data={**REGISTRATION, "name": "Second Market"})

    assert second.status_code == 200
    assert "Check your email" in second.get_data(as_text=True)
    assert count_users(app) == 1
    with app.app_context():
        assert db.session.execute(select(Business.name)).scalars().all() == [
            "Hatherleigh Community Market"
        ]


def test_unverified_member_can_resend_the_link_and_new_businesses_wait_too(app, client, auth):
    client.post("/register", data=REGISTRATION)
    auth.login("jo@example.org", REGISTRATION["password"])
    page = client.get("/account").get_data(as_text=True)
    assert "Please confirm your email address." in page
    client.post(
        "/businesses/new",
        data={"name": "Second Venture", "sector": "energy", "stage": "exploring", "postcode": "M1"},
    )
    client.post("/account/verify")

    first, second = emails_to(app, "jo@example.org")
    with app.app_context():
        assert db.session.execute(select(Business.listed)).scalars().all() == [False, False]
    client.get(link_in(second))
    with app.app_context():
        assert db.session.execute(select(Business.listed)).scalars().all() == [True, True]


@pytest.mark.parametrize("path", ["/account/verify/forged", "/account/password/forged"])
def test_forged_links_get_a_clear_page(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "This link is not valid." in response.get_data(as_text=True)


def test_accounts_made_by_the_cli_are_verified(app, make_user):
    user_id = make_user()
    with app.app_context():
        assert db.session.get(User, user_id).email_verified


# -- password reset -------------------------------------------------------------------------------


def test_reset_answers_the_same_for_known_and_unknown_emails(app, client, make_user):
    make_user()
    known = client.post("/account/reset", data={"email": "member@example.org"})
    unknown = client.post("/account/reset", data={"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True).replace("member@", "X@") == unknown.get_data(
        as_text=True
    ).replace("nobody@", "X@")
    assert len(emails_to(app, "member@example.org")) == 1
    assert emails_to(app, "nobody@example.org") == []


def test_reset_link_sets_a_new_password_once_and_ends_every_session(app, client, auth, make_user):
    make_user()
    auth.login()
    signed_in_elsewhere = app.test_client()
    signed_in_elsewhere.set_cookie("session", client.get_cookie("session").value)
    client.post("/logout")
    client.post("/account/reset", data={"email": "member@example.org"})
    [message] = emails_to(app, "member@example.org")
    link = link_in(message)

    assert "member@example.org" in client.get(link).get_data(as_text=True)
    new = {"password": "a brand new secret", "confirm": "a brand new secret"}
    assert client.post(link, data=new).headers["Location"] == "/login"

    assert client.post(link, data=new).status_code == 400  # used
    assert auth.login(password=PASSWORD).status_code == 200  # old password refused
    assert auth.login(password="a brand new secret").status_code == 302
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(UserSession)).scalar() == 1


def test_reset_link_expires_after_an_hour(app, client, make_user):
    make_user()
    client.post("/account/reset", data={"email": "member@example.org"})
    [message] = emails_to(app, "member@example.org")
    app.config["PASSWORD_RESET_MAX_AGE"] = timedelta(seconds=-1)
    page = client.get(link_in(message))
    assert page.status_code == 400
    assert "This link has expired." in page.get_data(as_text=True)


def test_reset_link_dies_when_the_password_changes_another_way(app, client, make_user):
    user_id = make_user()
    client.post("/account/reset", data={"email": "member@example.org"})
    [message] = emails_to(app, "member@example.org")
    with app.app_context():
        accounts.set_password(db.session.get(User, user_id), "changed meanwhile")
        db.session.commit()
    assert client.get(link_in(message)).status_code == 400


def test_set_password_link_from_the_cli_works_and_verifies(app, client):
    with app.app_context():
        user = accounts.create_user("new@example.org", "unknown to them", verified=False)
        db.session.commit()
        token = accounts.make_token("set-password", user=user.id)
    response = client.post(
        f"/account/password/{token}",
        data={"password": "their own secret", "confirm": "their own secret"},
    )
    assert response.status_code == 302
    with app.app_context():
        user = accounts.find_user("new@example.org")
        assert user.email_verified
        assert accounts.authenticate("new@example.org", "their own secret") == user


def test_choose_password_form_keeps_the_link_and_explains_bad_input(app, client, make_user):
    user_id = make_user()
    with app.app_context():
        token = accounts.make_token("set-password", user=user_id)
    page = client.post(
        f"/account/password/{token}", data={"password": "short", "confirm": "short"}
    ).get_data(as_text=True)
    assert "Use at least 10 characters." in page
    with app.app_context():
        accounts.read_token("set-password", token)  # not spent


# -- sign-in ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("member@example.org", PASSWORD),
        ("member@example.org", "wrong password"),
        ("nobody@example.org", "wrong password"),
    ],
)
def test_sign_in_checks_one_hash_of_the_same_method_known_or_not(
    app, client, make_user, monkeypatch, email, password
):
    make_user()
    checked = []
    real = accounts.check_password_hash

    def spy(stored, given):
        checked.append(stored.split("$")[0])
        return real(stored, given)

    monkeypatch.setattr(accounts, "check_password_hash", spy)
    client.post("/login", data={"email": email, "password": password})
    assert checked == [app.config["PASSWORD_HASH_METHOD"]]


# -- sessions and cookies -----------------------------------------------------------------------


def copy_cookie(app, client, name: str):
    other = app.test_client()
    other.set_cookie(name, client.get_cookie(name).value)
    return other


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_cookie_copied_before_sign_out_is_refused_after_it(app, client, auth, make_user, cookie):
    make_user()
    client.post(
        "/login", data={"email": "member@example.org", "password": PASSWORD, "remember": "y"}
    )
    copy = copy_cookie(app, client, cookie)
    assert copy.get("/account").status_code == 200

    auth.logout()

    assert copy.get("/account").status_code == 302


def test_signing_out_ends_the_sessions_of_every_device(app, client, auth, make_user):
    make_user()
    elsewhere = app.test_client()
    elsewhere.post(
        "/login", data={"email": "member@example.org", "password": PASSWORD, "remember": "y"}
    )
    auth.login()
    assert elsewhere.get("/account").status_code == 200

    auth.logout()

    assert elsewhere.get("/account").status_code == 302
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_password_change_signs_out_other_devices_but_not_this_one(
    app, client, auth, make_user, cookie
):
    make_user()
    elsewhere = app.test_client()
    elsewhere.post(
        "/login", data={"email": "member@example.org", "password": PASSWORD, "remember": "y"}
    )
    copy = copy_cookie(app, elsewhere, cookie)
    auth.login()

    response = client.post(
        "/account/password",
        data={
            "pw-current": PASSWORD,
            "pw-password": "a brand new secret",
            "pw-confirm": "a brand new secret",
        },
    )

    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert copy.get("/account").status_code == 302
    [notice] = emails_to(app, "member@example.org")
    assert notice.subject == "Your Peerlink password was changed"


def test_password_change_with_wrong_current_password_changes_nothing(app, client, auth, make_user):
    make_user()
    auth.login()
    response = client.post(
        "/account/password",
        data={"pw-current": "wrong", "pw-password": "new secret!!", "pw-confirm": "new secret!!"},
    )
    assert response.status_code == 400
    assert "That is not your current password." in response.get_data(as_text=True)
    with app.app_context():
        assert accounts.authenticate("member@example.org", PASSWORD) is not None


def test_every_sign_in_gets_a_different_remember_cookie_lasting_30_days(app, make_user):
    make_user()
    values = []
    for _ in range(2):
        browser = app.test_client()
        browser.post(
            "/login", data={"email": "member@example.org", "password": PASSWORD, "remember": "y"}
        )
        cookie = browser.get_cookie("remember_token")
        values.append(cookie.value)
        remaining = cookie.expires.replace(tzinfo=None) - utcnow()
        assert timedelta(days=29, hours=23) < remaining <= timedelta(days=30)
    assert values[0] != values[1]


def test_a_sign_in_older_than_the_remember_duration_is_refused(app, client, auth, make_user):
    make_user()
    auth.login()
    with app.app_context():
        db.session.execute(db.update(UserSession).values(created_at=utcnow() - timedelta(days=31)))
        db.session.commit()
    assert client.get("/account").status_code == 302


def test_a_new_sign_in_sweeps_the_accounts_expired_sessions(app, client, auth, make_user):
    make_user()
    auth.login()
    with app.app_context():
        db.session.execute(db.update(UserSession).values(created_at=utcnow() - timedelta(days=31)))
        db.session.commit()
    auth.login()
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(UserSession)).scalar() == 1


def test_signing_in_without_a_session_fails_loudly(app, make_user):
    user_id = make_user()
    with app.app_context(), pytest.raises(RuntimeError):
        db.session.get(User, user_id).get_id()


def test_sign_out_everywhere_keeps_only_this_device(app, client, auth, make_user):
    make_user()
    other = app.test_client()
    other.post("/login", data={"email": "member@example.org", "password": PASSWORD})
    auth.login()
    client.post("/account/sign-out-everywhere")
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302


@pytest.mark.parametrize(
    ("env", "secure"),
    [
        ({"SESSION_COOKIE_SECURE": "1"}, True),
        ({"BASE_URL": "https://peerlink.example.org"}, True),
        ({"BASE_URL": "https://peerlink.example.org", "SESSION_COOKIE_SECURE": "0"}, False),
        ({}, False),
    ],
)
def test_cookies_are_secure_when_configured(database_url, monkeypatch, env, secure):
    for name in ("SESSION_COOKIE_SECURE", "BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "test",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        accounts.create_user("member@example.org", PASSWORD)
        db.session.commit()
    client = app.test_client()
    response = client.post(
        "/login",
        data={"email": "member@example.org", "password": PASSWORD, "remember": "y"},
        base_url="https://localhost",
    )
    cookies = response.headers.getlist("Set-Cookie")
    assert {c.split("=")[0] for c in cookies} == {"session", "remember_token"}
    for cookie in cookies:
        assert ("; Secure" in cookie) is secure
        assert "HttpOnly" in cookie
    with app.app_context():
        db.engine.dispose()


# -- change of email ------------------------------------------------------------------------------


def test_email_change_takes_effect_when_the_new_address_confirms(app, client, auth, make_user):
    make_user()
    auth.login()
    client.post("/account/email", data={"em-email": "New@Example.org", "em-current": PASSWORD})

    [notice] = emails_to(app, "member@example.org")
    assert "new@example.org" in notice.body
    [confirm] = emails_to(app, "new@example.org")
    with app.app_context():
        assert accounts.find_user("member@example.org") is not None
    client.get(link_in(confirm))
    with app.app_context():
        assert accounts.find_user("member@example.org") is None
        assert accounts.find_user("new@example.org").email_verified
    assert auth.login(email="new@example.org").status_code == 302


def test_email_change_to_an_address_taken_meanwhile_gets_a_clear_page(app, client, auth, make_user):
    make_user()
    auth.login()
    client.post("/account/email", data={"em-email": "taken@example.org", "em-current": PASSWORD})
    make_user(email="taken@example.org")
    [confirm] = emails_to(app, "taken@example.org")
    response = client.get(link_in(confirm))
    assert response.status_code == 400
    assert "Another account uses that email address now." in response.get_data(as_text=True)
    with app.app_context():
        assert accounts.find_user("member@example.org") is not None


def test_email_change_needs_the_current_password(app, client, auth, make_user):
    make_user()
    auth.login()
    response = client.post(
        "/account/email", data={"em-email": "new@example.org", "em-current": "wrong"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "That is not your current password." in page
    assert 'value="new@example.org"' in page
    assert emails_to(app, "new@example.org") == []


def test_old_registration_link_cannot_verify_a_replaced_address(app, make_user):
    user_id = make_user()
    with app.app_context():
        token = accounts.make_token("verify-email", user=user_id, email="old@example.org")
        with pytest.raises(accounts.TokenError):
            service.verify_email(token)


def test_users_compare_by_account_not_by_sign_in(app, make_user):
    first, second = make_user(), make_user(email="other@example.org")
    with app.app_context():
        a = accounts.start_session(db.session.get(User, first))
        db.session.expunge(a)
        again = db.session.get(User, first)
        assert again == a and again.session_id != a.session_id
        assert again != db.session.get(User, second)


def test_accounts_existing_before_the_migration_count_as_verified(database_url):
    from flask_migrate import upgrade
    from sqlalchemy import text

    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test"}
    )
    with app.app_context():
        upgrade(revision="a1f0c0de0001")
        db.session.execute(
            text(
                'INSERT INTO "user" (email, name, password_hash, role, created_at) '
                "VALUES ('old@example.org', 'Old', 'x', 'member', '2025-01-02 03:04:05')"
            )
        )
        db.session.commit()
        upgrade()
        user = accounts.find_user("old@example.org")
        assert user.email_verified_at == user.created_at
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    ("path", "offers_password_link"),
    [("/account/verify/forged", False), ("/account/password/forged", True)],
)
def test_a_bad_link_page_offers_the_right_new_link(client, path, offers_password_link):
    response = client.get(path)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This link cannot be used" in page
    assert ("Ask for a new link to choose a password" in page) is offers_password_link
