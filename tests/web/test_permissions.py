"""Who may open what: every route of the URL map, for every role, in one table."""

from __future__ import annotations

import pytest

from tests.conftest import BACKENDS
from tests.web import roles

# One letter per role, in this order: anonymous, owner, member (not the owner),
# coordinator (of the owner's network), other_coordinator (of another network), admin,
# evaluator (reads the evidence of every network, anonymised; decides nothing).
#   A allowed (the view ran: a page, a redirect elsewhere, a form error)
#   L sent to sign in    U unauthenticated (401: the API wants a token)
#   F forbidden (403)    N not found (404)
# `to=` etc. are query strings some routes need to reach their rule.
MATRIX: dict[tuple[str, str], tuple[str, str]] = {
    ("/", "GET"): ("AAAAAAA", ""),
    ("/account", "GET"): ("LAAAAAA", ""),
    ("/account/api-tokens", "GET"): ("LAAAAAA", ""),
    ("/account/api-tokens", "POST"): ("LAAAAAA", ""),
    ("/account/api-tokens/<int:token_id>/revoke", "POST"): ("LANNNNN", ""),
    ("/account/data.json", "GET"): ("LAAAAAA", ""),
    ("/account/delete", "POST"): ("LAAAAAA", ""),
    ("/account/email", "POST"): ("LAAAAAA", ""),
    ("/account/password", "POST"): ("LAAAAAA", ""),
    ("/account/password/<token>", "GET"): ("AAAAAAA", ""),
    ("/account/password/<token>", "POST"): ("AAAAAAA", ""),
    ("/account/reset", "GET"): ("AAAAAAA", ""),
    ("/account/reset", "POST"): ("AAAAAAA", ""),
    ("/account/sign-out-everywhere", "POST"): ("LAAAAAA", ""),
    ("/account/verify", "POST"): ("LAAAAAA", ""),
    ("/account/verify/<token>", "GET"): ("AAAAAAA", ""),
    ("/admin/networks", "GET"): ("LFFFFAF", ""),
    ("/admin/networks", "POST"): ("LFFFFAF", ""),
    ("/admin/networks/<slug>/coordinators", "POST"): ("LFFFFAF", ""),
    ("/admin/networks/<slug>/coordinators/<int:user_id>/remove", "POST"): ("LFFFFAF", ""),
    ("/admin/outbox", "GET"): ("LFFFFAF", ""),
    ("/admin/outbox/<int:message_id>", "GET"): ("LFFFFAF", ""),
    ("/api/docs", "GET"): ("AAAAAAA", ""),
    ("/api/v1/businesses", "GET"): ("AAAAAAA", ""),
    ("/api/v1/businesses", "POST"): ("UUUUUUU", ""),
    ("/api/v1/businesses/<int:business_id>", "GET"): ("AAAAAAA", ""),
    ("/api/v1/businesses/<int:business_id>", "PATCH"): ("UUUUUUU", ""),
    ("/api/v1/businesses/<int:business_id>/matches", "GET"): ("UAFAFAF", ""),
    ("/api/v1/murmurations/<int:business_id>", "GET"): ("AAAAAAA", ""),
    ("/api/v1/murmurations/<int:business_id>/<exchange>/<topic>", "GET"): ("AAAAAAA", ""),
    ("/api/v1/networks", "GET"): ("AAAAAAA", ""),
    ("/api/v1/openapi.json", "GET"): ("AAAAAAA", ""),
    ("/api/v1/openreferral/", "GET"): ("AAAAAAA", ""),
    ("/api/v1/openreferral/organizations", "GET"): ("AAAAAAA", ""),
    ("/api/v1/openreferral/organizations/<int:business_id>", "GET"): ("AAAAAAA", ""),
    ("/api/v1/openreferral/services", "GET"): ("AAAAAAA", ""),
    ("/api/v1/openreferral/services/<int:business_id>", "GET"): ("AAAAAAA", ""),
    ("/api/v1/vocabularies", "GET"): ("AAAAAAA", ""),
    ("/businesses", "GET"): ("AAAAAAA", ""),
    ("/businesses/<slug>", "GET"): ("AAAAAAA", ""),
    ("/businesses/<slug>/claim", "GET"): ("LAAAAAA", ""),
    ("/businesses/<slug>/claim", "POST"): ("LAAAAAA", ""),
    ("/businesses/<slug>/delete", "POST"): ("LAFFFAF", ""),
    ("/businesses/<slug>/edit", "GET"): ("LAFFFAF", ""),
    ("/businesses/<slug>/edit", "POST"): ("LAFFFAF", ""),
    ("/businesses/<slug>/report", "GET"): ("LAAAAAA", ""),
    ("/businesses/<slug>/report", "POST"): ("LAAAAAA", ""),
    ("/businesses/map.json", "GET"): ("AAAAAAA", ""),
    ("/businesses/new", "GET"): ("LAAAAAA", ""),
    ("/businesses/new", "POST"): ("LAAAAAA", ""),
    ("/claims", "GET"): ("LAAAAAA", ""),
    ("/claims/<int:claim_id>/decide", "POST"): ("LFFAFAF", ""),
    ("/claims/confirm/<token>", "GET"): ("LAAAAAA", ""),
    ("/claims/confirm/<token>", "POST"): ("LAAAAAA", ""),
    ("/coordinator", "GET"): ("LFFAAAF", ""),
    ("/coordinator/introductions/<int:intro_id>/<any(approve, decline):action>", "POST"): (
        "LFFAFAF",
        "",
    ),
    ("/coordinator/reports/<int:report_id>/resolve", "POST"): ("LFFANAF", ""),
    ("/evidence", "GET"): ("LAAAAAA", ""),
    ("/evidence.csv", "GET"): ("LFFAAAA", ""),
    ("/evidence.json", "GET"): ("LFFAAAA", ""),
    ("/evidence/introductions.<any(csv, json):fmt>", "GET"): ("LFFAAAA", ""),
    ("/evidence/map", "GET"): ("LFFAAAA", ""),
    ("/evidence/map.json", "GET"): ("LFFAAAA", ""),
    ("/evidence/summary", "GET"): ("LFFAAAA", ""),
    ("/healthz", "GET"): ("AAAAAAA", ""),
    ("/introductions", "GET"): ("LAAAAAA", ""),
    ("/introductions/<int:intro_id>", "GET"): ("LAFAFAF", ""),
    ("/introductions/<int:intro_id>/<any(accept, reject, withdraw, complete):action>", "POST"): (
        "LAFFFFF",
        "",
    ),
    ("/introductions/<int:intro_id>/outcome", "GET"): ("LAFAFAF", ""),
    ("/introductions/<int:intro_id>/outcome", "POST"): ("LAFAFAF", ""),
    ("/introductions/<int:intro_id>/report", "GET"): ("LAFAFAF", ""),
    ("/introductions/<int:intro_id>/report", "POST"): ("LAFAFAF", ""),
    ("/introductions/new", "GET"): ("LAAAAAA", "to={target_slug}"),
    ("/introductions/new", "POST"): ("LAAAAAA", "to={target_slug}"),
    ("/invitation/<token>", "GET"): ("AAAAAAA", ""),
    ("/invitation/<token>", "POST"): ("AAAAAAA", ""),
    ("/login", "GET"): ("AAAAAAA", ""),
    ("/login", "POST"): ("AAAAAAA", ""),
    ("/logout", "POST"): ("AAAAAAA", ""),
    ("/matches", "GET"): ("LAAAAAA", ""),
    ("/matches/try", "GET"): ("AAAAAAA", ""),
    ("/networks", "GET"): ("AAAAAAA", ""),
    ("/networks", "POST"): ("AAAAAAA", ""),
    ("/networks/joins/<int:join_id>/decide", "POST"): ("LFFAFAF", ""),
    ("/register", "GET"): ("AAAAAAA", ""),
    ("/register", "POST"): ("AAAAAAA", ""),
    ("/static/<path:filename>", "GET"): ("AAAAAAA", ""),
}


