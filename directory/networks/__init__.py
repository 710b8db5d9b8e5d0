"""Peer networks: joining one, claiming a profile, and the admins' management of both."""

from flask import Blueprint

bp = Blueprint("networks", __name__)

from directory.networks import views  # noqa: E402, F401
