"""Rate limits of the API, counted per token when one is sent and per address otherwise.

All reads share one allowance and all writes another (scopes "api-read" and "api-write"), so
a client cannot multiply its allowance by spreading calls over endpoints. The figures come
from API_READ_RATE_LIMIT and API_WRITE_RATE_LIMIT, read at request time.
"""

from __future__ import annotations

from flask import current_app

from directory.api.access import rate_limit_key
from directory.extensions import limiter


def _read_limit() -> str:
    return current_app.config["API_READ_RATE_LIMIT"]


def _write_limit() -> str:
    return current_app.config["API_WRITE_RATE_LIMIT"]


read_limited = limiter.shared_limit(_read_limit, scope="api-read", key_func=rate_limit_key)
write_limited = limiter.shared_limit(_write_limit, scope="api-write", key_func=rate_limit_key)
