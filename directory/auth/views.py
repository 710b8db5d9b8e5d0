from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from directory import accounts
from directory.auth import bp
from directory.auth.forms import LoginForm, RegisterForm
from directory.businesses import service as business_service
from directory.businesses.forms import DeleteAccountForm
from directory.extensions import db
from directory.models import User


def local_next(default: str) -> str:
    """Only follow `next` to a path on this site."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("businesses.new"))
    form = RegisterForm()
    if form.validate_on_submit():
        user = accounts.create_user(
            form.account_email.data, form.password.data, name=form.account_name.data
        )
        data = form.to_data()
        data.email = data.email or user.email
        business = business_service.create_business(data, owner=user)
        login_user(user)
        flash(f"Welcome to Peerlink. {business.name} is now in the directory.", "success")
        return redirect(business_service.after_registration_url(business))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("That email and password do not match an account.")
        else:
            login_user(user, remember=form.remember.data)
            flash("You are signed in.", "success")
            return redirect(local_next(url_for("auth.account")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("main.index"))


@bp.route("/account")
@login_required
def account():
    return render_template("auth/account.html", delete_form=DeleteAccountForm())


@bp.route("/account/delete", methods=["POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return render_template("auth/account.html", delete_form=form), 400
    user = db.session.get(User, current_user.id)
    if user is None:
        abort(404)
    logout_user()
    accounts.delete_account(user)
    flash("Your account and your businesses have been deleted.", "success")
    return redirect(url_for("main.index"))
