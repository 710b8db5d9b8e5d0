"""Pages for people: manage your API tokens; read the API's description."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from directory.api import pages, tokens
from directory.api.spec import openapi_document, operations
from directory.forms import strip


class NewTokenForm(FlaskForm):
    name = StringField(
        "What is this token for?",
        filters=[strip],
        validators=[Optional(), Length(max=80)],
        description="A name to recognise it later, e.g. “network website map”.",
    )


class RevokeForm(FlaskForm):
    """CSRF only: revoking is a POST from the list."""


@pages.route("/account/api-tokens", methods=["GET", "POST"])
@login_required
def api_tokens():
    form = NewTokenForm()
    secret = None
    if form.validate_on_submit():
        _, secret = tokens.issue_token(current_user, form.name.data or "")
        form = NewTokenForm(formdata=None)
    html = render_template(
        "api/tokens.html",
        form=form,
        revoke_form=RevokeForm(),
        secret=secret,
        tokens=tokens.tokens_of(current_user),
    )
    return html, {"Cache-Control": "no-store"}  # a new secret must not stay in a cache


@pages.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_api_token(token_id: int):
    token = tokens.owned_token(current_user, token_id)
    if token is None:
        abort(404)
    if RevokeForm().validate_on_submit():
        tokens.revoke(token)
        flash(f"Token {token.prefix}… is revoked: it no longer works.", "success")
    return redirect(url_for("api_pages.api_tokens"))


@pages.route("/api/docs")
def api_docs():
    spec = openapi_document()
    return render_template("api/docs.html", spec=spec, operations=operations(spec))
