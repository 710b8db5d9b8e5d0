"""The OpenAPI document describes the behaviour: schemathesis finds no server error and no
answer that breaks it, on every operation (bounded examples so the suite stays fast)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from jsonschema import Draft202012Validator
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from directory.api.spec import openapi_document

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _run_operation(operation, token: str, mode: GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    run()


def test_api_matches_its_openapi_document(app, world):
    """Every operation, with an admin's token, positive and negative examples.

    One test over all operations: schemathesis' pytest fixture loader does not work with this
    pytest, so the operations are driven with Hypothesis directly.
    """
    app.config.update(API_READ_RATE_LIMIT="100000/minute", API_WRITE_RATE_LIMIT="100000/minute")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 13
    for operation in operations:
        _run_operation(operation, world.secrets["admin"], GenerationMode.POSITIVE)
        try:
            _run_operation(operation, world.secrets["admin"], GenerationMode.NEGATIVE)
        except Unsatisfiable:
            assert not operation.query and not operation.path_parameters and not operation.body


def test_openapi_document_is_3_1_and_names_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    documented = {
        ("/api/v1" + path.replace("{", "<").replace("}", ">"), method.upper())
        for path, methods in spec["paths"].items()
        for method in methods
    }
    routes = {
        (rule.rule.replace("<int:", "<"), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == documented


def test_openapi_document_is_the_same_as_the_module_builds(app, client):
    with app.test_request_context():
        assert client.get("/api/v1/openapi.json").get_json() == openapi_document()


def test_human_page_lists_every_operation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    html = client.get("/api/docs").get_data(as_text=True)
    for path, methods in spec["paths"].items():
        for method in methods:
            assert f"{method.upper()} /api/v1{path}" in html


def _get_operations(spec: dict) -> list[str]:
    """Every documented GET path, with its path parameters filled in."""
    values = {"{business_id}": "1", "{exchange}": "offers", "{topic}": "funding"}
    paths = []
    for path, methods in spec["paths"].items():
        if "get" in methods:
            for name, value in values.items():
                path = path.replace(name, value)
            paths.append("/api/v1" + path)
    return paths


def test_every_operation_documents_the_503_of_a_database_outage(app):
    with app.test_request_context():
        spec = openapi_document()
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            assert "503" in operation["responses"], (method, path)
            assert "Retry-After" in operation["responses"]["503"]["headers"]


def test_a_database_outage_gives_the_documented_503_on_every_read(broken_app):
    with broken_app.test_request_context():
        spec = openapi_document()
    validator = Draft202012Validator(
        {"$ref": "#/components/schemas/Error", "components": spec["components"]}
    )
    client = broken_app.test_client()
    paths = _get_operations(spec)
    assert len(paths) >= 8
    for path in paths:
        if path.endswith("/openapi.json"):
            continue  # the document itself needs no database
        response = client.get(path, headers={"Authorization": "Bearer not-a-real-token"})
        assert response.status_code == 503, path
        assert int(response.headers["Retry-After"]) >= 1
        assert response.mimetype == "application/json"
        assert not list(validator.iter_errors(response.get_json())), path
