from flask import Blueprint

bp = Blueprint("businesses", __name__)

from directory.businesses import views  # noqa: E402, F401
