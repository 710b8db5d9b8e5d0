"""Who may open what: every route of the URL map, for every role, in one table."""

from __future__ import annotations

import pytest

from tests.conftest import BACKENDS
from tests.web import roles

# One letter per role, in this order: anonymous, owner, member (not the owner),
# coordinator (of the owner's network), other_coordinator (of another network), admin.
#   A allowed (the view ran: a page, a redirect elsewhere, a form error)
#   L sent to sign in    U unauthenticated (401: the API wants a token)
#   F forbidden (403)    N not found (404)
# `to=` etc. are query strings some routes need to reach their rule.
MATRIX: dict[tuple[str, str], tuple[str, str]] = {
    ("/", "GET"): ("AAAAAA", ""),
    ("/healthz", "GET"): ("AAAAAA", ""),
    ("/static/<path:filename>", "GET"): ("AAAAAA", ""),
    ("/register", "GET"): ("AAAAAA", ""),
    ("/register", "POST"): ("AAAAAA", ""),
    ("/login", "GET"): ("AAAAAA", ""),
    ("/login", "POST"): ("AAAAAA", ""),
    ("/logout", "POST"): ("AAAAAA", ""),
    ("/account", "GET"): ("LAAAAA", ""),
    ("/account/delete", "POST"): ("LAAAAA", ""),
    ("/account/data.json", "GET"): ("LAAAAA", ""),
    ("/account/email", "POST"): ("LAAAAA", ""),
    ("/account/password", "POST"): ("LAAAAA", ""),
    ("/account/password/<token>", "GET"): ("AAAAAA", ""),
    ("/account/password/<token>", "POST"): ("AAAAAA", ""),
    ("/account/reset", "GET"): ("AAAAAA", ""),
    ("/account/reset", "POST"): ("AAAAAA", ""),
    ("/account/sign-out-everywhere", "POST"): ("LAAAAA", ""),
    ("/account/verify", "POST"): ("LAAAAA", ""),
    ("/account/verify/<token>", "GET"): ("AAAAAA", ""),
    ("/businesses", "GET"): ("AAAAAA", ""),
    ("/businesses/map.json", "GET"): ("AAAAAA", ""),
    ("/businesses/<slug>", "GET"): ("AAAAAA", ""),
    ("/businesses/new", "GET"): ("LAAAAA", ""),
    ("/businesses/new", "POST"): ("LAAAAA", ""),
    ("/businesses/<slug>/edit", "GET"): ("LAFFFA", ""),
    ("/businesses/<slug>/edit", "POST"): ("LAFFFA", ""),
    ("/businesses/<slug>/delete", "POST"): ("LAFFFA", ""),
    ("/businesses/<slug>/report", "GET"): ("LAAAAA", ""),
    ("/businesses/<slug>/report", "POST"): ("LAAAAA", ""),
    ("/matches", "GET"): ("LAAAAA", ""),
    ("/matches/try", "GET"): ("AAAAAA", ""),
    ("/introductions", "GET"): ("LAAAAA", ""),
    ("/introductions/new", "GET"): ("LAAAAA", "to={target_slug}"),
    ("/introductions/new", "POST"): ("LAAAAA", "to={target_slug}"),
    ("/introductions/<int:intro_id>", "GET"): ("LAFAFA", ""),
    ("/introductions/<int:intro_id>/<any(accept, reject, withdraw, complete):action>", "POST"): (
        "LAFFFF",
        "",
    ),
    ("/introductions/<int:intro_id>/outcome", "GET"): ("LAFAFA", ""),
    ("/introductions/<int:intro_id>/outcome", "POST"): ("LAFAFA", ""),
    ("/introductions/<int:intro_id>/report", "GET"): ("LAFAFA", ""),
    ("/introductions/<int:intro_id>/report", "POST"): ("LAFAFA", ""),
    ("/coordinator", "GET"): ("LFFAAA", ""),
    ("/coordinator/introductions/<int:intro_id>/<any(approve, decline):action>", "POST"): (
        "LFFAFA",
        "",
    ),
    ("/coordinator/reports/<int:report_id>/resolve", "POST"): ("LFFANA", ""),
    ("/account/api-tokens", "GET"): ("LAAAAA", ""),
    ("/account/api-tokens", "POST"): ("LAAAAA", ""),
    ("/account/api-tokens/<int:token_id>/revoke", "POST"): ("LANNNN", ""),
    ("/api/docs", "GET"): ("AAAAAA", ""),
    ("/api/v1/businesses", "GET"): ("AAAAAA", ""),
    ("/api/v1/businesses", "POST"): ("UUUUUU", ""),
    ("/api/v1/businesses/<int:business_id>", "GET"): ("AAAAAA", ""),
    ("/api/v1/businesses/<int:business_id>", "PATCH"): ("UUUUUU", ""),
    ("/api/v1/businesses/<int:business_id>/matches", "GET"): ("UAFAFA", ""),
    ("/api/v1/murmurations/<int:business_id>", "GET"): ("AAAAAA", ""),
    ("/api/v1/murmurations/<int:business_id>/<exchange>/<topic>", "GET"): ("AAAAAA", ""),
    ("/api/v1/networks", "GET"): ("AAAAAA", ""),
    ("/api/v1/openapi.json", "GET"): ("AAAAAA", ""),
    ("/api/v1/openreferral/", "GET"): ("AAAAAA", ""),
    ("/api/v1/openreferral/organizations", "GET"): ("AAAAAA", ""),
    ("/api/v1/openreferral/organizations/<int:business_id>", "GET"): ("AAAAAA", ""),
    ("/api/v1/openreferral/services", "GET"): ("AAAAAA", ""),
    ("/api/v1/openreferral/services/<int:business_id>", "GET"): ("AAAAAA", ""),
    ("/api/v1/vocabularies", "GET"): ("AAAAAA", ""),
    ("/admin/networks", "GET"): ("LFFFFA", ""),
    ("/admin/networks", "POST"): ("LFFFFA", ""),
    ("/admin/networks/<slug>/coordinators", "POST"): ("LFFFFA", ""),
    ("/admin/networks/<slug>/coordinators/<int:user_id>/remove", "POST"): ("LFFFFA", ""),
    ("/businesses/<slug>/claim", "GET"): ("LAAAAA", ""),
    ("/businesses/<slug>/claim", "POST"): ("LAAAAA", ""),
    ("/claims", "GET"): ("LAAAAA", ""),
    ("/claims/<int:claim_id>/decide", "POST"): ("LFFAFA", ""),
    ("/claims/confirm/<token>", "GET"): ("LAAAAA", ""),
    ("/claims/confirm/<token>", "POST"): ("LAAAAA", ""),
    ("/invitation/<token>", "GET"): ("AAAAAA", ""),
    ("/invitation/<token>", "POST"): ("AAAAAA", ""),
    ("/networks", "GET"): ("AAAAAA", ""),
    ("/networks", "POST"): ("AAAAAA", ""),
    ("/networks/joins/<int:join_id>/decide", "POST"): ("LFFAFA", ""),
    ("/admin/outbox", "GET"): ("LFFFFA", ""),
    ("/admin/outbox/<int:message_id>", "GET"): ("LFFFFA", ""),
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
