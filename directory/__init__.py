"""Peerlink: the Flask application."""

from __future__ import annotations

import logging
import os
import sqlite3

from flask import Flask, g
from sqlalchemy import event
from sqlalchemy.engine import Engine

from directory import config as settings
from directory.extensions import csrf, db, limiter, login, migrate


def create_app(config: dict | None = None) -> Flask:
    """The app; `config` overrides the environment (INSTANCE_PATH moves instance/ elsewhere)."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=(config or {}).get("INSTANCE_PATH"),
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_object(settings.Config)
    app.config.update(settings.load(app.instance_path, config))
    from directory import security

    security.install_converters(app)

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
        networks,
        ratelimits,
    )

    login.user_loader(_load_user)
    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(businesses.bp)
    app.register_blueprint(matches.bp)
    app.register_blueprint(introductions.bp)
    app.register_blueprint(coordinator.bp)
    app.register_blueprint(networks.bp)
    from directory import admin

    app.register_blueprint(admin.bp)
    from directory import evidence

    app.register_blueprint(evidence.bp)
    from directory import api

    api.register(app)
    errors.register(app)
    security.register(app)
    ratelimits.register(app)  # after every blueprint: limits are keyed by endpoint

    from directory import cli, templating

    cli.register(app)
    from directory import mail

    mail.register(app)
    templating.register(app)
    return app


def _load_user(session_id: str):
    """The signed-in user; nobody while an error page is drawn without the database."""
    from directory import accounts

    if g.get("database_unavailable") or not session_id or len(session_id) > 200:
        return None
    return accounts.load_session(session_id)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets readers and a writer work at once; the busy timeout waits out short locks."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
