"""The OpenAPI 3.1 description of /api/v1, built from the same pieces the views use.

Schemas come from the pydantic models (JSON Schema 2020-12, which OpenAPI 3.1 uses as is);
search parameters and their allowed values from the vocabularies and `directory.search`, so
the document cannot drift from the behaviour. A schemathesis test checks it against the app.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import url_for
from pydantic.json_schema import models_json_schema

from directory import search as directory_search
from directory.api import schemas
from matching.vocab import REGIONS, SECTORS, STAGES, TOPICS

REF = "#/components/schemas/{model}"
OUTPUT_MODELS = (
    schemas.BusinessPage,
    schemas.BusinessOut,
    schemas.MatchList,
    schemas.NetworkList,
    schemas.Vocabularies,
    schemas.Error,
)
INPUT_MODELS = (schemas.BusinessCreate, schemas.BusinessPatch)


def _ref(name: str) -> dict:
    return {"$ref": REF.format(model=name)}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json(_ref("Error"), description)


def _query(name: str, schema: dict, description: str, explode: bool = False) -> dict:
    param = {"name": name, "in": "query", "required": False, "schema": schema}
    param["description"] = description
    if explode:
        param.update(style="form", explode=True)
    return param


def _facet(name: str, vocabulary: dict[str, str], what: str) -> dict:
    schema = {"type": "array", "items": {"type": "string", "enum": list(vocabulary)}}
    return _query(name, schema, f"{what} (repeat the parameter for several).", explode=True)


SEARCH_PARAMETERS = [
    _query(
        "q",
        {"type": "string", "maxLength": 200},
        "Words in the name, description, town or district.",
    ),
    _facet("sector", SECTORS, "Sector slugs, any of them (main or other sector)"),
    _facet("stage", STAGES, "Stage slugs, any of them"),
    _facet("need", TOPICS, "Topics the business needs help with, all of them"),
    _facet("offer", TOPICS, "Topics the business offers help with, all of them"),
    _facet("region", REGIONS, "Region slugs, any of them"),
    _query(
        "network",
        {"type": "array", "items": {"type": "string"}},
        "Peer network slugs, any of them.",
        explode=True,
    ),
    _query("near", {"type": "string"}, "A postcode, postcode district or town."),
    _query(
        "radius_km",
        {"type": "number", "minimum": 1, "maximum": 1000, "default": 25},
        "With `near`: how far, in km.",
    ),
    _query("mentors", {"type": "boolean"}, "Only businesses willing to mentor."),
    _query(
        "sort",
        {"type": "string", "enum": list(directory_search.SORTS)},
        "Default: distance with `near`, relevance with `q`, else name.",
    ),
    _query("page", {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}, "Page."),
    _query(
        "per_page",
        {"type": "integer", "minimum": 1, "default": 20},
        "Results per page; more than 100 is capped at 100.",
    ),
]

ID_PARAMETER = {
    "name": "business_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    "description": "The business's id.",
}
FEED = {"type": "object", "description": "A document in the open standard named above."}
READ_ERRORS = {
    "401": _error("A token was sent and is not valid (public reads need none)."),
    "429": _error("Too many requests."),
}
TOKEN_ONLY: list[dict[str, list[str]]] = [{"bearerToken": []}]
TOKEN_OR_SESSION: list[dict[str, list[str]]] = [{"bearerToken": []}, {"session": []}]


def _feed_get(summary: str, description: str, path_id: bool = False) -> dict:
    operation: dict[str, Any] = {
        "summary": summary,
        "description": description,
        "tags": ["open data"],
        "security": [],
        "responses": {"200": _json(FEED, "The document."), **READ_ERRORS},
    }
    if path_id:
        operation["parameters"] = [ID_PARAMETER]
        operation["responses"]["404"] = _error("No listed business with that id.")
    else:
        operation["parameters"] = [
            _query("page", {"type": "integer", "minimum": 1, "default": 1}, "Page."),
            _query("per_page", {"type": "integer", "minimum": 1, "default": 50}, "Up to 100."),
        ]
        operation["responses"]["400"] = _error("A parameter is not valid.")
    return operation


def _paths() -> dict:
    return {
        "/businesses": {
            "get": {
                "operationId": "listBusinesses",
                "summary": "Search the directory",
                "description": "The same filters, order and results as the /businesses page.",
                "tags": ["directory"],
                "security": [],
                "parameters": SEARCH_PARAMETERS,
                "responses": {
                    "200": _json(_ref("BusinessPage"), "A page of listed businesses."),
                    "400": _error("A parameter is not valid (`fields` says which)."),
                    **READ_ERRORS,
                },
            },
            "post": {
                "operationId": "createBusiness",
                "summary": "Add a business (coordinators and admins)",
                "description": "Same rules as the profile form and the CSV import. A "
                "coordinator must list only networks they coordinate, at least one.",
                "tags": ["coordinators"],
                "security": TOKEN_ONLY,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("BusinessCreate")}},
                },
                "responses": {
                    "201": _json(_ref("BusinessOut"), "Created."),
                    "400": _error("The body is not a JSON object."),
                    "401": _error("No valid token."),
                    "403": _error("Not a coordinator, or not your network."),
                    "409": _error("A business with this name exists."),
                    "422": _error("Some fields are not valid (`fields` says which)."),
                    "429": _error("Too many requests."),
                },
            },
        },
        "/businesses/{business_id}": {
            "get": {
                "operationId": "getBusiness",
                "summary": "One listed business",
                "tags": ["directory"],
                "security": [],
                "parameters": [ID_PARAMETER],
                "responses": {
                    "200": _json(_ref("BusinessOut"), "The business."),
                    "404": _error("No listed business with that id."),
                    **READ_ERRORS,
                },
            },
            "patch": {
                "operationId": "updateBusiness",
                "summary": "Change some fields of a business (coordinators and admins)",
                "description": "Only the fields sent change. Same rules as the profile form.",
                "tags": ["coordinators"],
                "security": TOKEN_ONLY,
                "parameters": [ID_PARAMETER],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("BusinessPatch")}},
                },
                "responses": {
                    "200": _json(_ref("BusinessOut"), "Updated."),
                    "400": _error("The body is not a JSON object."),
                    "401": _error("No valid token."),
                    "403": _error("Not in a network you coordinate."),
                    "404": _error("No business with that id."),
                    "409": _error("Another business has this name."),
                    "422": _error("Some fields are not valid."),
                    "429": _error("Too many requests."),
                },
            },
        },
        "/businesses/{business_id}/matches": {
            "get": {
                "operationId": "getMatches",
                "summary": "Suggested peers or mentors, with reasons",
                "description": "For the owner (signed in or token), a coordinator of one of "
                "its networks, or an admin.",
                "tags": ["matching"],
                "security": TOKEN_OR_SESSION,
                "parameters": [
                    ID_PARAMETER,
                    _query("kind", {"type": "string", "enum": ["peer", "mentor"]}, "Default peer."),
                    _query(
                        "limit",
                        {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
                        "How many.",
                    ),
                ],
                "responses": {
                    "200": _json(_ref("MatchList"), "Best first."),
                    "400": _error("A parameter is not valid."),
                    "401": _error("Not signed in and no valid token."),
                    "403": _error("Not the owner, its coordinator or an admin."),
                    "404": _error("No such business."),
                    "429": _error("Too many requests."),
                },
            }
        },
        "/networks": {
            "get": {
                "operationId": "listNetworks",
                "summary": "Peer networks",
                "tags": ["directory"],
                "security": [],
                "responses": {"200": _json(_ref("NetworkList"), "All networks."), **READ_ERRORS},
            }
        },
        "/vocabularies": {
            "get": {
                "operationId": "vocabularies",
                "summary": "Slugs and labels of sectors, stages, topics, legal forms, regions",
                "tags": ["directory"],
                "security": [],
                "responses": {"200": _json(_ref("Vocabularies"), "The lists."), **READ_ERRORS},
            }
        },
        "/openreferral/": {
            "get": {
                "operationId": "openReferralRoot",
                "summary": "Open Referral UK: version and profile",
                "tags": ["open data"],
                "security": [],
                "responses": {"200": _json(FEED, "Version and profile."), **READ_ERRORS},
            }
        },
        "/openreferral/organizations": {
            "get": _feed_get(
                "Open Referral UK: organisations",
                "HSDS 3 UK profile: a page of organizations with their locations and services.",
            )
        },
        "/openreferral/organizations/{business_id}": {
            "get": _feed_get("Open Referral UK: one organisation", "HSDS 3 UK.", path_id=True)
        },
        "/openreferral/services": {
            "get": _feed_get(
                "Open Referral UK: services",
                "One service per business, classified by sector, topics offered and ESSGLOBAL.",
            )
        },
        "/openreferral/services/{business_id}": {
            "get": _feed_get("Open Referral UK: one service", "HSDS 3 UK.", path_id=True)
        },
        "/murmurations/{business_id}": {
            "get": _feed_get(
                "Murmurations profile",
                "An organizations_schema-v1.0.0 profile; its urls link each offer and want.",
                path_id=True,
            )
        },
        "/murmurations/{business_id}/{exchange}/{topic}": {
            "get": {
                **_feed_get(
                    "Murmurations offer or want",
                    "An offers_wants_schema-v0.1.0 profile: a topic the business offers help "
                    "with (offer) or needs help with (want).",
                    path_id=True,
                ),
                "parameters": [
                    ID_PARAMETER,
                    {
                        "name": "exchange",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": ["offer", "want"]},
                    },
                    {
                        "name": "topic",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": list(TOPICS)},
                    },
                ],
            }
        },
    }


@cache
def _components() -> dict:
    _, outputs = models_json_schema([(m, "serialization") for m in OUTPUT_MODELS], ref_template=REF)
    _, inputs = models_json_schema([(m, "validation") for m in INPUT_MODELS], ref_template=REF)
    return {**outputs.get("$defs", {}), **inputs.get("$defs", {})}


UNAVAILABLE = {
    "description": "The database is unavailable for a moment; retry after the seconds given.",
    "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
    "content": {"application/json": {"schema": _ref("Error")}},
}


def _with_outage(paths: dict) -> dict:
    """Every operation can meet a database outage, answered 503 with Retry-After."""
    for methods in paths.values():
        for operation in methods.values():
            operation["responses"].setdefault("503", UNAVAILABLE)
    return paths


def openapi_document() -> dict:
    """The document for this app (the server URL follows the request's host)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Peerlink API",
            "version": "1.0.0",
            "summary": "The directory of community businesses, their matches, and open feeds.",
            "description": "Public reads need no key and send CORS headers. Matches and "
            "writes need a token from your account's API tokens page. Errors are JSON: "
            '{"error": {"code", "message", "fields"}}.',
        },
        "servers": [{"url": url_for("api.list_businesses", _external=True).rsplit("/", 1)[0]}],
        "paths": _with_outage(_paths()),
        "components": {
            "schemas": _components(),
            "securitySchemes": {
                "bearerToken": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


def operations(spec: dict) -> list[dict]:
    """Operations in document order, flattened for the human page."""
    found = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            found.append(
                {
                    "method": method.upper(),
                    "path": "/api/v1" + path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "auth": "token" if op.get("security") else "none",
                    "parameters": op.get("parameters", []),
                    "body": op.get("requestBody", {})
                    .get("content", {})
                    .get("application/json", {})
                    .get("schema", {})
                    .get("$ref", "")
                    .rsplit("/", 1)[-1],
                    "responses": [(code, r["description"]) for code, r in op["responses"].items()],
                }
            )
    return found
