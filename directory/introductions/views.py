from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from directory.evidence import outcomes
from directory.extensions import db
from directory.forms import choices
from directory.introductions import bp, workflow
from directory.introductions import states as st
from directory.introductions.forms import OutcomeForm, ReasonForm, ReportForm, RequestForm
from directory.models import Business, Introduction
from matching.vocab import TOPICS


def _intro(intro_id: int, action: str = "view") -> Introduction:
    intro = db.get_or_404(Introduction, intro_id)
    if not workflow.allowed(current_user, action, intro):
        abort(403)
    return intro


@bp.route("/introductions")
@login_required
def index():
    return render_template(
        "introductions/index.html", groups=workflow.for_member(current_user), STATES=st.STATES
    )


@bp.route("/introductions/new", methods=["GET", "POST"])
@login_required
def new():
    target = db.one_or_404(db.select(Business).where(Business.slug == request.args.get("to", "")))
    mine = [b for b in current_user.businesses if b.id != target.id]
    if not mine:
        flash("Add your business to the directory first, then ask for introductions.", "info")
        return redirect(url_for("businesses.new"))
    form = RequestForm()
    form.from_business.choices = choices((b.slug, b.name) for b in mine)
    if request.method == "GET":
        form.from_business.data = request.args.get("from") or mine[0].slug
        form.kind.data = (
            request.args.get("kind")
            if request.args.get("kind") in ("peer", "mentor")
            else ("mentor" if target.willing_to_mentor else "peer")
        )
    if form.validate_on_submit():
        requester = next(b for b in mine if b.slug == form.from_business.data)
        try:
            intro = workflow.request_introduction(
                current_user, requester, target, form.kind.data, form.message.data
            )
        except workflow.RuleError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(f"Your request to meet {target.name} has gone to a coordinator.", "success")
            return redirect(url_for("introductions.detail", intro_id=intro.id))
    return render_template("introductions/new.html", form=form, target=target)


@bp.route("/introductions/<int:intro_id>")
@login_required
def detail(intro_id: int):
    intro = _intro(intro_id)
    return render_template(
        "introductions/detail.html",
        intro=intro,
        STATES=st.STATES,
        actions=workflow.available_actions(current_user, intro),
        show_contacts=workflow.contacts_visible(current_user, intro),
        reason_form=ReasonForm(),
        TOPICS=TOPICS,
    )


MESSAGES = {
    "accept": "You accepted the introduction. Contact details are now shared.",
    "reject": "You declined the introduction.",
    "withdraw": "The introduction was withdrawn.",
    "complete": "The introduction is marked as completed.",
}


@bp.route(
    "/introductions/<int:intro_id>/<any(accept, reject, withdraw, complete):action>",
    methods=["POST"],
)
@login_required
def act(intro_id: int, action: str):
    intro = _intro(intro_id, action)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if action == "accept":
            workflow.accept(intro, current_user)
        else:
            getattr(workflow, action)(intro, current_user, form.reason.data or "")
    except workflow.AlreadyDecided as exc:
        flash(str(exc), "info")
    else:
        flash(MESSAGES[action], "success")
    return redirect(url_for("introductions.detail", intro_id=intro.id))


@bp.route("/introductions/<int:intro_id>/outcome", methods=["GET", "POST"])
@login_required
def outcome(intro_id: int):
    intro = _intro(intro_id, "outcome")
    form = OutcomeForm()
    form.helped_needs.choices = choices(
        {t: TOPICS[t] for t in intro.needs_at_request if t in TOPICS}
    )
    if form.validate_on_submit():
        try:
            outcomes.record_outcome(intro, current_user, outcomes.answers_from(form, request.args))
        except workflow.RuleError as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Thank you: your answer helps the network show what it achieves.", "success")
            return redirect(url_for("introductions.detail", intro_id=intro.id))
    return render_template("introductions/outcome.html", form=form, intro=intro)


@bp.route("/introductions/<int:intro_id>/report", methods=["GET", "POST"])
@login_required
def report_introduction(intro_id: int):
    intro = _intro(intro_id, "report")
    return _report(
        intro=intro,
        subject=f"the introduction {intro.requester.name} → {intro.target.name}",
        back=url_for("introductions.detail", intro_id=intro.id),
    )


@bp.route("/businesses/<slug>/report", methods=["GET", "POST"])
@login_required
def report_business(slug: str):
    business = db.one_or_404(db.select(Business).where(Business.slug == slug))
    return _report(
        business=business,
        subject=f"the profile of {business.name}",
        back=url_for("businesses.profile", slug=slug),
    )


def _report(subject: str, back: str, intro=None, business=None):
    form = ReportForm()
    if form.validate_on_submit():
        workflow.report_problem(current_user, form.reason.data, intro=intro, business=business)
        flash("Thank you. A coordinator will look into it.", "success")
        return redirect(back)
    return render_template("introductions/report.html", form=form, subject=subject, back=back)
