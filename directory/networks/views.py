"""Pages: the networks list (ask to join), claiming a profile, decisions, the admins' page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from directory import accounts, confirm
from directory.extensions import db
from directory.forms import choices
from directory.introductions import routing
from directory.introductions.commands import NotAllowed, RuleError
from directory.models import Business, Claim, JoinRequest, Network, User
from directory.networks import bp, claims, service
from directory.networks.forms import (
    CoordinatorForm,
    DecisionForm,
    EvidenceForm,
    JoinForm,
    NetworkForm,
)


def _network(slug: str) -> Network:
    return db.one_or_404(db.select(Network).where(Network.slug == slug))


def _business(slug: str) -> Business:
    return db.one_or_404(db.select(Business).where(Business.slug == slug))


def _join_form() -> JoinForm:
    form = JoinForm()
    form.business.choices = choices((b.slug, b.name) for b in current_user.businesses)
    form.network.choices = choices(
        ((n.slug, n.name) for n in service.all_networks()), "Choose a network"
    )
    return form


@bp.route("/networks", methods=["GET", "POST"])
def index():
    """The networks; an owner asks here for one of their businesses to join one."""
    mine = list(current_user.businesses) if current_user.is_authenticated else []
    form = _join_form() if mine else None
    if form is not None and form.validate_on_submit():
        business = _business(form.business.data)
        network = _network(form.network.data)
        try:
            service.ask_to_join(current_user, business, network, form.message.data)
        except (RuleError, NotAllowed) as exc:
            form.network.errors.append(str(exc))
        else:
            flash(
                f"You asked for {business.name} to join {network.name}. A coordinator decides.",
                "success",
            )
            return redirect(url_for("networks.index"))
    return render_template(
        "networks/index.html",
        networks=service.all_networks(),
        counts=service.member_counts(),
        mine=mine,
        form=form,
        joins=service.joins_of(current_user) if mine else [],
    )


@bp.route("/networks/joins/<int:join_id>/decide", methods=["POST"])
@login_required
def decide_join(join_id: int):
    join_request = db.get_or_404(JoinRequest, join_id)
    if not service.may_decide_join(current_user, join_request):
        abort(403)
    form = DecisionForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(f"{join_request.business.name}: {' '.join(errors)}", "error")
        return redirect(url_for("coordinator.queue"))
    try:
        service.decide_join(
            join_request, current_user, form.decision.data == "approve", form.note.data
        )
    except RuleError as exc:
        flash(str(exc), "info")
    else:
        verb = "joined" if form.decision.data == "approve" else "was not admitted to"
        flash(f"{join_request.business.name} {verb} {join_request.network.name}.", "success")
    return redirect(url_for("coordinator.queue"))


# -- claims ----------------------------------------------------------------------------------


@bp.route("/businesses/<slug>/claim", methods=["GET", "POST"])
@login_required
def claim(slug: str):
    business = _business(slug)
    if not claims.claimable(business):
        flash(f"{business.name} already has an owner.", "info")
        return redirect(url_for("businesses.profile", slug=slug))
    form = EvidenceForm()
    problem = ""
    if request.method == "POST":
        try:
            if request.form.get("method") == "email":
                claims.claim_by_email(current_user, business)
                flash(
                    f"We emailed a link to {business.name}'s contact address. Follow it while "
                    "signed in to this account to confirm.",
                    "success",
                )
                return redirect(url_for("networks.mine"))
            if form.validate_on_submit():
                claims.claim_with_evidence(current_user, business, form.evidence.data)
                flash("Your claim has gone to a coordinator, who will check it.", "success")
                return redirect(url_for("networks.mine"))
        except RuleError as exc:
            problem = str(exc)
    return render_template(
        "networks/claim.html",
        business=business,
        form=form,
        problem=problem,
        reviewer=routing.reviewer_name(claims.reviewing_network(business)),
    )


@bp.route("/claims/confirm/<token>", methods=["GET", "POST"])
@login_required
def confirm_claim(token: str):
    try:
        found = accounts.read_token("claim", token)
    except accounts.TokenError as exc:
        return render_template("networks/claim_problem.html", problem=str(exc)), 410
    pending = db.session.get(Claim, found.data.get("claim"))
    if request.method == "POST":
        try:
            done = claims.confirm_by_email(token, current_user)
        except accounts.TokenError as exc:
            return render_template("networks/claim_problem.html", problem=str(exc)), 410
        except (NotAllowed, RuleError) as exc:
            return render_template("networks/claim_problem.html", problem=str(exc)), 409
        flash(
            f"{done.business.name} is now yours. Please check and complete its profile.", "success"
        )
        return redirect(url_for("businesses.edit", slug=done.business.slug))
    return render_template("networks/claim_confirm.html", claim=pending)


@bp.route("/claims/<int:claim_id>/decide", methods=["POST"])
@login_required
def decide_claim(claim_id: int):
    claim_row = db.get_or_404(Claim, claim_id)
    if not claims.may_decide(current_user, claim_row):
        abort(403)
    form = DecisionForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(f"{claim_row.business.name}: {' '.join(errors)}", "error")
        return redirect(url_for("coordinator.queue"))
    try:
        claims.decide(claim_row, current_user, form.decision.data == "approve", form.note.data)
    except RuleError as exc:
        flash(str(exc), "info")
    else:
        flash(
            f"Claim of {claim_row.business.name} by {claim_row.user.email}: {claim_row.status}.",
            "success",
        )
    return redirect(url_for("coordinator.queue"))


@bp.route("/claims")
@login_required
def mine():
    """A member's claims and join requests, pending, approved and refused."""
    return render_template(
        "networks/mine.html",
        claims=claims.claims_of(current_user),
        joins=service.joins_of(current_user),
    )


# -- the admins' page -------------------------------------------------------------------------


def _admin_only() -> None:
    if not current_user.is_admin:
        abort(403)


@bp.route("/admin/networks", methods=["GET", "POST"])
@login_required
def manage():
    _admin_only()
    form = NetworkForm()
    if form.validate_on_submit():
        try:
            network = service.add_network(
                form.slug.data or "", form.name.data, form.description.data or ""
            )
        except RuleError as exc:
            form.name.errors.append(str(exc))
        else:
            flash(f"Network {network.name} added.", "success")
            return redirect(url_for("networks.manage"))
    return render_template(
        "networks/manage.html",
        networks=service.all_networks(),
        counts=service.member_counts(),
        form=form,
        coordinator_form=CoordinatorForm(),
    )


@bp.route("/admin/networks/<slug>/coordinators", methods=["POST"])
@login_required
def add_coordinator(slug: str):
    _admin_only()
    network = _network(slug)
    form = CoordinatorForm()
    user = accounts.find_user(form.email.data or "") if form.validate_on_submit() else None
    if user is None:
        flash(
            f"{network.name}: no account with that email. Create it with `flask users add`.",
            "error",
        )
    else:
        service.add_coordinator(network, user)
        flash(f"{user.email} now coordinates {network.name}.", "success")
    return redirect(url_for("networks.manage"))


@bp.route("/admin/networks/<slug>/coordinators/<int:user_id>/remove", methods=["POST"])
@login_required
def remove_coordinator(slug: str, user_id: int):
    _admin_only()
    network = _network(slug)
    user = db.get_or_404(User, user_id)
    page = confirm.unconfirmed(
        f"Remove {user.email} as a coordinator of {network.name}?",
        url_for("networks.manage"),
        button="Remove them",
    )
    if page:
        return page
    service.remove_coordinator(network, user)
    flash(f"{user.email} no longer coordinates {network.name}.", "success")
    return redirect(url_for("networks.manage"))
