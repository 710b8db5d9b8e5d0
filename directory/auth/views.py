"""Sign-in, registration, email verification, passwords, and the member's own data."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from directory import accounts, ratelimits
from directory.accounts import TokenError
from directory.auth import bp, privacy, service
from directory.auth.forms import (
    ActionForm,
    ChangeEmailForm,
    ChangePasswordForm,
    ChoosePasswordForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
)
from directory.businesses import service as business_service
from directory.extensions import db


def local_next(default: str) -> str:
    """Only follow `next` to a path on this site."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


def _check_email(address: str):
    ratelimits.mark_accepted()
    return render_template("auth/check_email.html", address=address)


def _link_problem(error: Exception, kind: str, status: int = 400):
    """`kind` is "password" or "confirmation": the page offers the right new link."""
    page = render_template("auth/link_problem.html", message=str(error), kind=kind)
    return page, status


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("businesses.new"))
    form = RegisterForm()
    if form.validate_on_submit():
        service.register(
            form.account_email.data,
            form.password.data,
            form.account_name.data,
            form.to_data(),
        )
        return _check_email(form.account_email.data)
    return render_template("auth/register.html", form=form)


@bp.route("/account/verify/<token>")
def verify_email(token: str):
    try:
        user = service.verify_email(token)
    except (TokenError, service.EmailTaken) as exc:
        return _link_problem(exc, "confirmation")
    flash(f"Thank you: {user.email} is confirmed.", "success")
    # A newcomer lands on their business's suggestions once signed in.
    landing = (
        business_service.after_registration_url(user.businesses[0])
        if user.businesses
        else url_for("auth.account")
    )
    if current_user.is_authenticated:
        return redirect(landing)
    return redirect(url_for("auth.login", next=landing))


@bp.route("/account/verify", methods=["POST"])
@login_required
def resend_verification():
    if ActionForm().validate_on_submit() and not current_user.email_verified:
        service.send_verification(current_user)
        db.session.commit()
        flash(f"We have sent a new link to {current_user.email}.", "info")
    return redirect(url_for("auth.account"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("That email and password do not match an account.")
        else:
            accounts.sign_in(user, remember=form.remember.data)
            flash("You are signed in.", "success")
            return redirect(local_next(url_for("auth.account")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        # Signing out ends every session of the account: a cookie copied from this or any
        # other device stops working too.
        accounts.end_sessions(current_user)
        db.session.commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("main.index"))


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    if ActionForm().validate_on_submit():
        accounts.end_sessions(current_user, keep=current_user.session_id)
        db.session.commit()
        flash("Every other device signed in to your account is now signed out.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/reset", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        service.request_password_reset(form.email.data)
        return _check_email(form.email.data)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/account/password/<token>", methods=["GET", "POST"])
def choose_password(token: str):
    try:
        _purpose, user = service.read_password_token(token)
    except TokenError as exc:
        return _link_problem(exc, "password")
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            service.choose_password(token, form.password.data)
        except TokenError as exc:
            return _link_problem(exc, "password")
        if current_user.is_authenticated:
            logout_user()
        flash("Your password is set. Sign in with it now.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/choose_password.html", form=form, email=user.email)


@bp.route("/account")
@login_required
def account():
    return _account_page()


def _account_page(status: int = 200, **forms):
    forms = {
        "password_form": ChangePasswordForm(formdata=None),
        "email_form": ChangeEmailForm(formdata=None),
        "delete_form": DeleteAccountForm(formdata=None),
        **forms,
    }
    return render_template("auth/account.html", **forms), status


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if accounts.check_password(current_user, form.current.data):
            service.change_password(current_user, form.password.data)
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("auth.account"))
        form.current.errors.append("That is not your current password.")
    return _account_page(400, password_form=form)


@bp.route("/account/email", methods=["POST"])
@login_required
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        if accounts.check_password(current_user, form.current.data):
            service.request_email_change(current_user, form.email.data)
            flash(
                f"We have sent a link to {form.email.data}. Your address changes when you open it.",
                "info",
            )
            return redirect(url_for("auth.account"))
        form.current.errors.append("That is not your current password.")
    return _account_page(400, email_form=form)


@bp.route("/account/data.json")
@login_required
def download_data():
    body = json.dumps(privacy.export(current_user), ensure_ascii=False, indent=2, default=str)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="peerlink-data.json"'},
    )


@bp.route("/account/delete", methods=["POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if accounts.check_password(current_user, form.password.data):
            user = current_user._get_current_object()
            logout_user()
            privacy.delete_account(user)
            flash("Your account and your data have been deleted.", "success")
            return redirect(url_for("main.index"))
        form.password.errors.append("That is not your password.")
    return _account_page(400, delete_form=form)
