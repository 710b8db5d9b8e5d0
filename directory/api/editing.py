"""Create and update businesses from JSON with exactly the profile form's rules.

The JSON body is type-checked by pydantic, then handed to `BusinessForm` as form data: the
same validators (vocabularies, year, website, unique name, postcode or town) judge the API,
the web form and, through the same service, the CSV import. A PATCH starts from the stored
values, so a field the body leaves out is never erased.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from directory.api.problems import ApiError
from directory.api.schemas import BusinessPatch
from directory.businesses.forms import BusinessForm
from directory.businesses.service import BusinessData
from directory.models import Business

LISTS = ("other_sectors", "needs", "offers", "networks")
FLAGS = ("willing_to_mentor", "accepting_requests", "named_in_evidence")


def parse_body(body: object, model: type[BusinessPatch]) -> dict:
    """The fields sent, type-checked; a 422 naming each bad field otherwise."""
    if not isinstance(body, dict):
        raise ApiError(400, "Send a JSON object (Content-Type: application/json).")
    try:
        parsed = model.model_validate(body)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for problem in exc.errors():
            name = ".".join(str(p) for p in problem["loc"]) or "body"
            fields.setdefault(name, problem["msg"])
        raise ApiError(422, "Some fields are not valid.", fields) from None
    fields = parsed.model_dump(exclude_unset=True)
    with_nul = [
        name
        for name, value in fields.items()
        if any(
            "\x00" in item
            for item in (value if isinstance(value, list) else [value])
            if isinstance(item, str)
        )
    ]
    if with_nul:  # no database stores a NUL character in text
        raise ApiError(422, "Text cannot contain NUL characters.", dict.fromkeys(with_nul, "NUL"))
    return fields


def stored_fields(business: Business) -> dict:
    """A business's current values, in the shape of a request body."""
    return {
        "name": business.name,
        "description": business.description,
        "sector": business.sector,
        "other_sectors": business.other_sectors,
        "legal_form": business.legal_form,
        "stage": business.stage,
        "founded_year": business.founded_year,
        "postcode": business.postcode or business.outcode or "",
        "town": business.town,
        "needs": business.needs,
        "offers": business.offers,
        "willing_to_mentor": business.willing_to_mentor,
        "mentor_capacity": business.mentor_capacity,
        "accepting_requests": business.accepting_requests,
        "website": business.website,
        "email": business.email,
        "phone": business.phone,
        "networks": [n.slug for n in business.networks],
        # Not in the API's body: the owner's consent, kept as it is by every API change.
        "named_in_evidence": business.named_in_evidence,
    }


def _form_data(fields: dict) -> MultiDict:
    data: MultiDict[str, Any] = MultiDict()
    for name, value in fields.items():
        if value is None:
            continue
        if name in LISTS:
            for item in value:
                data.add(name, item)
        elif name in FLAGS:
            if value:
                data.add(name, "y")
        else:
            data.add(name, str(value))
    return data


def validate(fields: dict, business_id: int | None = None) -> BusinessData:
    """Run the profile form over the fields; 409 for a taken name, 422 for the rest.

    The API sets networks (the form leaves them to admins): its callers are coordinators and
    admins, and `access.network_change_problem` has already decided which networks they may
    set before this runs.
    """
    fields = {"accepting_requests": True, **fields}
    form = BusinessForm(
        formdata=_form_data(fields),
        meta={"csrf": False},
        business_id=business_id,
        sets_networks=True,
    )
    if form.validate():
        return form.to_data()
    problems = {name: " ".join(errors) for name, errors in form.errors.items() if errors}
    if set(problems) == {"name"} and "already in the directory" in problems["name"]:
        raise ApiError(409, problems["name"], problems)
    raise ApiError(422, "Some fields are not valid.", problems)
