"""Arbitrary query strings and form fields, on every route, in every role: never a 500.

Routes come from the URL map and their arguments from their converters, so a route added
later is fuzzed without touching this file. Derandomized so CI sees the same examples.
"""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter
from wtforms.fields.core import UnboundField

from directory.security import MAX_ID
from tests.conftest import BACKENDS
from tests.web import roles
from tests.web.test_permissions import ROUTES


def _subclasses(cls) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def form_fields() -> list[str]:
    """Every field name of every form in the app (create_app has imported them all)."""
    names = set()
    for form in _subclasses(FlaskForm):
        names |= {name for name in dir(form) if isinstance(getattr(form, name), UnboundField)}
    return sorted(names)


# Query keys pages read, and keys url_for treats specially.
QUERY_KEYS = [
    "q", "near", "radius", "sort", "page", "per_page", "view", "max_km", "sector", "stage",
    "region", "network", "needs", "offers", "mentors", "business", "to", "from", "kind",
    "next", "status", "endpoint", "_anchor", "_method", "_scheme", "_external",
]  # fmt: skip
NASTY = [
    "", " ", "0", "-1", "1.5", "nan", "inf", "-inf", "1e999", str(MAX_ID + 1), str(2**63),
    "9" * 40, "x" * 3000, "\x00", "%", "'", "\"", "<script>", "yes", "on", "DELETE",
    "EX20 1AB", "Okehampton", "shop", "growing", "funding", "mentor", "peer", "approve",
    "https://evil.example/", "//evil.example", "../..", "\u202e", "大阪",
]  # fmt: skip

values = st.one_of(st.sampled_from(NASTY), st.text(max_size=30))


@pytest.fixture(scope="module", params=BACKENDS)
def world_app(request, tmp_path_factory):
    app = roles.make_app(request.param, tmp_path_factory.mktemp("fuzz"))
    with app.app_context():
        keys = sorted(set(QUERY_KEYS) | set(form_fields()))
    app.fuzz_keys = keys
    yield app
    roles.dispose(app)


def build_url(rule, world, ids, slug) -> str:
    args = roles.url_args(rule, world)
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            args[name] = ids if ids is not None else args[name]
        elif name == "slug" and slug is not None:
            args[name] = slug
    return rule.build(args, append_unknown=False)[1]


@pytest.mark.parametrize(("rule", "method"), ROUTES, ids=[f"{m} {r}" for r, m in ROUTES])
def test_no_input_makes_any_route_fail(world_app, rule, method):
    werkzeug_rule = next(r for r in world_app.url_map.iter_rules() if r.rule == rule)
    keys = st.one_of(st.sampled_from(world_app.fuzz_keys), st.text(min_size=1, max_size=12))
    pairs = st.lists(st.tuples(keys, values), max_size=6)

    @settings(
        max_examples=12,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        role=st.sampled_from(roles.ROLES),
        query=pairs,
        form=pairs,
        ids=st.one_of(st.none(), st.sampled_from([0, 1, MAX_ID])),
        slug=st.one_of(
            st.none(),
            st.sampled_from(["new", "-", "x" * 300, "%00"]),
            st.text(alphabet=st.characters(blacklist_characters="/"), min_size=1, max_size=20),
        ),
    )
    def one_request(role, query, form, ids, slug):
        world = roles.current_world(world_app)
        url = build_url(werkzeug_rule, world, ids, slug)
        client = roles.client_for(world_app, world, role)
        data = MultiDict(form) if method != "GET" else None
        response = client.open(url, method=method, query_string=MultiDict(query), data=data)
        response.close()
        roles.spent(world_app, method, response)
        assert response.status_code < 500, (method, url, query, form, response.status_code)

    one_request()
