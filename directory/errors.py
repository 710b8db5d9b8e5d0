"""One handler per status: HTML for pages, JSON under /api."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have permission to do that.",
    404: "We could not find that page.",
    405: "That action is not allowed here.",
    500: "Something went wrong on our side. Please try again.",
}


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = (
            "This form has expired or was sent from another site. Reload the page and try again."
        )
        if request.path.startswith("/api/"):
            from directory.api.problems import error_response

            return error_response(400, message)
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        message = MESSAGES.get(code, error.description)
        if request.path.startswith("/api/"):
            from directory.api.setup import api_http_error

            return api_http_error(error)
        if request.path.endswith(".json"):
            return jsonify({"error": {"status": code, "message": error.description}}), code
        return render_template("error.html", code=code, message=message), code
