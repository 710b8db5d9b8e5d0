"""Template helpers: computed in Python, so templates hold only loops and conditionals."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, request, url_for

from matching.vocab import LEGAL_FORMS, REGIONS, SECTORS, STAGES, TOPICS


def register(app: Flask) -> None:
    @app.context_processor
    def vocabularies():
        return {
            "SECTORS": SECTORS,
            "STAGES": STAGES,
            "TOPICS": TOPICS,
            "REGIONS": REGIONS,
            "LEGAL_FORMS": LEGAL_FORMS,
            "url_with": url_with,
        }

    @app.template_filter("km")
    def km(value: float | None) -> str:
        if value is None:
            return ""
        return f"{value:.1f} km" if value < 10 else f"{value:.0f} km"


def url_with(endpoint: str = "", **params) -> str:
    """This page's URL with some query parameters replaced (None removes one).

    The query is encoded here rather than passed to url_for as keywords, so a query key such
    as `endpoint`, `_anchor`, `_scheme` or a route argument's name is just a query key.
    """
    args = request.args.to_dict(flat=False)
    for key, value in params.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value if isinstance(value, list) else [value]
    target = endpoint or request.endpoint
    assert target is not None, "only pages a route answered link to themselves"
    base = url_for(target, **(request.view_args or {}))
    query = urlencode([(k, v) for k, values in args.items() for v in values])
    return f"{base}?{query}" if query else base
