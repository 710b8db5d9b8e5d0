"""Entry point for `flask --app wsgi` and for gunicorn (`gunicorn wsgi:app`)."""

import os
import sys

from directory import create_app, matchmaking
from directory.evidence.dataset import warm_up as read_evidence

app = create_app()
# Servers (gunicorn, `flask run`) build the matching index and read the evidence rows at
# start-up, in a thread, not on the first request; one-off `flask ...` commands need neither.
if os.environ.get("FLASK_RUN_FROM_CLI") != "true" or "run" in sys.argv[1:]:
    matchmaking.warm_up(app)
    read_evidence(app)
