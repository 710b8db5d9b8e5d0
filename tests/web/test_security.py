"""Headers, hosts, input guards and error pages that hold for every response."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.exceptions import NotFound

from directory import create_app
from directory.security import MAX_ID, content_security_policy, digits_up_to, tile_source

PAGES = ["/", "/businesses", "/businesses?view=map", "/login", "/matches/try", "/nowhere"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_hsts_is_sent_only_when_the_site_is_served_over_https(app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    app.config["BASE_URL"] = "https://peerlink.example.org"
    assert "max-age=" in client.get("/").headers["Strict-Transport-Security"]


@pytest.mark.parametrize(
    ("tile_url", "source"),
    [
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("https://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org"),
        ("https://a{s}.b.example.org:8443/{z}.png", "https://*.b.example.org:8443"),
        ("", None),
        ("/static/tiles/{z}/{x}/{y}.png", None),
    ],
)
def test_map_tiles_are_allowed_from_the_tile_servers_host_only(tile_url, source):
    assert tile_source(tile_url) == source
    images = content_security_policy(tile_url).split("img-src ")[1].split(";")[0].split()
    assert images == ["'self'", "data:", *([source] if source else [])]


def test_unknown_hosts_are_refused_when_trusted_hosts_is_set(app, client, monkeypatch):
    app.config["TRUSTED_HOSTS"] = ["peerlink.example.org"]
    assert client.get("/", headers={"Host": "peerlink.example.org"}).status_code == 200
    refused = client.get("/", headers={"Host": "evil.example"})
    assert refused.status_code == 400


def test_trusted_hosts_is_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TRUSTED_HOSTS", "peerlink.example.org, www.peerlink.example.org")
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["TRUSTED_HOSTS"] == ["peerlink.example.org", "www.peerlink.example.org"]
    monkeypatch.delenv("TRUSTED_HOSTS")
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["TRUSTED_HOSTS"] is None


@pytest.mark.parametrize(
    "path",
    [
        "/introductions/{id}",
        "/introductions/{id}/outcome",
        "/introductions/{id}/report",
        "/admin/outbox/{id}",
    ],
)
@pytest.mark.parametrize("number", [MAX_ID + 1, 2**63, 10**30])
def test_ids_beyond_what_the_database_holds_are_not_found(
    app, client, auth, make_user, path, number
):
    make_user(role="admin")
    auth.login()
    assert client.get(path.format(id=number)).status_code == 404
    # Refused by the URL converter, before any view could hand the id to the database.
    with pytest.raises(NotFound):
        app.url_map.bind("localhost").match(path.format(id=number))
    assert app.url_map.bind("localhost").match(path.format(id=MAX_ID))


def _int_rule_paths(app, number: int) -> list[tuple[str, str]]:
    """(method, path) for every rule with an `<int:...>` part, the ids set to `number`."""
    found = []
    for rule in app.url_map.iter_rules():
        if "<int:" in rule.rule:
            path = re.sub(r"<int:\w+>", str(number), rule.rule)
            path = re.sub(r"<[^>]+>", "x", path)
            found += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


@pytest.mark.parametrize("number", [MAX_ID + 1, 10**11])
def test_no_rule_matches_an_id_beyond_the_database_with_any_method(app, number):
    """A too-large id is a 404 for every method: never a 405 because a same-shaped rule of
    another method exists (PATCH /api/v1/businesses/99999999999 was a 405)."""
    urls = app.url_map.bind("localhost")
    paths = _int_rule_paths(app, number)
    assert len(paths) >= 20
    for method, path in paths:
        with pytest.raises(NotFound):
            urls.match(path, method=method)
    small, largest = _int_rule_paths(app, 1), _int_rule_paths(app, MAX_ID)
    for (method, path), (_, path_at_max) in zip(small, largest, strict=True):
        try:
            urls.match(path, method=method)
        except NotFound:
            continue  # a rule whose other parts "x" does not fill
        assert urls.match(path_at_max, method=method)


@pytest.mark.parametrize(
    ("limit", "inside", "outside"),
    [
        (0, ["0"], ["1", "00"]),
        (5, ["0", "5"], ["6", "05"]),
        (205, ["99", "200", "205"], ["206", "300", "1000"]),
        (MAX_ID, [str(MAX_ID), "1999999999"], [str(MAX_ID + 1), "2200000000", "01"]),
    ],
)
def test_the_id_regex_matches_exactly_zero_to_its_limit(limit, inside, outside):
    pattern = re.compile(digits_up_to(limit) + r"\Z")
    assert all(pattern.match(text) for text in inside)
    assert not any(pattern.match(text) for text in outside)
    assert sum(bool(pattern.match(str(n))) for n in range(1500)) == min(limit, 1499) + 1


@pytest.mark.parametrize(
    "path",
    [
        "/businesses/a%00b",
        "/businesses?q=%00",
        "/businesses?%00=x",
        "/matches/try?where=EX20%00",
        "/businesses/map.json?sector=%00",
    ],
)
def test_nul_bytes_in_the_url_are_a_clear_400(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert b"NUL" in response.data


def test_nul_bytes_in_a_form_are_a_clear_400_and_change_nothing(client, make_user):
    response = client.post(
        "/register",
        data={"email": "a@example.org", "password": "x\x00" * 8, "name": "A"},
    )
    assert response.status_code == 400
    assert b"NUL" in response.data
    assert client.post("/login", data={"email": "a@example.org", "password": "x"}).status_code


@pytest.mark.parametrize("key", ["endpoint", "_anchor", "_method", "_scheme", "_external"])
@pytest.mark.parametrize("view", ["list", "map"])
def test_query_keys_cannot_hijack_the_pages_own_links(client, make_business, key, view):
    for _ in range(25):
        make_business()
    response = client.get(f"/businesses?{key}=x&view={view}")
    assert response.status_code == 200
    assert f"{key}=x".encode() in response.data  # kept as a query key in the page's links


@pytest.mark.parametrize("max_km", ["%20", "nan", "1e999", "-5", "abc", "10"])
def test_any_distance_in_try_matching_is_answered_without_error(client, make_business, max_km):
    make_business()
    response = client.get(f"/matches/try?sector=shop&stage=growing&where=EX20&max_km={max_km}")
    assert response.status_code == 200


def test_creating_an_app_with_a_secret_key_writes_nothing(tmp_path):
    instance = tmp_path / "instance"
    create_app(
        {
            "SECRET_KEY": "given",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "INSTANCE_PATH": str(instance),
        }
    )
    assert not instance.exists()


def test_an_app_made_with_its_own_settings_leaves_the_checkouts_instance_alone(tmp_path):
    app = create_app({"SECRET_KEY": "given", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    instance = Path(app.instance_path)
    before = sorted(instance.iterdir()) if instance.exists() else None
    create_app({"SECRET_KEY": "given", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    after = sorted(instance.iterdir()) if instance.exists() else None
    assert after == before
