"""Absolute links for email and feeds, always built from BASE_URL.

Never from the request's Host header: a request sent with `Host: evil.example` must not make
Peerlink email anyone a link to evil.example.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    base = current_app.config.get("BASE_URL") or "http://127.0.0.1:5000"
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def static_external_url(filename: str) -> str:
    return external_url("static", filename=filename)
