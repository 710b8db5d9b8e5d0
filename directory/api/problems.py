"""JSON errors for the API: one shape, `{"error": {"code", "message", "fields"}}`, every status.

Views raise `ApiError`; HTTP errors raised by Flask, Werkzeug or Flask-Limiter inside /api are
turned into the same shape, so a client never sees an HTML page or a stack trace.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from directory.security import NulCharacter

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
    if isinstance(error, NulCharacter):
        return from_api_error(nul_problem(error))
    if isinstance(error, MethodNotAllowed) and not address_exists():
        error = NotFound()
    status = error.code or 500
    message = MESSAGES.get(status) or error.description or ""
    response = error_response(status, message)
    original = error.get_response()
    for name in ("Retry-After", "Allow", "X-RateLimit-Limit", "X-RateLimit-Remaining"):
        if name in original.headers:
            response.headers[name] = original.headers[name]
    return response


def nul_problem(error: NulCharacter) -> ApiError:
    """The app-wide NUL guard's refusal in the API's terms: a bad query parameter is a 400, a
    bad body field a 422 (as the views answer any other bad value), each naming the field."""
    fields = dict.fromkeys(error.fields, "Text cannot contain NUL characters.")
    if error.location == "body" and fields:
        return ApiError(422, "Text cannot contain NUL characters.", fields)
    return ApiError(400, error.description, fields)


def address_exists() -> bool:
    """Whether some method is really served at this address.

    Werkzeug answers 405 when a rule for another method matched the path's pattern even though
    its converter then refused the value (an id past the bounded `int`): no method is served
    there, so the API says 404, as it does for any other id that names nothing.
    """
    adapter = current_app.create_url_adapter(request)
    if adapter is None:
        return True
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            adapter.match(method=method)
        except (NotFound, MethodNotAllowed):
            continue
        except HTTPException:  # a redirect: the address is served
            return True
        return True
    return False
