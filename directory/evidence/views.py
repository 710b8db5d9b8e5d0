"""Evidence pages, files and JSON. Every number comes from directory.evidence.figures."""

from __future__ import annotations

from datetime import date
from functools import wraps

from flask import Response, abort, jsonify, render_template, request
from flask_login import current_user, login_required

from directory.evidence import access, bp, connections, exports, figures
from directory.evidence.dataset import Dataset, FilterError, Filters, load
from directory.extensions import db
from directory.models import Network, utcnow


def _dataset() -> Dataset:
    """The viewer's evidence for the URL's filters (FilterError when a filter is wrong)."""
    if not access.sees_dashboard(current_user):
        abort(403)
    now = utcnow()
    return load(
        Filters.from_args(request.args, now.date()), access.network_scope(current_user), now
    )


def _data_endpoint(view):
    """JSON and file endpoints answer JSON errors: 403 for those who may not see evidence,
    400 for a bad filter."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not access.sees_dashboard(current_user):
            return jsonify({"error": "Evidence is for coordinators, admins and evaluators."}), 403
        try:
            return view(_dataset(), *args, **kwargs)
        except FilterError as exc:
            return jsonify({"error": str(exc)}), 400

    return wrapper


def _networks() -> list[Network]:
    """The networks this viewer may choose from."""
    scope = access.network_scope(current_user)
    stmt = db.select(Network).order_by(Network.name)
    if scope is not None:
        stmt = stmt.where(Network.id.in_(scope))
    return list(db.session.execute(stmt).scalars())


@bp.route("/evidence")
@login_required
def dashboard():
    if not access.sees_dashboard(current_user):
        return _member_panel()
    try:
        ds = _dataset()
    except FilterError as exc:
        return render_template(
            "evidence/dashboard.html",
            error=str(exc),
            filters=Filters.from_args({}, utcnow().date()),
            networks=_networks(),
            figures=None,
        ), 400
    return render_template(
        "evidence/dashboard.html",
        error=None,
        filters=ds.filters,
        networks=_networks(),
        figures=figures.all_figures(ds),
        anonymised=access.anonymised(current_user),
    )


def _member_panel():
    scope = access.network_scope(current_user)
    now = utcnow()
    filters = Filters(date(now.year, 1, 1), now.date())
    panel = figures.member_panel(load(filters, scope, now)) if scope else None
    return render_template("evidence/panel.html", panel=panel, year=now.year)


@bp.route("/evidence.json")
@login_required
@_data_endpoint
def dashboard_json(ds: Dataset):
    return jsonify({"filters": ds.filters.to_args(), **figures.all_figures(ds)})


def _csv(text: str, name: str) -> Response:
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/evidence.csv")
@login_required
@_data_endpoint
def dashboard_csv(ds: Dataset):
    rows = exports.figure_rows(figures.all_figures(ds))
    return _csv(exports.to_csv(exports.FIGURE_COLUMNS, rows), "peerlink-evidence.csv")


@bp.route("/evidence/introductions.<any(csv, json):fmt>")
@login_required
@_data_endpoint
def introductions_export(ds: Dataset, fmt: str):
    rows = exports.introduction_rows(ds)
    if fmt == "json":
        return jsonify({"filters": ds.filters.to_args(), "introductions": rows})
    return _csv(
        exports.to_csv(exports.INTRODUCTION_COLUMNS, [tuple(r.values()) for r in rows]),
        "peerlink-introductions.csv",
    )


@bp.route("/evidence/summary")
@login_required
def summary():
    try:
        ds = _dataset()
    except FilterError as exc:
        return render_template("evidence/summary.html", error=str(exc), figures=None), 400
    network = next((n for n in _networks() if n.slug == ds.filters.network), None)
    return render_template(
        "evidence/summary.html",
        error=None,
        filters=ds.filters,
        network=network,
        figures=figures.all_figures(ds),
    )


@bp.route("/evidence/map")
@login_required
def connection_map():
    try:
        ds = _dataset()
    except FilterError as exc:
        return render_template(
            "evidence/map.html",
            error=str(exc),
            filters=Filters.from_args({}, utcnow().date()),
            networks=_networks(),
        ), 400
    return render_template(
        "evidence/map.html",
        error=None,
        filters=ds.filters,
        networks=_networks(),
        anonymised=access.anonymised(current_user),
        clusters=figures.clusters(ds),
    )


@bp.route("/evidence/map.json")
@login_required
@_data_endpoint
def connection_map_json(ds: Dataset):
    anonymise = access.anonymised(current_user)
    return jsonify(
        {
            "map": connections.map_data(ds, anonymise),
            "graph": connections.graph_data(ds, anonymise),
        }
    )
