"""Evidence for coordinators, funders and evaluators: what the peer networks achieve."""

from flask import Blueprint

bp = Blueprint("evidence", __name__)

from directory.evidence import freshness, views  # noqa: E402, F401  (freshness: version events)
