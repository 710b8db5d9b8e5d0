"""Open-standard feeds of the public directory: Open Referral UK and Murmurations."""

from __future__ import annotations

from flask import current_app, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from directory.api import bp, murmurations, openreferral
from directory.api.cors import public
from directory.api.limits import read_limited
from directory.api.problems import ApiError
from directory.api.public import business_by_id
from directory.extensions import db
from directory.models import Business
from matching.vocab import TOPICS

FEED_PAGE_DEFAULT = 50


def _listed(business_id: int) -> Business:
    business = business_by_id(business_id)
    if business is None or not business.listed:
        raise ApiError(404, f"No listed business with id {business_id}.")
    return business


def _paging() -> tuple[int, int]:
    problems = {}
    values = {}
    cap = current_app.config["PER_PAGE_MAX"]
    for name, default, high in (("page", 1, 100_000), ("per_page", FEED_PAGE_DEFAULT, None)):
        raw = request.args.get(name, "")
        if raw == "":
            values[name] = default
        elif raw.isdigit() and int(raw) >= 1 and (high is None or int(raw) <= high):
            values[name] = min(int(raw), cap) if name == "per_page" else int(raw)
        else:
            problems[name] = "Use a whole number from 1."
    if problems:
        raise ApiError(400, "Some parameters are not valid.", problems)
    return values["page"], values["per_page"]


def _page_of_listed() -> tuple[list[Business], int, int, int]:
    page, size = _paging()
    listed = select(Business).where(Business.listed.is_(True))
    total = db.session.execute(select(func.count()).select_from(listed.subquery())).scalar_one()
    rows = db.session.execute(
        listed.order_by(Business.id)
        .options(selectinload(Business.topic_rows), selectinload(Business.other_sector_rows))
        .limit(size)
        .offset((page - 1) * size)
    ).scalars()
    return list(rows), total, page, size


@bp.get("/openreferral/")
@public
@read_limited
def openreferral_root():
    return {"version": openreferral.HSDS_VERSION, "profile": openreferral.PROFILE}


@bp.get("/openreferral/organizations")
@public
@read_limited
def openreferral_organizations():
    rows, total, page, size = _page_of_listed()
    items = [openreferral.organization(b) for b in rows]
    return openreferral.page(items, total, page, size)


@bp.get("/openreferral/organizations/<int:business_id>")
@public
@read_limited
def openreferral_organization(business_id: int):
    return openreferral.organization(_listed(business_id))


@bp.get("/openreferral/services")
@public
@read_limited
def openreferral_services():
    rows, total, page, size = _page_of_listed()
    return openreferral.page([openreferral.service(b) for b in rows], total, page, size)


@bp.get("/openreferral/services/<int:business_id>")
@public
@read_limited
def openreferral_service(business_id: int):
    return openreferral.service(_listed(business_id))


@bp.get("/murmurations/<int:business_id>")
@public
@read_limited
def murmurations_profile(business_id: int):
    return murmurations.organization_profile(_listed(business_id))


@bp.get("/murmurations/<int:business_id>/<exchange>/<topic>")
@public
@read_limited
def murmurations_exchange(business_id: int, exchange: str, topic: str):
    business = _listed(business_id)
    attribute = murmurations.EXCHANGES.get(exchange)
    if attribute is None or topic not in TOPICS or topic not in getattr(business, attribute):
        raise ApiError(404, f"{business.name} has no {exchange} for {topic}.")
    return murmurations.exchange_profile(business, exchange, topic)
