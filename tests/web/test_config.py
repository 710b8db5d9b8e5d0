"""Configuration comes from the environment at app creation, with safe local defaults."""

from __future__ import annotations

from sqlalchemy import text

from directory import create_app
from directory.extensions import db


def test_secret_key_is_generated_once_and_kept_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    instance = str(tmp_path / "instance")
    first = create_app({"TESTING": True, "INSTANCE_PATH": instance})
    second = create_app({"TESTING": True, "INSTANCE_PATH": instance})
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]


def test_environment_overrides_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@localhost/db")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql://u:p@localhost/db"


def test_default_database_is_sqlite_in_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "instance")}
    )
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/peerlink.sqlite"


def test_sqlite_runs_with_wal_and_a_busy_timeout(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'w.sqlite'}"})
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        db.engine.dispose()


def test_email_links_come_from_base_url_not_the_host_header(app):
    from directory.links import external_url

    app.config["BASE_URL"] = "https://peerlink.example.org/app"
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert external_url("businesses.profile", slug="x") == (
            "https://peerlink.example.org/app/businesses/x"
        )


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}
