"""Entry point for `flask --app wsgi` and for gunicorn (`gunicorn wsgi:app`)."""

from directory import create_app

app = create_app()
