"""Write endpoints: coordinators (and admins) create and update businesses of their networks.

They take a bearer token only and are exempt from CSRF for that reason (see access.py).
"""

from __future__ import annotations

from flask import request, url_for

from directory.api import bp
from directory.api.access import may_edit, network_change_problem, token_caller
from directory.api.editing import parse_body, stored_fields, validate
from directory.api.limits import write_limited
from directory.api.problems import ApiError
from directory.api.public import business_by_id, one_business_out
from directory.api.schemas import BusinessCreate, BusinessPatch
from directory.businesses import service as business_service


def _json_body() -> object:
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "Send a JSON object (Content-Type: application/json).")
    return body


def _writer():
    user = token_caller().user
    if not user.is_coordinator:
        raise ApiError(403, "Only coordinators and admins may change the directory.")
    return user


@bp.post("/businesses")
@write_limited
def create_business():
    user = _writer()
    fields = parse_body(_json_body(), BusinessCreate)
    problem = network_change_problem(user, [], fields.get("networks") or [])
    if problem:
        raise ApiError(403, problem, {"networks": problem})
    data = validate(fields)
    business = business_service.create_business(data, owner=None)
    response = one_business_out(business)
    return response, 201, {"Location": url_for("api.get_business", business_id=business.id)}


@bp.patch("/businesses/<int:business_id>")
@write_limited
def update_business(business_id: int):
    user = _writer()
    changes = parse_body(_json_body(), BusinessPatch)
    business = business_by_id(business_id)
    if business is None:
        raise ApiError(404, f"No business with id {business_id}.")
    if not may_edit(user, business):
        raise ApiError(403, "This business is not in a network you coordinate.")
    before = stored_fields(business)
    if "networks" in changes:
        problem = network_change_problem(user, before["networks"], changes["networks"] or [])
        if problem:
            raise ApiError(403, problem, {"networks": problem})
    if "postcode" in changes and "town" not in changes:
        changes["town"] = ""  # a new postcode decides the town unless one is given
    data = validate({**before, **{k: v for k, v in changes.items()}}, business_id=business.id)
    business_service.update_business(business, data)
    return one_business_out(business)
