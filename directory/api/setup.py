"""Wiring the API into the app: blueprints, CSRF exemption, JSON errors, CORS, JSON-LD."""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.exceptions import HTTPException

from directory.api.linked_data import organization_jsonld
from directory.api.problems import ApiError, from_api_error, from_http_exception
from directory.extensions import csrf

# Flask-Limiter notation ("300 per minute", "10/second"); the environment may override them.
DEFAULTS = {
    "API_READ_RATE_LIMIT": "300 per minute",
    "API_WRITE_RATE_LIMIT": "60 per minute",
}


def register(app: Flask) -> None:
    from directory.api import bp, pages

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, os.environ.get(key) or value)
    csrf.exempt(bp)  # writes take a bearer token only, never a cookie
    app.register_blueprint(bp)
    app.register_blueprint(pages)
    app.register_error_handler(ApiError, from_api_error)
    app.add_template_global(organization_jsonld)


def api_http_error(error: HTTPException):
    """The JSON answer for an HTTP error under /api (errors.py calls this)."""
    return from_http_exception(error)
