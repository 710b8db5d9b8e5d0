"""JSON API v1 under /api/v1, its OpenAPI description, token pages and open-data feeds."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Pages for people (token management, the API's documentation), with the site's HTML errors.
pages = Blueprint("api_pages", __name__)

from directory.api import (  # noqa: E402,F401
    feeds,
    pages_views,
    views,
    writes,
)
from directory.api.setup import register  # noqa: E402

__all__ = ["bp", "pages", "register"]
