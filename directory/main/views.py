from __future__ import annotations

from flask import render_template

from directory import search as directory_search
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
