"""Guards every request passes: response headers, bounded ids, no NUL bytes.

Each guard sits where the decision is made once for the whole app, so routes added later are
covered without doing anything: the `int` URL converter, a before_request check and an
after_request header set.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

# The largest id any of our databases stores: PostgreSQL's `integer` (SQLite allows 2**63-1).
MAX_ID = 2**31 - 1

NUL_MESSAGE = "The request contains a NUL character, which no field may hold."


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that matches only ids a database column can hold: larger ones are a 404.

    Without the bound, /introductions/2147483648 reaches PostgreSQL and fails there (a 500).
    """

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def install_converters(app: Flask) -> None:
    """Called before any blueprint adds its rules, so every `<int:...>` is bounded."""
    app.url_map.converters["int"] = BoundedIntConverter


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in vals) for key, vals in values)


def refuse_nul_bytes() -> None:
    """No text field holds a NUL: PostgreSQL refuses them, so refuse them at the door (400)."""
    if "\x00" in request.path or _has_nul(request.args.lists()):
        abort(400, NUL_MESSAGE)
    if request.method in {"POST", "PUT", "PATCH"}:
        if request.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            if _has_nul(request.form.lists()):
                abort(400, NUL_MESSAGE)
        elif request.is_json and b"\\u0000" in request.get_data(cache=True):
            abort(400, NUL_MESSAGE)


def tile_source(tile_url: str) -> str | None:
    """The CSP source for a Leaflet tile URL template: {s}.tile.example.org -> *.tile...

    A CSP wildcard may only replace whole leftmost labels, so every label up to the last one
    holding a `{placeholder}` becomes one `*`.
    """
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    labels = parts.netloc.split(".")
    templated = [i for i, label in enumerate(labels) if "{" in label]
    if templated:
        labels = ["*", *labels[templated[-1] + 1 :]]
    return f"{parts.scheme}://{'.'.join(labels)}"


def content_security_policy(tile_url: str) -> str:
    """No inline script or style anywhere; images may also come from the map's tile server."""
    images = ["'self'", "data:"]
    tiles = tile_source(tile_url)
    if tiles:
        images.append(tiles)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": " ".join(images),
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(response: Response) -> Response:
    config = current_app.config
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(config["MAP_TILE_URL"]))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if str(config.get("BASE_URL", "")).startswith("https://"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def register(app: Flask) -> None:
    app.before_request(refuse_nul_bytes)
    app.after_request(security_headers)
