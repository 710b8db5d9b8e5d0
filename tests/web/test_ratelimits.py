"""Rate limits: guessing passwords, mass registration, resets, reports and requests are capped."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from directory import ratelimits
from directory.extensions import db
from directory.models import OutboxMessage, Report

PASSWORD = "correct horse battery"


def login(client, password: str, address: str = "10.0.0.1", email="member@example.org"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_eleventh_wrong_password_is_refused_even_when_the_next_one_is_right(client, make_user):
    make_user()
    # From ten different addresses: the count is per account, not only per address.
    for n in range(10):
        assert login(client, "wrong", address=f"10.0.0.{n}").status_code == 200

    refused = login(client, "wrong", address="10.0.1.1")
    right = login(client, PASSWORD, address="10.0.1.2")

    assert refused.status_code == 429
    assert right.status_code == 429
    assert 0 < int(right.headers["Retry-After"]) <= 3600


def test_successful_sign_ins_do_not_use_up_the_limit(client, make_user):
    make_user()
    for _ in range(12):
        assert login(client, PASSWORD).status_code == 302
        client.post("/logout")


def test_one_address_guessing_many_accounts_is_stopped(app, client):
    app.config["RATELIMIT_LOGIN_ADDRESS"] = "3 per hour"
    codes = [login(client, "x", email=f"user{n}@example.org").status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]


def test_limit_page_is_styled_and_says_when_to_come_back(app, client):
    app.config["RATELIMIT_LOGIN_ADDRESS"] = "1 per hour"
    login(client, "x")
    response = login(client, "x")
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "<h1>Too many attempts</h1>" in page
    assert "try again in about 60 minutes" in page
    assert 'href="/static/css/app.css' in page or "app.css" in page


REGISTRATION = {
    "account_name": "Jo",
    "password": "a long enough secret",
    "confirm": "a long enough secret",
    "sector": "shop",
    "stage": "starting",
    "postcode": "EX20 3JB",
}


@pytest.mark.parametrize(
    ("config", "path", "data"),
    [
        (
            "RATELIMIT_REGISTER",
            "/register",
            lambda n: {**REGISTRATION, "name": f"Shop {n}", "account_email": f"u{n}@example.org"},
        ),
        ("RATELIMIT_RESET", "/account/reset", lambda n: {"email": f"u{n}@example.org"}),
    ],
)
def test_each_public_form_is_limited_per_address(app, client, config, path, data):
    app.config[config] = "2 per hour"
    codes = [client.post(path, data=data(n)).status_code for n in range(3)]
    assert codes == [200, 200, 429]
    assert client.get(path).status_code == 200  # reading the form is never limited


@pytest.mark.parametrize("path", ["/register", "/account/reset"])
def test_a_public_form_sent_back_with_mistakes_costs_nothing(app, client, path):
    app.config["RATELIMIT_REGISTER"] = app.config["RATELIMIT_RESET"] = "1 per hour"
    for _ in range(3):
        page = client.post(path, data={"email": "not an email", "account_email": "nope"})
        assert page.status_code == 200
        assert "Enter a valid email address." in page.get_data(as_text=True)


def test_limits_are_counted_per_address(app, client):
    app.config["RATELIMIT_RESET"] = "1 per hour"
    first = client.post("/account/reset", data={"email": "a@example.org"})
    other = client.post(
        "/account/reset", data={"email": "b@example.org"}, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert (first.status_code, other.status_code) == (200, 200)


@pytest.fixture
def reporter(app, client, auth, make_user, make_business):
    owner = make_user()
    make_business(owner=owner, name="Reporter Shop")
    make_business(name="Suspicious Pub", sector="pub")
    make_user(email="admin@example.org", role="admin")
    auth.login()
    return client


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar()


def test_a_hundred_reports_in_a_row_make_five_reports_and_five_emails(app, reporter):
    codes = [
        reporter.post(
            "/businesses/suspicious-pub/report", data={"reason": f"Spam number {n}"}
        ).status_code
        for n in range(100)
    ]
    assert codes[:5] == [302] * 5
    assert set(codes[5:]) == {429}
    assert count(app, Report) == 5
    assert count(app, OutboxMessage) == 5


def test_a_report_sent_back_for_a_missing_reason_costs_nothing(app, reporter):
    app.config["RATELIMIT_REPORT"] = "1 per hour"
    assert reporter.post("/businesses/suspicious-pub/report", data={"reason": ""}).status_code
    assert (
        reporter.post("/businesses/suspicious-pub/report", data={"reason": "Real"}).status_code
        == 302
    )


def test_introduction_requests_are_limited_per_member(app, reporter):
    app.config["RATELIMIT_INTRODUCTION"] = "0 per hour"
    page = reporter.get("/introductions/new?to=suspicious-pub")
    assert page.status_code == 200
    sent = reporter.post(
        "/introductions/new?to=suspicious-pub",
        data={"from_business": "reporter-shop", "kind": "peer", "message": "Hello"},
    )
    assert sent.status_code == 429


def test_json_clients_get_a_json_429(app, client):
    app.add_url_rule("/api/probe", "api_probe", lambda: {"ok": True}, methods=["POST"])
    ratelimits.apply(app, (ratelimits.Rule("api_probe", "RATELIMIT_PROBE", "1 per hour"),))
    assert client.post("/api/probe").status_code == 200

    response = client.post("/api/probe")

    assert response.status_code == 429
    assert response.json["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0


def test_every_limited_endpoint_exists(app):
    missing = {rule.endpoint for rule in ratelimits.LIMITS} - set(app.view_functions)
    assert missing == set()
