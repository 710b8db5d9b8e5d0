from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user, login_required

from directory import matchmaking
from directory.evidence import tracking
from directory.extensions import db
from directory.forms import parse_number
from directory.matches import bp
from directory.matches.forms import DISTANCES, TryMatchingForm
from directory.models import Business
from matching import Profile
from matching.types import KINDS

LIMIT = 10


def _max_km() -> float | None:
    value = request.args.get("max_km", "")
    return parse_number(value) if value in DISTANCES else None


@bp.route("/matches")
@login_required
def index():
    businesses = list(current_user.businesses)
    slug = request.args.get("business")
    if slug:
        business = db.one_or_404(db.select(Business).where(Business.slug == slug))
        if business.owner_id != current_user.id and not current_user.is_admin:
            abort(403)
    else:
        business = businesses[0] if businesses else None
    if business is None:
        return render_template("matches/index.html", business=None, businesses=businesses)
    max_km = _max_km()
    tracking.record_suggestions_viewed(business)
    return render_template(
        "matches/index.html",
        business=business,
        businesses=businesses,
        peers=matchmaking.suggestion_cards(
            matchmaking.suggest_for(business, "peer", LIMIT, max_km)
        ),
        mentors=matchmaking.suggestion_cards(
            matchmaking.suggest_for(business, "mentor", LIMIT, max_km)
        ),
        empty={k: matchmaking.empty_explanation(business, k, max_km) for k in KINDS},
        distances=DISTANCES,
        max_km=request.args.get("max_km", ""),
    )


@bp.route("/matches/try")
def try_matching():
    form = TryMatchingForm(request.args)
    peers = mentors = empty = None
    if request.args and form.validate():
        place = form.place
        profile = Profile(
            id=None,
            name="Your business",
            slug="",
            sectors=(form.sector.data,),
            stage=form.stage.data,
            latitude=place.latitude,
            longitude=place.longitude,
            needs=frozenset(form.needs.data),
            town=place.town,
        )
        max_km = parse_number(form.max_km.data) if form.max_km.data in DISTANCES else None
        peers = matchmaking.suggestion_cards(
            matchmaking.suggest_for_visitor(profile, "peer", LIMIT, max_km)
        )
        mentors = matchmaking.suggestion_cards(
            matchmaking.suggest_for_visitor(profile, "mentor", LIMIT, max_km)
        )
        empty = {k: matchmaking.empty_explanation(profile, k, max_km) for k in KINDS}
    return render_template("matches/try.html", form=form, peers=peers, mentors=mentors, empty=empty)
