"""Entry point for `flask --app wsgi` and for gunicorn (`gunicorn wsgi:app`)."""

import os
import sys

from directory import create_app, matchmaking

app = create_app()
# Servers (gunicorn, `flask run`) build the matching index at start-up, in a thread, not on
# the first request; one-off `flask ...` commands do not need it.
if os.environ.get("FLASK_RUN_FROM_CLI") != "true" or "run" in sys.argv[1:]:
    matchmaking.warm_up(app)
