"""CORS for public reads only, so a network's own website can embed a list or a map.

Public read views are marked with `@public`; their answers (errors included) carry
`Access-Control-Allow-Origin: *` and a preflight allows only GET. Writes and the authenticated
matches never do, so a browser on another site can neither send them nor read their answers.
No credentials are ever allowed cross-origin.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, request

PUBLIC_METHODS = "GET, HEAD, OPTIONS"


def public(view: Callable) -> Callable:
    view._api_public = True  # type: ignore[attr-defined]
    return view


def is_public(endpoint: str | None) -> bool:
    view = current_app.view_functions.get(endpoint or "")
    return bool(getattr(view, "_api_public", False))


def add_cors_headers(response: Response) -> Response:
    if request.method in ("GET", "HEAD", "OPTIONS") and is_public(request.endpoint):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Vary"] = "Origin"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = PUBLIC_METHODS
            response.headers["Access-Control-Max-Age"] = "86400"
    return response
