"""Read endpoints: the directory search, one business, its matches, networks, vocabularies."""

from __future__ import annotations

from flask import current_app, request
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from directory import matchmaking
from directory import search as directory_search
from directory.api import bp
from directory.api.access import caller, may_see_matches
from directory.api.cors import add_cors_headers, public
from directory.api.limits import read_limited
from directory.api.problems import ApiError
from directory.api.public import business_by_id, businesses_out, one_business_out
from directory.api.schemas import MatchList, NetworkList, Vocabularies
from directory.api.spec import openapi_document
from directory.businesses import service as business_service
from directory.extensions import db
from directory.models import Business, Network, business_networks
from matching.vocab import LEGAL_FORMS, REGIONS, SECTORS, STAGES, TOPICS

MATCH_LIMIT_MAX = 50

bp.after_request(add_cors_headers)


@bp.before_request
def check_credentials() -> None:
    """A token that is sent must be valid, even where none is needed: fail loudly, not quietly."""
    caller()


def search_args(args: MultiDict) -> MultiDict:
    """The page's parameters, with `per_page` capped at the maximum rather than refused.

    A NUL character is refused here: no database takes it in a string.
    """
    bad = sorted({key for key, value in args.items(multi=True) if "\x00" in key + value})
    if bad:
        raise ApiError(400, "Parameters cannot contain NUL characters.", dict.fromkeys(bad, "NUL"))
    args = MultiDict(args)
    cap = current_app.config["PER_PAGE_MAX"]
    try:
        if float(args.get("per_page", "")) > cap:
            args["per_page"] = str(cap)
    except ValueError:
        pass
    return args


def visible_business(business_id: int) -> Business:
    business = business_by_id(business_id)
    if business is None or not business_service.visible_to(business, caller().user):
        raise ApiError(404, f"No business with id {business_id}.")
    return business


@bp.get("/businesses")
@public
@read_limited
def list_businesses():
    query = directory_search.DirectoryQuery.from_args(
        search_args(request.args),
        per_page_default=current_app.config["PER_PAGE_DEFAULT"],
        per_page_max=current_app.config["PER_PAGE_MAX"],
    )
    if query.errors:
        raise ApiError(400, "Some search parameters are not valid.", dict(query.errors))
    result = directory_search.search(query)
    if query.errors:  # `near` is checked while searching
        raise ApiError(400, "Some search parameters are not valid.", dict(query.errors))
    distances = result.distances if result.origin is not None else None
    # Items are already checked against BusinessOut; the page wraps them as BusinessPage says.
    return {
        "items": businesses_out(result.items, distances),
        "total": result.total,
        "page": query.page,
        "per_page": query.per_page,
    }


@bp.get("/businesses/<int:business_id>")
@public
@read_limited
def get_business(business_id: int):
    return one_business_out(visible_business(business_id))


@bp.get("/businesses/<int:business_id>/matches")
@read_limited
def business_matches(business_id: int):
    business = visible_business(business_id)
    user = caller().user
    if user is None:
        raise ApiError(401)
    if not may_see_matches(user, business):
        raise ApiError(
            403, "Only the owner, a coordinator of its networks or an admin sees its matches."
        )
    kind = request.args.get("kind", "peer")
    problems = {}
    if kind not in ("peer", "mentor"):
        problems["kind"] = "Use peer or mentor."
    limit_text = request.args.get("limit", "10")
    limit = int(limit_text) if limit_text.isdigit() else 0
    if not 1 <= limit <= MATCH_LIMIT_MAX:
        problems["limit"] = f"Use a whole number from 1 to {MATCH_LIMIT_MAX}."
    if problems:
        raise ApiError(400, "Some parameters are not valid.", problems)
    cards = matchmaking.suggestion_cards(matchmaking.suggest_for(business, kind, limit))
    shown = businesses_out([row for _, row in cards])
    items = [
        {
            "business": out,
            "score": round(s.score, 3),
            "distance_km": round(s.distance_km, 1),
            "reasons": list(s.reasons),
        }
        for (s, _), out in zip(cards, shown, strict=True)
    ]
    return MatchList.model_validate({"kind": kind, "items": items}).model_dump(mode="json")


@bp.get("/networks")
@public
@read_limited
def list_networks():
    listed = (
        select(business_networks.c.network_id, func.count().label("n"))
        .join(Business, Business.id == business_networks.c.business_id)
        .where(Business.listed.is_(True))
        .group_by(business_networks.c.network_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Network, func.coalesce(listed.c.n, 0))
        .outerjoin(listed, listed.c.network_id == Network.id)
        .order_by(Network.name)
    ).all()
    items = [
        {"slug": n.slug, "name": n.name, "description": n.description or "", "businesses": count}
        for n, count in rows
    ]
    return NetworkList.model_validate({"items": items}).model_dump(mode="json")


def _terms(vocabulary: dict[str, str]) -> list[dict[str, str]]:
    return [{"slug": slug, "label": label} for slug, label in vocabulary.items()]


@bp.get("/vocabularies")
@public
@read_limited
def vocabularies():
    return Vocabularies.model_validate(
        {
            "sectors": _terms(SECTORS),
            "stages": _terms(STAGES),
            "topics": _terms(TOPICS),
            "legal_forms": _terms(LEGAL_FORMS),
            "regions": _terms(REGIONS),
        }
    ).model_dump(mode="json")


@bp.get("/openapi.json")
@public
def openapi():
    return openapi_document()
