"""One handler per status: HTML for pages, JSON under /api (and for .json URLs).

Error pages never need the database: when it is down (or the failed request left the session
unusable) the page is drawn as for a visitor, so people get our page instead of the server's.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from directory.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have permission to do that.",
    404: "We could not find that page.",
    405: "That action is not allowed here.",
    429: "Too many requests. Please wait a moment and try again.",
    500: "Something went wrong on our side. Please try again.",
    503: "Peerlink is unavailable for a moment. Please try again in a minute.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def database_unavailable(error: BaseException) -> bool:
    """Connection failures (server down, file unreadable), as opposed to bad statements."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _forget_failed_transaction() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:
        g.database_unavailable = True


def error_response(code: int, message: str, headers: dict | None = None):
    """The page (or JSON) for an error, drawn without the database if it cannot be reached."""
    if request.path.startswith("/api/"):
        from directory.api.problems import error_response as api_error

        response = api_error(code, message)
        response.headers.update(headers or {})
        return response
    if wants_json():
        return jsonify({"error": {"status": code, "message": message}}), code, headers or {}
    if request_ctx.url_adapter is None:
        # The Host header is not one of TRUSTED_HOSTS: no link on our page could be built.
        return message, code, {**(headers or {}), "Content-Type": "text/plain; charset=utf-8"}
    try:
        body = render_template("error.html", code=code, message=message)
    except SQLAlchemyError:
        # base.html asked who is signed in and the database could not say: draw it anonymous.
        _forget_failed_transaction()
        g.database_unavailable = True
        body = render_template("error.html", code=code, message=message)
    return body, code, headers or {}


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_response(
            400,
            "This form has expired or was sent from another site. Reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if request.path.startswith("/api/"):
            from directory.api.setup import api_http_error

            return api_http_error(error)
        if code >= 500:
            _forget_failed_transaction()
        # A reason given with abort(code, "...") is for people; Werkzeug's default is not.
        given = error.description if error.description != type(error).description else None
        return error_response(code, given or MESSAGES.get(code) or error.description or "")

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError):
        _forget_failed_transaction()
        if isinstance(error, DataError):
            # Values the database cannot hold (too long, out of range) that slipped past a form.
            log.warning("refused a value the database cannot store in %s", request.endpoint)
            return error_response(400, "Some of what you sent is too long or not valid.")
        if not database_unavailable(error):
            raise error
        g.database_unavailable = True
        log.error("database unavailable: %s", type(error.orig).__name__)
        seconds = current_app.config.get("RETRY_AFTER_SECONDS", 30)
        return error_response(503, MESSAGES[503], {"Retry-After": str(seconds)})
