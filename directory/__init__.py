"""Peerlink: the Flask application."""

from __future__ import annotations

import logging
import os
import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from directory.config import Config, from_environment
from directory.extensions import csrf, db, limiter, login, migrate


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_object(Config)
    app.config.update(from_environment(app.instance_path))
    if config:
        if "DATABASE_URL" in config:
            config = {**config, "SQLALCHEMY_DATABASE_URI": config["DATABASE_URL"]}
        app.config.update(config)

    app.logger.setLevel(logging.INFO)  # the outbox logs each email kept for reading
    db.init_app(app)
    migrate.init_app(
        app, db, directory=os.path.normpath(os.path.join(app.root_path, "..", "migrations"))
    )
    login.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    from directory import (
        auth,
        businesses,
        coordinator,
        errors,
        introductions,
        main,
        matches,
        models,
    )

    login.user_loader(lambda user_id: db.session.get(models.User, int(user_id)))
    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(businesses.bp)
    app.register_blueprint(matches.bp)
    app.register_blueprint(introductions.bp)
    app.register_blueprint(coordinator.bp)
    from directory import admin

    app.register_blueprint(admin.bp)
    from directory import evidence

    app.register_blueprint(evidence.bp)
    errors.register(app)

    from directory import cli, templating

    cli.register(app)
    from directory import mail

    mail.register(app)
    templating.register(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets readers and a writer work at once; the busy timeout waits out short locks."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
