"""JSON errors for the API: one shape, `{"error": {"code", "message", "fields"}}`, every status.

Views raise `ApiError`; HTTP errors raised by Flask, Werkzeug or Flask-Limiter inside /api are
turned into the same shape, so a client never sees an HTML page or a stack trace.
"""

from __future__ import annotations

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
}

MESSAGES = {
    400: "The request could not be understood.",
    401: "Send a valid API token: Authorization: Bearer <token>.",
    403: "Your account may not do that.",
    404: "Nothing here: check the address and the id.",
    405: "That method is not allowed at this address.",
    429: "Too many requests: slow down and try again in a minute.",
    500: "Something went wrong on our side.",
}


class ApiError(Exception):
    """An error a client can act on; `fields` maps a parameter or field to its problem."""

    def __init__(
        self, status: int, message: str | None = None, fields: dict[str, str] | None = None
    ):
        super().__init__(message or MESSAGES.get(status, ""))
        self.status = status
        self.message = message or MESSAGES.get(status, "")
        self.fields = fields or {}


def error_response(status: int, message: str, fields: dict[str, str] | None = None) -> Response:
    body: dict = {"code": CODES.get(status, "error"), "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify({"error": body})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="peerlink"'
    return response


def from_api_error(error: ApiError) -> Response:
    return error_response(error.status, error.message, error.fields)


def from_http_exception(error: HTTPException) -> Response:
    """Keep the exception's own headers (Retry-After, Allow) on the JSON answer."""
    status = error.code or 500
    message = MESSAGES.get(status) or error.description or ""
    response = error_response(status, message)
    original = error.get_response()
    for name in ("Retry-After", "Allow", "X-RateLimit-Limit", "X-RateLimit-Remaining"):
        if name in original.headers:
            response.headers[name] = original.headers[name]
    return response