def routes() -> list[tuple[str, str]]:
    app = roles.create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


ROUTES = routes()


@pytest.fixture(scope="module", params=BACKENDS)
def world_app(request, tmp_path_factory):
    app = roles.make_app(request.param, tmp_path_factory.mktemp("permissions"))
    yield app
    roles.dispose(app)


def status_class(response) -> str:
    if response.status_code in (301, 302, 303) and "/login" in response.location:
        return "L"
    return {401: "U", 403: "F", 404: "N"}.get(response.status_code, "A")


@pytest.mark.parametrize(("rule", "method"), ROUTES, ids=[f"{m} {r}" for r, m in ROUTES])
def test_every_role_gets_what_the_table_says(world_app, rule, method):
    assert (rule, method) in MATRIX, (
        f"{method} {rule} is not in tests/web/test_permissions.py MATRIX: add a row saying "
        "what each role should get"
    )
    expected, query = MATRIX[rule, method]
    werkzeug_rule = next(r for r in world_app.url_map.iter_rules() if r.rule == rule)
    seen = []
    for role in roles.ROLES:
        world = roles.current_world(world_app)
        url = werkzeug_rule.build(roles.url_args(werkzeug_rule, world))[1]
        if query:
            url += "?" + query.format(**vars(world))
        response = roles.client_for(world_app, world, role).open(url, method=method)
        response.close()  # static files are streamed from an open file
        roles.spent(world_app, method, response)
        assert response.status_code < 500, (role, response.status_code)
        seen.append(status_class(response))
    got = "".join(seen)
    assert got == expected, (
        f"{method} {rule}: expected {expected}, got {got} "
        f"(roles in order: {', '.join(roles.ROLES)})"
    )


def test_the_table_has_no_rows_for_routes_that_are_gone():
    assert set(MATRIX) <= set(ROUTES), sorted(set(MATRIX) - set(ROUTES))
