from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from directory.coordinator import bp
from directory.extensions import db
from directory.introductions import workflow
from directory.introductions.forms import ApproveForm, DeclineForm, ReasonForm
from directory.introductions.states import STATES
from directory.models import Introduction, Report


@bp.before_request
@login_required
def _coordinators_only():
    if not current_user.is_coordinator:
        abort(403)


@bp.route("")
def queue():
    pending = workflow.review_queue(current_user)
    load = workflow.open_counts({i.requester_id for i in pending} | {i.target_id for i in pending})
    return render_template(
        "coordinator/queue.html",
        pending=pending,
        load=load,
        reports=workflow.open_reports(current_user),
        in_progress=workflow.in_progress(current_user),
        STATES=STATES,
        approve_form=ApproveForm(),
        decline_form=DeclineForm(),
        resolve_form=ReasonForm(),
    )


@bp.route("/introductions/<int:intro_id>/<any(approve, decline):action>", methods=["POST"])
def decide(intro_id: int, action: str):
    intro = db.get_or_404(Introduction, intro_id)
    if not workflow.allowed(current_user, action, intro):
        abort(403)
    form = ApproveForm() if action == "approve" else DeclineForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(f"{intro.requester.name} → {intro.target.name}: {error}", "error")
        return redirect(url_for("coordinator.queue"))
    try:
        if action == "approve":
            workflow.approve(intro, current_user, form.note.data or "")
        else:
            workflow.decline(intro, current_user, form.reason.data)
    except workflow.AlreadyDecided as exc:
        flash(str(exc), "info")
    else:
        verb = "approved" if action == "approve" else "declined"
        flash(f"You {verb} {intro.requester.name} → {intro.target.name}.", "success")
    return redirect(url_for("coordinator.queue"))


@bp.route("/reports/<int:report_id>/resolve", methods=["POST"])
def resolve(report_id: int):
    report = db.get_or_404(Report, report_id)
    if report not in workflow.open_reports(current_user):
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    workflow.resolve_report(report, current_user, form.reason.data or "")
    flash("Report marked as resolved.", "success")
    return redirect(url_for("coordinator.queue"))
