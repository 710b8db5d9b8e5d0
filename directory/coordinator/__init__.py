from flask import Blueprint

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")

from directory.coordinator import views  # noqa: E402, F401
