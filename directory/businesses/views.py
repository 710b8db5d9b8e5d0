from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from directory import confirm, search_facets
from directory import search as directory_search
from directory import search_map as directory_map
from directory.businesses import bp
from directory.businesses import service as business_service
from directory.businesses.forms import BusinessForm
from directory.extensions import db
from directory.models import Business, Network


def _query() -> directory_search.DirectoryQuery:
    return directory_search.DirectoryQuery.from_args(
        request.args,
        per_page_default=current_app.config["PER_PAGE_DEFAULT"],
        per_page_max=current_app.config["PER_PAGE_MAX"],
    )


def _owned(slug: str) -> Business:
    business = db.one_or_404(db.select(Business).where(Business.slug == slug))
    if business.owner_id != current_user.id and not current_user.is_admin:
        abort(403)
    return business


@bp.route("/businesses")
def index():
    query = _query()
    result = directory_search.search(query)
    networks = db.session.execute(db.select(Network).order_by(Network.name)).scalars()
    network_options = {n.slug: n.name for n in networks}
    view = "map" if request.args.get("view") == "map" else "list"
    return render_template(
        "businesses/index.html",
        result=result,
        query=query,
        view=view,
        facets=directory_search.FACETS,
        counts=search_facets.facet_counts(result),
        network_options=network_options,
        tags=directory_search.chosen_tags(query, network_options),
        other_errors=[(k, v) for k, v in query.errors.items() if k != "near"],
        sorts=directory_search.SORTS,
        radii=directory_search.RADII,
    )


@bp.route("/businesses/map.json")
def map_points():
    """The same results as the list, for the map: counts per district or town, never a point."""
    query = _query()
    result = directory_search.search(query, page=False)
    body = directory_map.aggregate(result, request.args)
    if query.errors:
        body["errors"] = query.errors
    return jsonify(body)


@bp.route("/businesses/<slug>")
def profile(slug: str):
    business = db.one_or_404(db.select(Business).where(Business.slug == slug))
    if not business_service.visible_to(business, current_user):
        abort(404)
    return render_template("businesses/profile.html", business=business)


@bp.route("/businesses/new", methods=["GET", "POST"])
@login_required
def new():
    form = BusinessForm(sets_networks=current_user.is_admin)
    if request.method == "GET":
        form.email.data = current_user.email
    if form.validate_on_submit():
        business = business_service.create_business(form.to_data(), owner=current_user)
        flash(f"{business.name} is now in the directory.", "success")
        return redirect(business_service.after_registration_url(business))
    return render_template("businesses/edit.html", form=form, business=None)


@bp.route("/businesses/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    business = _owned(slug)
    form = BusinessForm(business_id=business.id, sets_networks=current_user.is_admin)
    if request.method == "GET":
        form.fill_from(business)
    if form.validate_on_submit():
        business_service.update_business(business, form.to_data())
        flash("Your changes are saved.", "success")
        return redirect(url_for("businesses.profile", slug=business.slug))
    return render_template("businesses/edit.html", form=form, business=business)


@bp.route("/businesses/<slug>/delete", methods=["POST"])
@login_required
def delete(slug: str):
    business = _owned(slug)
    name = business.name
    page = confirm.unconfirmed(
        f"Remove {name} from the directory? This cannot be undone.",
        url_for("businesses.edit", slug=slug),
        button="Remove it",
    )
    if page:
        return page
    business_service.delete_business(business)
    flash(f"{name} has been removed from the directory.", "success")
    return redirect(url_for("auth.account"))
