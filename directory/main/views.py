from __future__ import annotations

from flask import jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from directory import search as directory_search
from directory.extensions import db
from directory.main import bp
from directory.models import Business
from matching.vocab import REGIONS, SECTORS


@bp.route("/")
def index():
    by_sector = [
        (slug, SECTORS.get(slug, slug), n)
        for slug, n in directory_search.counts_by(Business.sector)
    ]
    by_region = [
        (slug, REGIONS.get(slug, slug), n)
        for slug, n in directory_search.counts_by(Business.region)
    ]
    total = sum(n for _, _, n in by_sector)
    return render_template("main/index.html", by_sector=by_sector, by_region=by_region, total=total)


@bp.route("/healthz")
def healthz():
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return (
            jsonify({"status": "unavailable", "database": "unreachable"}),
            503,
            {"Retry-After": "30"},
        )
    return jsonify({"status": "ok", "database": "ok"})
