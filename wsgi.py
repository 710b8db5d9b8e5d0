"""Entry point for `flask --app wsgi` and for gunicorn (`gunicorn wsgi:app`)."""

import os

from directory import create_app, matchmaking

app = create_app()
if os.environ.get("FLASK_RUN_FROM_CLI") != "true":  # a server, not a `flask ...` command
    matchmaking.warm_up(app)
