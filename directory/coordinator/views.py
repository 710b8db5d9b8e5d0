from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from directory.coordinator import bp
from directory.extensions import db
from directory.introductions import commands, permissions, queries
from directory.introductions import states as st
from directory.introductions.forms import ApproveForm, DeclineForm, ReasonForm
from directory.models import Introduction, Report
from directory.networks import claims
from directory.networks import service as networks


@bp.before_request
@login_required
def _coordinators_only():
    if not current_user.is_coordinator:
        abort(403)


@bp.route("")
def queue():
    pending = queries.review_queue(current_user)
    load = queries.open_counts({i.requester_id for i in pending} | {i.target_id for i in pending})
    return render_template(
        "coordinator/queue.html",
        pending=pending,
        load=load,
        unowned=queries.awaiting_answer_for_unowned(current_user),
        reports=queries.open_reports(current_user),
        in_progress=queries.in_progress(current_user),
        joins=networks.pending_joins(current_user),
        claims=claims.pending_claims(current_user),
        sees_contacts=lambda b: permissions.sees_contacts_of(current_user, b),
        STATES=st.STATES,
        approve_form=ApproveForm(),
        decline_form=DeclineForm(),
        resolve_form=ReasonForm(),
    )


@bp.route(
    "/introductions/<int:intro_id>/<any({}):action>".format(", ".join(st.QUEUE_ACTIONS)),
    methods=["POST"],
)
def decide(intro_id: int, action: str):
    intro = db.get_or_404(Introduction, intro_id)
    if not permissions.allowed(current_user, action, intro):
        abort(403)
    pair = f"{intro.requester.name} → {intro.target.name}"
    form = ApproveForm() if action == "approve" else DeclineForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(f"{pair}: {error}", "error")
        return redirect(url_for("coordinator.queue"))
    note = form.note.data if action == "approve" else form.reason.data
    try:
        commands.run(action, intro, current_user, note or "")
    except commands.AlreadyDecided as exc:
        flash(str(exc), "info")
    except commands.RuleError as exc:
        flash(f"{pair}: {exc}", "error")
    else:
        flash(st.TRANSITIONS[action].done.format(intro=pair), "success")
    return redirect(url_for("coordinator.queue"))


@bp.route("/reports/<int:report_id>/resolve", methods=["POST"])
def resolve(report_id: int):
    report = db.get_or_404(Report, report_id)
    if report.resolved_at is not None or not permissions.may_resolve(
        current_user, queries.report_networks(report)
    ):
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    commands.resolve_report(report, current_user, form.reason.data or "")
    flash("Report marked as resolved.", "success")
    return redirect(url_for("coordinator.queue"))
