"""Guards every request passes: response headers, bounded ids, no NUL bytes.

Each guard sits where the decision is made once for the whole app, so routes added later are
covered without doing anything: the `int` URL converter, a before_request check and an
after_request header set.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

# The largest id any of our databases stores: PostgreSQL's `integer` (SQLite allows 2**63-1).
MAX_ID = 2**31 - 1

NUL_MESSAGE = "The request contains a NUL character, which no field may hold."


def digits_up_to(limit: int) -> str:
    """A regex matching the decimal numbers 0..limit (no leading zeros), and nothing else.

    For each digit of `limit`, the numbers that share its prefix and have a smaller digit
    there, followed by any digits; plus every shorter number and `limit` itself.
    """
    text = str(limit)
    parts = ["0"] + ([rf"[1-9]\d{{0,{len(text) - 2}}}"] if len(text) > 1 else [])
    for i, digit in enumerate(text):
        low = "1" if i == 0 else "0"
        if int(digit) > int(low):
            rest = len(text) - i - 1
            parts.append(f"{text[:i]}[{low}-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    parts.append(text)
    return "(?:" + "|".join(parts) + ")"


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that matches only ids a database column can hold: larger ones are a 404.

    Without the bound, /introductions/2147483648 reaches PostgreSQL and fails there (a 500).
    The bound is in the regex, not only in `to_python`, so that a too-large id matches no rule
    at all: otherwise Werkzeug reports a 405 when another method's rule has the same shape.
    """

    regex = digits_up_to(MAX_ID)

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
        if max != MAX_ID or signed or fixed_digits:
            self.regex = IntegerConverter.regex if not signed else self.signed_regex


def install_converters(app: Flask) -> None:
    """Called before any blueprint adds its rules, so every `<int:...>` is bounded."""
    app.url_map.converters["int"] = BoundedIntConverter


class NulCharacter(BadRequest):
    """A 400 that says where the NUL was, so an error handler can name the fields.

    `location` is "path", "query" or "body"; `fields` the names holding one (outermost key of
    a JSON body).
    """

    def __init__(self, location: str, fields: list[str]):
        super().__init__(NUL_MESSAGE)
        self.location = location
        self.fields = fields


def _nul_fields(values) -> list[str]:
    return [key for key, vals in values if "\x00" in key or any("\x00" in v for v in vals)]


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _json_nul_fields() -> list[str] | None:
    """The top-level keys of a JSON body holding a NUL ([] for the whole body), else None."""
    if b"\\u0000" not in request.get_data(cache=True):
        return None
    body = request.get_json(silent=True)
    if isinstance(body, dict):
        return [key for key, value in body.items() if _holds_nul(key) or _holds_nul(value)] or None
    return [] if _holds_nul(body) else None


def refuse_nul_bytes() -> None:
    """No text field holds a NUL: PostgreSQL refuses them, so refuse them at the door (400)."""
    if "\x00" in request.path:
        raise NulCharacter("path", [])
    if fields := _nul_fields(request.args.lists()):
        raise NulCharacter("query", fields)
    if request.method in {"POST", "PUT", "PATCH"}:
        if request.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            if fields := _nul_fields(request.form.lists()):
                raise NulCharacter("body", fields)
        elif request.is_json and (in_json := _json_nul_fields()) is not None:
            raise NulCharacter("body", in_json)


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
