from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from directory import accounts, confirm
from directory.evidence import outcomes
from directory.extensions import db
from directory.forms import choices
from directory.introductions import bp, commands, notify, permissions, queries, routing
from directory.introductions import states as st
from directory.introductions.forms import OutcomeForm, ReasonForm, ReportForm, RequestForm
from directory.models import Business, Introduction
from matching.vocab import TOPICS

ACTION_PATH = "/introductions/<int:intro_id>/<any({}):action>"


def _intro(intro_id: int, action: str = "view") -> Introduction:
    intro = db.get_or_404(Introduction, intro_id)
    if not permissions.allowed(current_user, action, intro):
        abort(403)
    return intro


@bp.route("/introductions")
@login_required
def index():
    return render_template(
        "introductions/index.html", groups=queries.for_member(current_user), STATES=st.STATES
    )


@bp.route("/introductions/new", methods=["GET", "POST"])
@login_required
def new():
    target = db.one_or_404(db.select(Business).where(Business.slug == request.args.get("to", "")))
    mine = [b for b in current_user.businesses if b.id != target.id]
    if not mine:
        flash("Add your business to the directory first, then ask for introductions.", "info")
        return redirect(url_for("businesses.new"))
    existing = queries.open_with(current_user, target)
    if existing is not None:
        flash(f"An introduction with {target.name} is already open.", "info")
        return redirect(url_for("introductions.detail", intro_id=existing.id))
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
            intro = commands.request_introduction(
                current_user, requester, target, form.kind.data, form.message.data
            )
        except commands.DuplicateRequest as exc:
            if exc.existing is None:
                form.form_errors.append(str(exc))
            else:
                flash(str(exc), "info")
                return redirect(url_for("introductions.detail", intro_id=exc.existing.id))
        except commands.RuleError as exc:
            form.form_errors.append(str(exc))
        else:
            reviewer = routing.reviewer_name(intro.network)
            flash(f"Your request to meet {target.name} has gone to {reviewer}.", "success")
            return redirect(url_for("introductions.detail", intro_id=intro.id))
    return render_template(
        "introductions/new.html",
        form=form,
        target=target,
        reviewer=routing.reviewer_name(routing.route(mine[0], target)),
    )


@bp.route("/introductions/<int:intro_id>")
@login_required
def detail(intro_id: int):
    intro = _intro(intro_id)
    alternatives = []
    if intro.state in st.ENDED_WITHOUT_MEETING and permissions.is_requester(current_user, intro):
        alternatives = queries.next_best(intro)
    target_view = permissions.owns(current_user, intro.target)
    return render_template(
        "introductions/detail.html",
        intro=intro,
        STATES=st.STATES,
        TRANSITIONS=st.TRANSITIONS,
        actions=[
            a for a in permissions.available_actions(current_user, intro) if a in st.PAGE_ACTIONS
        ],
        on_behalf=intro.target.owner_id is None and permissions.may_decide(current_user, intro),
        reach_target=permissions.sees_contacts_of(current_user, intro.target),
        show_contacts=permissions.contacts_visible(current_user, intro),
        reasons=notify.reasons_for_target(intro) if target_view else intro.reasons,
        history=queries.history(intro),
        alternatives=alternatives,
        reason_form=ReasonForm(),
        outcomes=outcomes.shown_outcomes(intro),
    )


@bp.route(ACTION_PATH.format(", ".join(st.PAGE_ACTIONS)), methods=["POST"])
@login_required
def act(intro_id: int, action: str):
    intro = _intro(intro_id, action)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    transition = st.TRANSITIONS[action]
    if transition.confirm:
        page = confirm.unconfirmed(
            transition.confirm,
            url_for("introductions.detail", intro_id=intro.id),
            button=transition.button,
        )
        if page:
            return page
    try:
        commands.run(action, intro, current_user, form.reason.data or "")
    except commands.AlreadyDecided as exc:
        flash(str(exc), "info")
    except commands.RuleError as exc:
        flash(str(exc), "error")
    else:
        flash(st.TRANSITIONS[action].done.format(intro=intro.target.name), "success")
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
        except commands.RuleError as exc:
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
        commands.report_problem(current_user, form.reason.data, intro=intro, business=business)
        flash("Thank you. A coordinator will look into it.", "success")
        return redirect(back)
    return render_template("introductions/report.html", form=form, subject=subject, back=back)


# -- answering by the emailed invitation, without an account -----------------------------------


def _invited(token: str, spend: bool = False) -> Introduction:
    read = accounts.spend_token if spend else accounts.read_token
    found = read("invitation", token)
    intro = db.session.get(Introduction, found.data.get("intro"))
    if intro is None or intro.target_id != found.data.get("business"):
        raise accounts.TokenError("invalid")
    return intro


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """The page an organisation without an account reaches from its invitation email."""
    try:
        intro = _invited(token)
    except accounts.TokenError as exc:
        return render_template("introductions/invitation_problem.html", problem=exc), 410
    if intro.state != st.APPROVED:
        problem = f"This request is no longer waiting for an answer: {st.STATES[intro.state]}."
        return render_template("introductions/invitation_problem.html", problem=problem), 409
    form = ReasonForm()
    answer = request.form.get("answer")
    if request.method == "POST" and answer in ("accept", "reject") and form.validate():
        command = commands.accept if answer == "accept" else commands.reject
        try:
            intro = _invited(token, spend=True)
            command(intro, None, form.reason.data or "", via="invitation")
        except accounts.TokenError as exc:
            return render_template("introductions/invitation_problem.html", problem=exc), 410
        except commands.AlreadyDecided as exc:
            return render_template("introductions/invitation_problem.html", problem=exc), 409
        return render_template("introductions/invitation_done.html", intro=intro, answer=answer)
    return render_template(
        "introductions/invitation.html",
        intro=intro,
        reasons=notify.reasons_for_target(intro),
        form=form,
    )
